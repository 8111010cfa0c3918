using System.Globalization;
using System.Text;
using AeCourse.Notebooks.Format;

namespace AeCourse.Notebooks.Grading;

/// <summary>The student version of an instructor source, and what the release did to it.</summary>
/// <param name="Notebook">The student notebook (a copy; the source is not changed).</param>
/// <param name="Exercises">Answer cells in it.</param>
/// <param name="HiddenTestBlocks"><c>// BEGIN HIDDEN TESTS</c> … <c>// END HIDDEN TESTS</c> blocks removed.</param>
public sealed record ReleasedNotebook(Notebook Notebook, int Exercises, int HiddenTestBlocks);

/// <summary>One student notebook written by <see cref="StudentRelease.WriteAll"/>.</summary>
/// <param name="SourcePath">The instructor source, as given.</param>
/// <param name="TargetPath">The student notebook written (full path).</param>
/// <param name="Exercises">Answer cells in it.</param>
/// <param name="HiddenTestBlocks">Hidden-test blocks removed.</param>
public sealed record ReleasedFile(string SourcePath, string TargetPath, int Exercises, int HiddenTestBlocks);

/// <summary>A set of sources cannot be released as asked (not a markup problem); the message says why.</summary>
public sealed class StudentReleaseException(string message) : Exception(message);

/// <summary>
/// Makes student notebooks from instructor sources, as nbgrader's release does: each solution region becomes a stub
/// that compiles and throws <see cref="NotImplementedException"/> with a hint, hidden tests are removed, outputs are
/// cleared; everything else — metadata included — is kept as it is. Pure and deterministic: the same source gives the
/// same bytes, and releasing a student notebook again changes nothing.
/// </summary>
public static class StudentRelease
{
    /// <summary>The comment that gives a region's hint: <c>// HINT: text</c> on its own line inside the region.</summary>
    public const string HintPrefix = "// HINT:";

    /// <summary>The student version of <paramref name="source"/>.</summary>
    /// <exception cref="GradingMarkupException">The source's markup is wrong; the message names the file and the cell.</exception>
    public static Notebook Create(Notebook source) => Release(source).Notebook;

    /// <summary>The student version of <paramref name="source"/>, with counts of what was replaced and removed.</summary>
    /// <exception cref="GradingMarkupException">The source's markup is wrong, or a cell outside the exercises uses what one makes
    /// (<see cref="AnswerDependencies"/>); the message names the file and the cell.</exception>
    public static ReleasedNotebook Release(Notebook source)
    {
        var graded = GradedCell.ReadAll(source);
        if (AnswerDependencies.Find(source, graded).FirstOrDefault() is { } use)
            throw new GradingMarkupException(source.Path, use.Cell, AnswerDependencies.Describe(use));
        var student = source.Clone();
        int exercises = 0, hiddenBlocks = 0;
        foreach (var markup in graded)
        {
            var cell = student.Cells[markup.Index];
            if (markup.Role == CellRole.Answer)
            {
                exercises++;
                SetSource(cell, StubSolutions(cell.Source, markup.GradeId!));
            }
            else if (markup.Role == CellRole.Test)
            {
                var (text, removed) = RemoveHiddenTests(cell.Source);
                hiddenBlocks += removed;
                SetSource(cell, text);
            }
            if (cell.IsCode)
            {
                cell.Outputs.Clear();
                cell.ExecutionCount = null;
            }
        }
        EnsureNoMarkup(student);
        return new ReleasedNotebook(student, exercises, hiddenBlocks);
    }

    /// <summary>
    /// The last check before a student notebook leaves the release: no line of any cell is, or reads as, a solution
    /// or hidden-test marker (<see cref="MarkerLine"/>). <see cref="GradedCell.ReadAll"/> refuses every source that
    /// would leave one, so this guards against a gap in those rules, or in what the release writes itself (a stub's
    /// message holds the grade_id), rather than against instructors: a marker left in a student copy would show the
    /// students where a solution or a hidden test was, or carry it to them.
    /// </summary>
    /// <exception cref="GradingMarkupException">A cell still holds marker text; the message names the file (the
    /// source's path) and the cell.</exception>
    internal static void EnsureNoMarkup(Notebook student)
    {
        for (int i = 0; i < student.Cells.Count; i++)
        {
            var (line, found) = MarkerLine.All(student.Cells[i].Source).FirstOrDefault();
            if (found is not null)
                throw new GradingMarkupException(student.Path, i,
                    $"line {line}: the student copy would still hold grading markup (\"{found.Text}\"); nothing is written");
        }
    }

