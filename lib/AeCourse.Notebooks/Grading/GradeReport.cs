using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AeCourse.Notebooks.Grading;

/// <summary>The score of one test cell.</summary>
/// <param name="GradeId">The test cell's grade_id.</param>
/// <param name="Cell">Its position in the graded notebook (1-based).</param>
/// <param name="Earned">Points earned: all of them when the cell ran without error, else 0.</param>
/// <param name="Possible">The cell's points.</param>
/// <param name="Passed">Whether it ran without error.</param>
/// <param name="Message">Why it failed (the first line of the error, or what stopped it); null when it passed.</param>
public sealed record TestScore(string GradeId, int Cell, double Earned, double Possible, bool Passed, string? Message);

/// <summary>The grading of one submission.</summary>
/// <param name="Submission">The student's notebook.</param>
/// <param name="Source">The instructor's notebook it was graded against.</param>
/// <param name="Tests">Each test cell, in notebook order.</param>
/// <param name="Earned">Total points earned.</param>
/// <param name="Possible">Total points possible.</param>
/// <param name="ElapsedSeconds">Wall time of the grading, worker start-ups and restarts included.</param>
/// <param name="Notes">What happened besides the scores: restarts, missing answers, ignored channel messages.</param>
/// <param name="Error">Set when the submission could not be graded at all (folder mode: not a notebook); then every test has 0.</param>
public sealed record GradeReport(string Submission, string Source, IReadOnlyList<TestScore> Tests, double Earned, double Possible,
                                 double ElapsedSeconds, IReadOnlyList<string> Notes, string? Error = null)
{
    /// <summary>The JSON form's settings: camelCase names, indented, nulls written.</summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The report as JSON (see the field list in the documentation).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>
    /// The text form: a line per test cell (<c>grade-id  earned/possible  message</c>), then the notes, then
    /// <c>total  earned/possible</c>.
    /// </summary>
    public string ToText()
    {
        var text = new StringBuilder();
        int width = Tests.Count == 0 ? 0 : Tests.Max(t => t.GradeId.Length);
        if (Error is not null) text.Append("error  ").Append(Error).Append('\n');
        foreach (var t in Tests)
        {
            text.Append(t.GradeId.PadRight(width)).Append("  ").Append(Points(t.Earned)).Append('/').Append(Points(t.Possible));
            if (t.Message is not null) text.Append("  ").Append(t.Message);
            text.Append('\n');
        }
        foreach (var note in Notes) text.Append("note: ").Append(note).Append('\n');
        text.Append("total".PadRight(width)).Append("  ").Append(Points(Earned)).Append('/').Append(Points(Possible)).Append('\n');
        return text.ToString();
    }

    /// <summary>Points as written in reports: invariant, no trailing zeros (1, 0.5).</summary>
    public static string Points(double points) => points.ToString("0.###", CultureInfo.InvariantCulture);
}
