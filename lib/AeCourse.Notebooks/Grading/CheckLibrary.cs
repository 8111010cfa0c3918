namespace AeCourse.Notebooks.Grading;

/// <summary>
/// The check library that test cells call, as the program hosting the grader names it: the grader qualifies its names
/// in the instructor's cells (so a student's own <c>Check</c> cannot stand in for it) and reports a failed check by its
/// own sentence. The engine knows no library of its own; the kit passes its <c>AeCourse.Grading</c>.
/// </summary>
/// <param name="Package">The NuGet package whose <c>#r "nuget: …"</c> brings the checks into a notebook.</param>
/// <param name="Types">The check types test cells name unqualified, by their full names (e.g. AeCourse.Grading.Check).</param>
/// <param name="FailureException">Full name of the exception a failed check throws.</param>
public sealed record CheckLibrary(string Package, IReadOnlyList<string> Types, string FailureException)
{
    /// <summary>No check library: test cells' names are left as written and failures reported by exception type.</summary>
    public static CheckLibrary None { get; } = new("", [], "");

    /// <summary>Simple name → the global:: name every instructor cell must resolve it to.</summary>
    public IReadOnlyDictionary<string, string> QualifiedNames { get; } =
        Types.ToDictionary(t => t[(t.LastIndexOf('.') + 1)..], t => "global::" + t, StringComparer.Ordinal);
}