    /// <summary>
    /// Releases every source into <paramref name="outputFolder"/> under its own file name. All sources are read and
    /// released before anything is written, so a bad one leaves the folder untouched; each file is written atomically.
    /// </summary>
    /// <exception cref="NotebookFormatException">A source is not a notebook.</exception>
    /// <exception cref="GradingMarkupException">A source's markup is wrong.</exception>
    /// <exception cref="StudentReleaseException">The output folder is a source's own folder (the release would
    /// overwrite it), or two sources have the same file name.</exception>
    public static IReadOnlyList<ReleasedFile> WriteAll(IEnumerable<string> sourcePaths, string outputFolder)
    {
        var folder = Normalize(outputFolder);
        var planned = new List<(string Source, string Target, ReleasedNotebook Release)>();
        var claimed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in sourcePaths)
        {
            var full = Path.GetFullPath(path);
            if (Normalize(Path.GetDirectoryName(full)!) == folder)
                throw new StudentReleaseException($"{path}: the output folder {folder} holds this source; releasing into it would overwrite the instructor's copy");
            var target = Path.Combine(folder, Path.GetFileName(full));
            if (claimed.TryGetValue(target, out var other))
                throw new StudentReleaseException($"{other} and {path} would both be released as {target}");
            claimed[target] = path;
            planned.Add((path, target, Release(Notebook.Read(path))));
        }

        var written = new List<ReleasedFile>();
        foreach (var (source, target, release) in planned)
        {
            release.Notebook.Path = target;
            release.Notebook.Write();
            written.Add(new ReleasedFile(source, target, release.Exercises, release.HiddenTestBlocks));
        }
        return written;
    }

    /// <summary>Replaces each solution region by the stub, at the indentation of its BEGIN marker.</summary>
    static string StubSolutions(string source, string gradeId)
    {
        var lines = source.Split('\n');
        var result = new List<string>(lines.Length);
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim() != GradedCell.BeginSolution)
            {
                result.Add(lines[i]);
                continue;
            }
            var begin = lines[i];
            var hints = new List<string>();
            // GradedCell checked the markers: every BEGIN has its END after it, on a line of its own.
            for (i++; lines[i].Trim() != GradedCell.EndSolution; i++)
            {
                var line = lines[i].Trim();
                if (line.StartsWith(HintPrefix, StringComparison.Ordinal) && line[HintPrefix.Length..].Trim() is { Length: > 0 } hint)
                    hints.Add(hint);
            }
            var indent = begin[..(begin.Length - begin.TrimStart().Length)];
            // A cell written on Windows keeps its line ends in the lines the stub replaces.
            var end = begin.EndsWith('\r') ? "\r" : "";
            var message = hints.Count > 0 ? string.Join(' ', hints) : $"Exercise {gradeId} is not done yet: write your answer here.";
            result.Add(indent + GradedCell.YourCodeHere + end);
            result.Add(indent + GradedCell.StubThrow + Literal(message) + ");" + end);
        }
        return string.Join('\n', result);
    }

    /// <summary>Removes the lines from each BEGIN HIDDEN TESTS to its END HIDDEN TESTS, both included.</summary>
    internal static (string Source, int Blocks) RemoveHiddenTests(string source)
    {
        var kept = new List<string>();
        bool hidden = false;
        int blocks = 0;
        foreach (var line in source.Split('\n'))
        {
            var marker = line.Trim();
            if (marker == GradedCell.BeginHiddenTests) { hidden = true; blocks++; }
            else if (marker == GradedCell.EndHiddenTests) hidden = false;
            else if (!hidden) kept.Add(line);
        }
        return (string.Join('\n', kept), blocks);
    }

    /// <summary>Sets the source only when it changed, so that an untouched cell keeps its JSON form (string or lines).</summary>
    static void SetSource(NotebookCell cell, string source)
    {
        if (source != cell.Source) cell.Source = source;
    }

    /// <summary>A C# regular string literal for <paramref name="text"/>.</summary>
    static string Literal(string text)
    {
        var literal = new StringBuilder("\"");
        foreach (char c in text)
        {
            literal.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\t' => "\\t",
                '\r' => "\\r",
                '\n' => "\\n",
                // Control characters, and the characters C# reads as line ends, cannot stand in a literal.
                _ when char.IsControl(c) || c is '\u0085' or '\u2028' or '\u2029' => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
                _ => c.ToString(),
            });
        }
        return literal.Append('"').ToString();
    }

    static string Normalize(string folder) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
}
