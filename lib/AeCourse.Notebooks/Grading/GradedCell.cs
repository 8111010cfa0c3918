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
    /// <exception cref="GradingMarkupException">Markup that nbgrader would reject or that cannot be graded — among them a
    /// marker in a cell of another kind, a region split across cells, a misspelled marker (see <see cref="MarkerLine"/>):
    /// the message names the notebook, the cell and the problem.</exception>
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
        GradingMarkupException Problem(string what) => new(notebook.Path, index, what);
        var (role, id, points) = ReadMetadata(cell, Problem);
        CheckMarkers(cell, role, id, Problem);
        return new(index, role, id, points);
    }

    /// <summary>The cell's role, grade_id and points from its nbgrader metadata; plain without it.</summary>
    static (CellRole Role, string? Id, double Points) ReadMetadata(NotebookCell cell, Func<string, Exception> problem)
    {
        if (cell.Node["metadata"]?["nbgrader"] is not JsonObject meta) return (CellRole.Plain, null, 0);

        int version = Integer(meta, "schema_version") ?? throw problem("nbgrader metadata has no schema_version (expected 3)");
        if (version != SchemaVersion) throw problem($"nbgrader schema_version {version} is not supported (expected 3)");
        bool solution = Flag(meta, "solution"), grade = Flag(meta, "grade"), locked = Flag(meta, "locked");
        string id = meta["grade_id"] is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0
            ? s : throw problem("nbgrader metadata has no grade_id");
        if (!cell.IsCode && (solution || grade))
            throw problem($"\"{id}\" is a {cell.CellType} cell; only code cells can be answers or tests here");

        if (solution && grade) throw problem($"\"{id}\" is marked both solution and grade; put the answer and its check in two cells");
        if (solution) return (CellRole.Answer, id, 0);
        if (grade)
        {
            double points = Number(meta, "points") ?? throw problem($"test cell \"{id}\" has no points");
            if (!(points > 0)) throw problem($"test cell \"{id}\" has {points} points; give it a positive number");
            return (CellRole.Test, id, points);
        }
        return (locked ? CellRole.Locked : CellRole.Plain, id, 0);
    }

    /// <summary>
    /// Every line of any cell that is, or reads as, a marker (see <see cref="MarkerLine"/>): solution markers stand
    /// only in answer cells and hidden-test markers only in test cells, as nbgrader requires; each is spelled exactly
    /// and alone on its line; they pair begin before end within the cell, not nested. An answer cell needs a region,
    /// or the stub a release leaves.
    /// </summary>
    static void CheckMarkers(NotebookCell cell, CellRole role, string? id, Func<string, Exception> problem)
    {
        var (begin, end) = role switch
        {
            CellRole.Answer => (BeginSolution, EndSolution),
            CellRole.Test => (BeginHiddenTests, EndHiddenTests),
            _ => ((string?)null, (string?)null),
        };
        bool open = false;
        int pairs = 0;
        foreach (var (lineNumber, found) in MarkerLine.All(cell.Source))
        {
            // Outside its own kind of cell a marker would be copied to the students as it is: refuse it first, so
            // the message says where it belongs, whatever its spelling.
            if (found.Marker != begin && found.Marker != end)
                throw problem($"line {lineNumber}: {Misplaced(found, Describe(cell, role, id))}");
            if (!found.Exact)
                throw problem($"\"{id}\", line {lineNumber}: a marker must stand alone on its line, spelled exactly {found.Marker}; found \"{found.Text}\"");
            if (found.IsBegin)
            {
                if (open) throw problem($"\"{id}\", line {lineNumber}: {begin} inside another {begin}");
                open = true;
            }
            else
            {
                if (!open) throw problem($"\"{id}\", line {lineNumber}: {end} without {begin} before it in this cell");
                open = false;
                pairs++;
            }
        }
        // A region that ends in a later cell is refused here too: the release works cell by cell.
        if (open) throw problem($"\"{id}\": {begin} is never closed by {end} in this cell; a region begins and ends in the same cell");
        // A released answer cell holds the stub instead of a region: reading it again (releasing a release, or
        // reading a student's copy) must work, while a source that forgot its markers is still an error.
        if (role == CellRole.Answer && pairs == 0 && !HasStub(cell.Source))
            throw problem($"answer cell \"{id}\" has no {BeginSolution} … {EndSolution} region (nor the student stub a release leaves)");
    }

    /// <summary>Why a marker cannot stand in a cell of another kind, and where it belongs.</summary>
    static string Misplaced(MarkerLine found, string cell) => found.IsSolution
        ? $"a solution marker (\"{found.Text}\") in {cell}; solution regions belong in answer cells only (nbgrader \"solution\": true)"
        : $"a hidden-test marker (\"{found.Text}\") in {cell}; hidden tests belong in test cells only (nbgrader \"grade\": true, with points)";

    /// <summary>The cell as a message names it: its role, kind and grade_id.</summary>
    static string Describe(NotebookCell cell, CellRole role, string? id) => role switch
    {
        CellRole.Answer => $"answer cell \"{id}\"",
        CellRole.Test => $"test cell \"{id}\"",
        CellRole.Locked => $"locked {cell.CellType} cell \"{id}\"",
        _ when id is not null => $"{cell.CellType} cell \"{id}\", neither answer nor test",
        _ => $"a plain {cell.CellType} cell (no nbgrader metadata)",
    };

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
