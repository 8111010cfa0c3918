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

/// <summary>Every submission under a folder, graded in parallel, and the summary written from them (CSV and JSON).</summary>
public sealed class GradeBatch
{
    GradeBatch(IReadOnlyList<BatchEntry> entries) => Entries = entries;

    /// <summary>The graded submissions, by student then notebook.</summary>
    public IReadOnlyList<BatchEntry> Entries { get; }

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
    /// submission's path relative to <paramref name="folder"/>.
    /// </summary>
    /// <exception cref="NotebookFormatException">A source notebook is missing or not a notebook.</exception>
    /// <exception cref="GradingMarkupException">A source's markup is wrong.</exception>
    public static async Task<GradeBatch> GradeFolderAsync(string folder, string source, GradeOptions options, int jobs, string? feedbackFolder = null)
    {
        var files = Directory.EnumerateFiles(folder, "*.ipynb", SearchOption.AllDirectories)
            .Where(f => !Path.GetRelativePath(folder, f).Split(Path.DirectorySeparatorChar).Any(part => part.StartsWith('.')))
            .Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0) throw new GradingInputException($"{folder}: no .ipynb submissions in it");
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
        return new GradeBatch(entries.OrderBy(e => e.Student, StringComparer.Ordinal).ThenBy(e => e.Notebook, StringComparer.Ordinal).ToList());
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

    /// <summary>The JSON summary: <c>{"submissions": [{"student", "notebook", "report": {…}}]}</c>, each report as <c>--json</c> writes it.</summary>
    public string ToJson() => JsonSerializer.Serialize(new { submissions = Entries }, GradeReport.Json);

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
