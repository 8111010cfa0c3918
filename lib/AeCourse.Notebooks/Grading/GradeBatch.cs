using System.Globalization;
using System.Text;
using System.Text.Json;
using AeCourse.Notebooks.IO;
using AeCourse.Notebooks.Format;

namespace AeCourse.Notebooks.Grading;

/// <summary>The grader was given input it cannot work with (e.g. no source for a submission); the message says which.</summary>
public sealed class GradingInputException(string message) : Exception(message);

/// <summary>One graded submission of a folder.</summary>
/// <param name="Student">The submission's folder relative to the graded folder (<c>alice</c> for <c>DIR/alice/01.ipynb</c>), or the file's stem when the folder is flat.</param>
/// <param name="Notebook">The submission's file name.</param>
/// <param name="Report">Its report (with <see cref="GradeReport.Error"/> set when it could not be graded).</param>
public sealed record BatchEntry(string Student, string Notebook, GradeReport Report);

/// <summary>What a shard's summary says of itself, so that <see cref="GradeBatch.Merge"/> can check the parts belong together.</summary>
/// <param name="Index">The shard, 1 to <paramref name="Count"/>.</param>
/// <param name="Count">How many shards the class was split into.</param>
/// <param name="ClassSubmissions">How many submissions the whole class folder held when this shard was graded.</param>
public sealed record ShardPart(int Index, int Count, int ClassSubmissions);

/// <summary>
/// Every submission under a folder (or one shard of them), graded in parallel, and the summary written from them
/// (CSV and JSON); and the merge of shards' summaries into the summary of the whole class.
/// </summary>
public sealed class GradeBatch
{
    GradeBatch(IReadOnlyList<BatchEntry> entries, ShardPart? part = null)
    {
        Entries = entries.OrderBy(e => e.Student, StringComparer.Ordinal).ThenBy(e => e.Notebook, StringComparer.Ordinal).ToList();
        Part = part;
    }

    /// <summary>The graded submissions, by student then notebook.</summary>
    public IReadOnlyList<BatchEntry> Entries { get; }

    /// <summary>Which shard of the class this batch is; null for a whole class.</summary>
    public ShardPart? Part { get; }

    /// <summary>The source notebook for a submission: <paramref name="source"/> itself, or the file of the same name in that folder.</summary>
    /// <exception cref="GradingInputException">The folder has no notebook of that name.</exception>
    public static string SourceFor(string source, string submissionPath)
    {
        if (!Directory.Exists(source)) return source;
        var match = Path.Combine(source, Path.GetFileName(submissionPath));
        return File.Exists(match) ? match : throw new GradingInputException($"{submissionPath}: no source notebook {Path.GetFileName(submissionPath)} in {source}");
    }

    /// <summary>
    /// Grades every .ipynb under <paramref name="folder"/> (recursively; checkpoint folders excluded), <paramref name="jobs"/>
    /// at a time. A submission that cannot be graded gets a row with 0 and the error; the batch goes on. With
    /// <paramref name="feedbackFolder"/>, each graded submission's feedback notebook is written there, at the
    /// submission's path relative to <paramref name="folder"/>. With <paramref name="shard"/>, only that shard's
    /// submissions are graded (see <see cref="Shard"/>) and the batch says which part of the class it is.
    /// </summary>
    /// <exception cref="NotebookFormatException">A source notebook is missing or not a notebook.</exception>
    /// <exception cref="GradingMarkupException">A source's markup is wrong.</exception>
    public static async Task<GradeBatch> GradeFolderAsync(string folder, string source, GradeOptions options, int jobs, string? feedbackFolder = null,
                                                          Shard? shard = null)
    {
        var all = Directory.EnumerateFiles(folder, "*.ipynb", SearchOption.AllDirectories)
            .Where(f => !Path.GetRelativePath(folder, f).Split(Path.DirectorySeparatorChar).Any(part => part.StartsWith('.')))
            .Order(StringComparer.Ordinal).ToList();
        if (all.Count == 0) throw new GradingInputException($"{folder}: no .ipynb submissions in it");
        // A shard of a small class may hold nothing: it still writes its (empty) part, so the merge sees every shard.
        var files = shard is { } s ? all.Where(f => s.Contains(Path.GetRelativePath(folder, f))).ToList() : all;
        // The sources are checked before anything runs: a broken source is the instructor's error, not a student's.
        var tests = new Dictionary<string, IReadOnlyList<TestScore>>();
        foreach (var file in files)
            if (!Directory.Exists(source) || File.Exists(Path.Combine(source, Path.GetFileName(file))))
            {
                var path = SourceFor(source, file);
                if (!tests.ContainsKey(path))
                    tests[path] = GradedCell.ReadAll(Notebook.Read(path)).Where(c => c.Role == CellRole.Test)
                        .Select(c => new TestScore(c.GradeId!, c.Index + 1, 0, c.Points, false, null)).ToList();
            }

        using var gate = new SemaphoreSlim(jobs);
        var graded = files.Select(async file =>
        {
            await gate.WaitAsync();
            var feedback = feedbackFolder is null ? null : Path.Combine(feedbackFolder, Path.GetRelativePath(folder, file));
            try { return await GradeOneAsync(folder, file, source, options with { ExecutedPath = feedback }, tests); }
            finally { gate.Release(); }
        });
        var entries = await Task.WhenAll(graded);
        return new GradeBatch(entries, shard is { } part ? new ShardPart(part.Index, part.Count, all.Count) : null);
    }

