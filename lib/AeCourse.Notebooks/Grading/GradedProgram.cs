using System.Text.Json.Nodes;
using AeCourse.Notebooks.Execution;
using AeCourse.Notebooks.Format;

namespace AeCourse.Notebooks.Grading;

/// <summary>One code cell of the graded program.</summary>
/// <param name="Index">Position in the graded notebook (0-based); messages say <c>cell Index+1</c>.</param>
/// <param name="Role">Its role in the source.</param>
/// <param name="GradeId">Its grade_id, or null.</param>
/// <param name="Points">Points of a test cell.</param>
/// <param name="Code">What the worker runs (after the name guard); null for an answer missing from the submission.</param>
/// <param name="Answer">For a test cell: the grade_id of the nearest answer cell above it, or null.</param>
internal sealed record ProgramCell(int Index, CellRole Role, string? GradeId, double Points, string? Code, string? Answer);

/// <summary>
/// The program a submission is graded with: the source notebook's cells in order, each answer cell replaced by the
/// submission's cell of the same grade_id. Tests, locked and plain cells always come from the source, so hidden tests
/// run and a student who edited a check changes nothing; the submission's other cells are not run. An answer that writes
/// a variable of the instructor's (<see cref="NameGuard.Objection"/>) is not run as written: its cell fails with the reason.
/// </summary>
internal sealed class GradedProgram
{
    GradedProgram(Notebook notebook, IReadOnlyList<ProgramCell> cells, IReadOnlySet<string> missing, IReadOnlyDictionary<string, string> refused)
    {
        Notebook = notebook;
        Cells = cells;
        MissingAnswers = missing;
        RefusedAnswers = refused;
    }

    /// <summary>The graded notebook (source layout, the student's answers in place, parameters injected), without outputs.</summary>
    public Notebook Notebook { get; }

    /// <summary>The code cells, in order.</summary>
    public IReadOnlyList<ProgramCell> Cells { get; }

    /// <summary>grade_ids of answer cells the submission does not have.</summary>
    public IReadOnlySet<string> MissingAnswers { get; }

    /// <summary>
    /// Answers not run as written, by grade_id, with the reason their cell fails with: they write a variable the
    /// instructor's cells use.
    /// </summary>
    public IReadOnlyDictionary<string, string> RefusedAnswers { get; }

    /// <summary>Assembles the program.</summary>
    /// <exception cref="GradingMarkupException">The source's markup is wrong.</exception>
    /// <exception cref="NotebookCellException">A parameter is not declared or has the wrong type.</exception>
    public static GradedProgram Assemble(Notebook source, Notebook submission, IReadOnlyDictionary<string, string> parameters, CheckLibrary checks)
    {
        GradedCell.ReadAll(source);   // errors name the source's own cell numbers, before parameters shift them
        var graded = source.Clone();
        graded.Path = source.Path;
        Parameters.Inject(graded, parameters);
        var markup = GradedCell.ReadAll(graded);
        var answers = Answers(submission, markup.Where(m => m.Role == CellRole.Answer).Select(m => m.GradeId!).ToHashSet());

        // Names the instructor's cells declare or refer to; a student who declares one again gets it renamed in the
        // student's cells, so the instructor's cells still see their own, and an answer that writes one is refused.
        // Names the answers are meant to define are not protected, nor those the source's own solutions assign.
        var instructor = markup.Where(m => m.Role != CellRole.Answer && graded.Cells[m.Index].IsCode).Select(m => graded.Cells[m.Index].Source).ToList();
        var solutions = markup.Where(m => m.Role == CellRole.Answer).Select(m => graded.Cells[m.Index].Source).ToList();
        var protectedNames = instructor.SelectMany(c => NameGuard.TopLevelDeclarations(c).Concat(NameGuard.References(c))).ToHashSet(StringComparer.Ordinal);
        protectedNames.ExceptWith(solutions.SelectMany(NameGuard.TopLevelDeclarations));
        protectedNames.ExceptWith(solutions.SelectMany(s => NameGuard.Writes(s, protectedNames)).Select(w => w.Name).ToList());
        // An answer whose solution loads a script with #load may load one too; others may not (see NameGuard.Objection).
        var loading = markup.Where(m => m.Role == CellRole.Answer && NameGuard.Loads(graded.Cells[m.Index].Source)).Select(m => m.GradeId!).ToHashSet(StringComparer.Ordinal);
        bool sourceDefinesChecks = instructor.SelectMany(NameGuard.TopLevelDeclarations).Any(checks.QualifiedNames.ContainsKey);

        var cells = new List<ProgramCell>();
        var missing = new HashSet<string>(StringComparer.Ordinal);
        var renamed = new HashSet<string>(StringComparer.Ordinal);
        var refused = new Dictionary<string, string>(StringComparer.Ordinal);
        bool checksReferenced = false;
        string? lastAnswer = null;
        foreach (var m in markup)
        {
            var cell = graded.Cells[m.Index];
            if (!cell.IsCode) continue;
            cell.Outputs.Clear();
            cell.ExecutionCount = null;
            if (m.Role == CellRole.Answer)
            {
                lastAnswer = m.GradeId;
                if (!answers.TryGetValue(m.GradeId!, out var answer))
                {
                    missing.Add(m.GradeId!);
                    cell.Source = $"// answer cell {m.GradeId} is missing from the submission";
                    cells.Add(new ProgramCell(m.Index, m.Role, m.GradeId, 0, null, null));
                    continue;
                }
                cell.Source = answer;
                renamed.UnionWith(NameGuard.TopLevelDeclarations(answer).Where(protectedNames.Contains));
                var guarded = NameGuard.Rename(answer, renamed);
                // After renaming, a protected name still written is the instructor's variable, not one the student declared.
                if (NameGuard.Objection(m.GradeId!, guarded, protectedNames, loading.Contains(m.GradeId!)) is { } objection)
                {
                    refused[m.GradeId!] = objection;
                    guarded = NameGuard.RefusedCode(objection);
                }
                cells.Add(new ProgramCell(m.Index, m.Role, m.GradeId, 0, guarded, null));
                continue;
            }
            var code = cell.Source;
            checksReferenced |= References(code, m.Index + 1, checks.Package);
            if (checksReferenced && !sourceDefinesChecks) code = NameGuard.QualifyChecks(code, checks);
            cells.Add(new ProgramCell(m.Index, m.Role, m.GradeId, m.Points, code, m.Role == CellRole.Test ? lastAnswer : null));
        }
        return new GradedProgram(graded, cells, missing, refused);
    }

    /// <summary>
    /// The submission's answers by grade_id: every code cell whose nbgrader grade_id is an answer of the source, whole
    /// (code written above the solution markers counts). Read leniently: a student who deleted a marker is still graded.
    /// </summary>
    static Dictionary<string, string> Answers(Notebook submission, IReadOnlySet<string> answerIds)
    {
        var answers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var cell in submission.Cells)
            if (cell.IsCode && cell.Node["metadata"]?["nbgrader"]?["grade_id"] is JsonValue v && v.TryGetValue<string>(out var id)
                && answerIds.Contains(id) && !answers.ContainsKey(id))
                answers[id] = cell.Source;
        return answers;
    }

    static bool References(string code, int number, string package)
    {
        if (package.Length == 0) return false;
        try { return CellSource.Parse(code, number).Packages.Any(p => p.Name.Equals(package, StringComparison.OrdinalIgnoreCase)); }
        catch (NotebookCellException) { return false; }
    }
}
