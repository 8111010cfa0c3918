using System.Text.RegularExpressions;

namespace AeCourse.Notebooks.Grading;

/// <summary>
/// A line of a cell that is one of the four grading markers, or reads as one: what <see cref="GradedCell.ReadAll"/>
/// places and pairs, and what must never reach a student copy.
/// </summary>
/// <param name="Marker">The marker the line is or stands for: one of <see cref="GradedCell.BeginSolution"/>,
/// <see cref="GradedCell.EndSolution"/>, <see cref="GradedCell.BeginHiddenTests"/>, <see cref="GradedCell.EndHiddenTests"/>.</param>
/// <param name="Exact">The line, without its indentation and line end, is the marker itself; otherwise it only
/// mentions it (text around it, or another spelling).</param>
/// <param name="Text">The line without its indentation and line end, for messages.</param>
internal sealed record MarkerLine(string Marker, bool Exact, string Text)
{
    /// <summary>
    /// nbgrader's own delimiters. nbgrader treats every line that contains one, anywhere and whatever the comment
    /// leader, as a marker; the kit reads only the exact C# spelling, so any other line holding one is refused.
    /// </summary>
    static readonly (string Phrase, string Marker)[] Delimiters =
    [
        ("BEGIN SOLUTION", GradedCell.BeginSolution),
        ("END SOLUTION", GradedCell.EndSolution),
        ("BEGIN HIDDEN TESTS", GradedCell.BeginHiddenTests),
        ("END HIDDEN TESTS", GradedCell.EndHiddenTests),
    ];

    /// <summary>
    /// Near misses nbgrader would not see but an instructor likely meant as markers: a comment (<c>//</c>,
    /// <c>/*</c>, <c>*</c> or <c>#</c>) that starts with begin or end and solution or hidden test(s), in any case,
    /// with any spaces, underscores or hyphens between the words (<c>//BEGIN SOLUTION</c>,
    /// <c>// begin hidden tests</c>, <c>// END  SOLUTION</c>, <c>// BEGIN_HIDDEN_TEST</c>). Left alone they would carry
    /// a solution or hidden test into the students' copy. The comment leader is required so that code such as a call
    /// to <c>BeginSolution()</c> is not taken for one.
    /// </summary>
    static readonly Regex NearMiss = new(@"^(?://+|/\*+|\*+|#+)\s*(begin|end)[\s_-]*(solution|hidden[\s_-]*tests?)",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    /// <summary>Whether it is a solution marker (otherwise a hidden-test marker).</summary>
    public bool IsSolution => Marker is GradedCell.BeginSolution or GradedCell.EndSolution;

    /// <summary>Whether it begins a region (otherwise it ends one).</summary>
    public bool IsBegin => Marker is GradedCell.BeginSolution or GradedCell.BeginHiddenTests;

    /// <summary>The marker <paramref name="line"/> is or reads as, or null for an ordinary line.</summary>
    public static MarkerLine? Find(string line)
    {
        // Trim also takes the '\r' of a line written on Windows.
        var text = line.Trim();
        foreach (var (phrase, marker) in Delimiters)
            if (text.Contains(phrase, StringComparison.Ordinal)) return new(marker, text == marker, text);
        var near = NearMiss.Match(text);
        if (!near.Success) return null;
        bool begin = near.Groups[1].Value.Equals("begin", StringComparison.OrdinalIgnoreCase);
        bool solution = near.Groups[2].Value.StartsWith('s') || near.Groups[2].Value.StartsWith('S');
        var meant = solution ? (begin ? GradedCell.BeginSolution : GradedCell.EndSolution)
                             : (begin ? GradedCell.BeginHiddenTests : GradedCell.EndHiddenTests);
        return new(meant, false, text);
    }

    /// <summary>Every marker line of <paramref name="source"/>, with its line number (1-based).</summary>
    public static IEnumerable<(int Line, MarkerLine Marker)> All(string source)
    {
        var lines = source.Split('\n');
        for (int i = 0; i < lines.Length; i++)
            if (Find(lines[i]) is { } marker) yield return (i + 1, marker);
    }
}