    static async Task<BatchEntry> GradeOneAsync(string folder, string file, string source, GradeOptions options, Dictionary<string, IReadOnlyList<TestScore>> tests)
    {
        var relative = Path.GetRelativePath(folder, Path.GetDirectoryName(file)!);
        var student = relative == "." ? Path.GetFileNameWithoutExtension(file) : relative.Replace(Path.DirectorySeparatorChar, '/');
        var name = Path.GetFileName(file);
        string? sourcePath = null;
        try
        {
            sourcePath = SourceFor(source, file);
            var log = options.Log;
            var report = await Grader.GradeAsync(file, sourcePath, options with { Log = line => log($"{student}/{name}: {line}") });
            return new BatchEntry(student, name, report);
        }
        catch (Exception e) when (e is NotebookFormatException or GradingInputException or GraderException or Execution.NotebookCellException)
        {
            var zero = sourcePath is not null && tests.TryGetValue(sourcePath, out var t) ? t.Select(s => s with { Message = e.Message }).ToList() : [];
            return new BatchEntry(student, name, new GradeReport(Path.GetFullPath(file), sourcePath ?? source, zero, 0, zero.Sum(s => s.Possible), 0, [], e.Message));
        }
    }

    /// <summary>Writes <c>PREFIX.csv</c> and <c>PREFIX.json</c>, each atomically.</summary>
    public void Write(string prefix)
    {
        AtomicFile.WriteAllText(prefix + ".csv", ToCsv());
        AtomicFile.WriteAllText(prefix + ".json", ToJson() + "\n");
    }

    /// <summary>
    /// One row per submission: <c>student,notebook,earned,possible</c>, then a column per grade_id (every test cell of
    /// every source, in order of first appearance; empty where that notebook has no such test), then <c>error</c>.
    /// </summary>
    public string ToCsv()
    {
        var ids = Entries.SelectMany(e => e.Report.Tests.Select(t => t.GradeId)).Distinct().ToList();
        var csv = new StringBuilder();
        csv.AppendJoin(',', new[] { "student", "notebook", "earned", "possible" }.Concat(ids).Append("error").Select(Field)).Append('\n');
        foreach (var e in Entries)
        {
            var points = e.Report.Tests.ToDictionary(t => t.GradeId, t => GradeReport.Points(t.Earned));
            var row = new[] { e.Student, e.Notebook, GradeReport.Points(e.Report.Earned), GradeReport.Points(e.Report.Possible) }
                .Concat(ids.Select(id => points.GetValueOrDefault(id, ""))).Append(e.Report.Error ?? "");
            csv.AppendJoin(',', row.Select(Field)).Append('\n');
        }
        return csv.ToString();
    }

    /// <summary>
    /// The JSON summary: <c>{"submissions": [{"student", "notebook", "report": {…}}]}</c>, each report as <c>--json</c>
    /// writes it; a shard's summary starts with <c>"shard": {"index", "count", "classSubmissions"}</c>.
    /// </summary>
    public string ToJson() => Part is null
        ? JsonSerializer.Serialize(new { submissions = Entries }, GradeReport.Json)
        : JsonSerializer.Serialize(new { shard = Part, submissions = Entries }, GradeReport.Json);

