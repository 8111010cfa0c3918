using System.Text.Json.Nodes;
using AeCourse.Notebooks.Format;

namespace AeCourse.Notebooks.Grading;

/// <summary>What a cell is to the grader, from its nbgrader metadata (schema version 3).</summary>
public enum CellRole
{
    /// <summary>No nbgrader metadata: ordinary lecture text or code, kept as it is.</summary>
    Plain,

    /// <summary>
    /// <c>solution: true</c>: the student's answer. In a source, between <c>// BEGIN SOLUTION</c> and
    /// <c>// END SOLUTION</c>; in a student copy, the stub that replaced them.
    /// </summary>
    Answer,

    /// <summary><c>grade: true</c> with <c>points</c>: a check whose passing earns the points (hidden tests inside).</summary>
    Test,

    /// <summary>Marked <c>locked</c> but neither answer nor test: instructor code the student must not change.</summary>
    Locked,
}

/// <summary>The grading markup of one cell: its role, <c>grade_id</c> and points.</summary>
/// <param name="Index">The cell's position in the notebook (0-based).</param>
/// <param name="Role">What the grader does with it.</param>
/// <param name="GradeId">nbgrader's <c>grade_id</c>; unique in a notebook; null for plain cells.</param>
/// <param name="Points">Points of a test cell; 0 otherwise.</param>
public sealed record GradedCell(int Index, CellRole Role, string? GradeId, double Points)
{
    /// <summary>The markers nbgrader uses, with C#'s comment leader.</summary>
    public const string BeginSolution = "// BEGIN SOLUTION", EndSolution = "// END SOLUTION",
        BeginHiddenTests = "// BEGIN HIDDEN TESTS", EndHiddenTests = "// END HIDDEN TESTS";

    /// <summary>
    /// The first line of the stub a student release puts where a solution was; the next line throws
    /// <see cref="NotImplementedException"/> (see <see cref="StudentRelease"/>).
    /// </summary>
    public const string YourCodeHere = "// YOUR CODE HERE";

    /// <summary>How the stub's second line begins.</summary>
    public const string StubThrow = "throw new NotImplementedException(";

    /// <summary>The schema version of nbgrader's cell metadata the kit reads and writes.</summary>
    public const int SchemaVersion = 3;

    /// <summary>
    /// Reads the markup of every cell of <paramref name="notebook"/>.
    /// </summary>
    /// <exception cref="GradingMarkupException">Markup that nbgrader would reject or that cannot be graded: the message
    /// names the notebook, the cell and the problem.</exception>
    public static IReadOnlyList<GradedCell> ReadAll(Notebook notebook)
    {
        var cells = new List<GradedCell>();
        var ids = new Dictionary<string, int>();
        for (int i = 0; i < notebook.Cells.Count; i++)
        {
            var cell = Read(notebook, i);
            if (cell.GradeId is { } id)
            {
                if (ids.TryGetValue(id, out int first))
                    throw new GradingMarkupException(notebook.Path, i, $"grade_id \"{id}\" is used by cell {first + 1} already; each must be unique");
                ids[id] = i;
            }
            cells.Add(cell);
        }
        return cells;
    }

    static GradedCell Read(Notebook notebook, int index)
    {
        var cell = notebook.Cells[index];
        if (cell.Node["metadata"]?["nbgrader"] is not JsonObject meta) return new(index, CellRole.Plain, null, 0);
        GradingMarkupException Problem(string what) => new(notebook.Path, index, what);

        int version = Integer(meta, "schema_version") ?? throw Problem("nbgrader metadata has no schema_version (expected 3)");
        if (version != SchemaVersion) throw Problem($"nbgrader schema_version {version} is not supported (expected 3)");
        bool solution = Flag(meta, "solution"), grade = Flag(meta, "grade"), locked = Flag(meta, "locked");
        string id = meta["grade_id"] is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0
            ? s : throw Problem("nbgrader metadata has no grade_id");
        if (!cell.IsCode && (solution || grade))
            throw Problem($"\"{id}\" is a {cell.CellType} cell; only code cells can be answers or tests here");

        var source = cell.Source;
        if (solution && grade) throw Problem($"\"{id}\" is marked both solution and grade; put the answer and its check in two cells");
        if (solution)
        {
            // A released answer cell holds the stub instead of a region: reading it again (releasing a release, or
            // reading a student's copy) must work, while a source that forgot its markers is still an error.
            CheckMarkers(source, BeginSolution, EndSolution, required: !HasStub(source), Problem, id);
            return new(index, CellRole.Answer, id, 0);
        }
        if (grade)
        {
            double points = Number(meta, "points") ?? throw Problem($"test cell \"{id}\" has no points");
            if (!(points > 0)) throw Problem($"test cell \"{id}\" has {points} points; give it a positive number");
            CheckMarkers(source, BeginHiddenTests, EndHiddenTests, required: false, Problem, id);
            return new(index, CellRole.Test, id, points);
        }
        return new(index, locked ? CellRole.Locked : CellRole.Plain, id, 0);
    }

    /// <summary>The markers stand alone on their lines, in pairs, begin before end, not nested.</summary>
    static void CheckMarkers(string source, string begin, string end, bool required, Func<string, Exception> problem, string id)
    {
        bool open = false;
        int pairs = 0, lineNumber = 0;
        foreach (var raw in source.Split('\n'))
        {
            lineNumber++;
            var line = raw.Trim();
            if (line == begin)
            {
                if (open) throw problem($"\"{id}\", line {lineNumber}: {begin} inside another {begin}");
                open = true;
            }
            else if (line == end)
            {
                if (!open) throw problem($"\"{id}\", line {lineNumber}: {end} without {begin} before it");
                open = false;
                pairs++;
            }
            else if (line.Contains(begin) || line.Contains(end))
                throw problem($"\"{id}\", line {lineNumber}: a marker must stand alone on its line");
        }
        if (open) throw problem($"\"{id}\": {begin} is never closed by {end}");
        if (required && pairs == 0) throw problem($"answer cell \"{id}\" has no {begin} … {end} region (nor the student stub a release leaves)");
    }

    /// <summary>The release's stub: a line <c>// YOUR CODE HERE</c> directly followed by a <c>throw new NotImplementedException(…)</c> line.</summary>
    public static bool HasStub(string source)
    {
        var lines = source.Split('\n');
        for (int i = 0; i + 1 < lines.Length; i++)
            if (lines[i].Trim() == YourCodeHere && lines[i + 1].TrimStart().StartsWith(StubThrow, StringComparison.Ordinal)) return true;
        return false;
    }

    static bool Flag(JsonObject meta, string name) => meta[name] is JsonValue v && v.TryGetValue<bool>(out bool b) && b;

    static int? Integer(JsonObject meta, string name) => meta[name] is JsonValue v && v.TryGetValue<int>(out int n) ? n : null;

    static double? Number(JsonObject meta, string name) => meta[name] is JsonValue v && v.TryGetValue<double>(out double d) ? d : null;
}

/// <summary>A notebook's grading markup is wrong; the message names the file, the cell (1-based) and the problem.</summary>
public sealed class GradingMarkupException(string path, int cellIndex, string problem)
    : Exception($"{path}, cell {cellIndex + 1}: {problem}")
{
    /// <summary>The notebook.</summary>
    public string NotebookPath { get; } = path;

    /// <summary>The cell's position (0-based).</summary>
    public int CellIndex { get; } = cellIndex;
}