    /// <summary>
    /// Joins the JSON summaries of shards 1 to N of one class into the summary of the whole class: the same CSV and
    /// JSON, byte for byte, as grading the class unsharded writes from the same reports.
    /// </summary>
    /// <param name="parts">Each part's file name (for messages) and its JSON text.</param>
    /// <exception cref="GradingInputException">
    /// A part is not a shard's summary, the parts are of different splits or class sizes, a shard is missing or given
    /// twice, or a submission appears in two parts; the message names the files.
    /// </exception>
    public static GradeBatch Merge(IReadOnlyList<(string File, string Json)> parts)
    {
        if (parts.Count == 0) throw new GradingInputException("no shard summaries to merge");
        var read = parts.Select(p => (p.File, Summary: ReadPart(p.File, p.Json))).ToList();
        var (firstFile, first) = read[0];
        foreach (var (file, summary) in read)
        {
            if (summary.Shard!.Count != first.Shard!.Count)
                throw new GradingInputException($"{file} is shard {summary.Shard.Index}/{summary.Shard.Count} but {firstFile} is {first.Shard.Index}/{first.Shard.Count}: merge the parts of one split");
            if (summary.Shard.ClassSubmissions != first.Shard.ClassSubmissions)
                throw new GradingInputException($"{file} saw {summary.Shard.ClassSubmissions} submissions in the class but {firstFile} saw {first.Shard.ClassSubmissions}: " +
                                                "grade every shard from the same copy of the class");
        }
        int count = first.Shard!.Count;
        foreach (var twice in read.GroupBy(r => r.Summary.Shard!.Index).Where(g => g.Count() > 1))
            throw new GradingInputException($"shard {twice.Key}/{count} is given twice: {string.Join(", ", twice.Select(r => r.File))}");
        var missing = Enumerable.Range(1, count).Except(read.Select(r => r.Summary.Shard!.Index)).ToList();
        if (missing.Count > 0)
            throw new GradingInputException($"shard{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing.Select(k => $"{k}/{count}"))} missing: merge all {count} parts");

        var owner = new Dictionary<(string, string), string>();
        foreach (var (file, summary) in read)
            foreach (var e in summary.Submissions!)
                if (!owner.TryAdd((e.Student, e.Notebook), file))
                    throw new GradingInputException($"{e.Student}/{e.Notebook} is in both {owner[(e.Student, e.Notebook)]} and {file}");
        int total = owner.Count;
        if (total != first.Shard.ClassSubmissions)
            throw new GradingInputException($"the parts hold {total} submissions but the class had {first.Shard.ClassSubmissions}");
        return new GradeBatch(read.SelectMany(r => r.Summary.Submissions!).ToList());
    }

    sealed record PartFile(ShardPart? Shard, List<BatchEntry>? Submissions);

    static PartFile ReadPart(string file, string json)
    {
        PartFile? part;
        try { part = JsonSerializer.Deserialize<PartFile>(json, GradeReport.Json); }
        catch (JsonException e) { throw new GradingInputException($"{file}: not a grading summary: {e.Message}"); }
        if (part?.Submissions is null) throw new GradingInputException($"{file}: not a grading summary (no \"submissions\")");
        if (part.Shard is null) throw new GradingInputException($"{file}: the summary of a whole class, not of a shard (grade with --shard K/N to merge)");
        if (part.Shard.Count < 1 || part.Shard.Index < 1 || part.Shard.Index > part.Shard.Count)
            throw new GradingInputException($"{file}: shard {part.Shard.Index}/{part.Shard.Count} is not a shard");
        return part;
    }

    /// <summary>A line per submission: <c>student  notebook  earned/possible</c> (and the error, if any).</summary>
    public string ToText()
    {
        var text = new StringBuilder();
        foreach (var e in Entries)
            text.Append(CultureInfo.InvariantCulture, $"{e.Student}  {e.Notebook}  {GradeReport.Points(e.Report.Earned)}/{GradeReport.Points(e.Report.Possible)}")
                .Append(e.Report.Error is { } error ? "  " + error : "").Append('\n');
        return text.ToString();
    }

    /// <summary>RFC 4180: quoted when it holds a comma, a quote or a line break; quotes doubled.</summary>
    static string Field(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) < 0 ? value : "\"" + value.Replace("\"", "\"\"") + "\"";
}
