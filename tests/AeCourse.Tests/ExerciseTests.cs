using System.Text.RegularExpressions;
using AeCourse.Notebooks.Format;
using AeCourse.Notebooks.Grading;
using AeCourse.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace AeCourse.Tests;

/// <summary>
/// The course's exercises, read from the instructor sources: a hint points the way and never holds the answer, no
/// exercise repeats another, and every lecture has a graded experiment besides its warm-ups. "Holds the answer" is
/// measured on C# tokens (Roslyn's lexer): a run of <see cref="AnswerRun"/> or more consecutive tokens of the solution
/// that also appears in the stub's hint or in the code spans of the exercise's text, and that carries code — a literal,
/// an operator, a comma or an argument. A bare API name (<c>torch.nn.functional.logsigmoid</c>, <c>.item&lt;long&gt;()</c>)
/// points the way and is allowed; <c>y.eq(c).sum()</c> or <c>exp(logVar / 2)</c> is the answer and is not.
/// </summary>
public sealed class ExerciseTests
{
    /// <summary>Five tokens: <c>exp(logVar / 2)</c> is six, <c>x.flatten(1)</c> six, <c>a + b</c> three.</summary>
    const int AnswerRun = 5;

    sealed record Exercise(string Lecture, int Cell, string GradeId, string Method, IReadOnlyList<SyntaxToken> Solution,
        IReadOnlyList<string> Hints, string Text)
    {
        public override string ToString() => $"{Lecture}, {GradeId} (cell {Cell})";
    }

    static readonly Regex CodeSpan = new("`([^`]+)`");

    static IReadOnlyList<Exercise> Read(string lecture)
    {
        var notebook = Notebook.Read(Path.Combine(TestPaths.Repo, "source", lecture));
        var exercises = new List<Exercise>();
        foreach (var answer in GradedCell.ReadAll(notebook).Where(m => m.Role == CellRole.Answer))
        {
            var lines = notebook.Cells[answer.Index].Source.Split('\n').Select(l => l.Trim()).ToList();
            int begin = lines.IndexOf(GradedCell.BeginSolution), end = lines.IndexOf(GradedCell.EndSolution);
            var region = lines.Skip(begin + 1).Take(end - begin - 1).ToList();
            var hints = region.Where(l => l.StartsWith(StudentRelease.HintPrefix, StringComparison.Ordinal))
                .Select(l => l[StudentRelease.HintPrefix.Length..].Trim()).ToList();
            var code = string.Join('\n', region.Where(l => !l.StartsWith("//", StringComparison.Ordinal)));
            // The exercise's text: the markdown cells above the answer, back to the previous code cell.
            int first = answer.Index;
            while (first > 0 && !notebook.Cells[first - 1].IsCode) first--;
            var text = string.Join('\n', notebook.Cells.Skip(first).Take(answer.Index - first).Select(c => c.Source));
            var name = Regex.Match(lines[0], @"(\w+)\s*\(").Groups[1].Value;   // the method the exercise declares
            exercises.Add(new Exercise(lecture, answer.Index, answer.GradeId!, name, Tokens(code), hints, text));
        }
        return exercises;
    }

    static List<SyntaxToken> Tokens(string text) =>
        SyntaxFactory.ParseTokens(text).Where(t => !t.IsKind(SyntaxKind.EndOfFileToken)).ToList();

    /// <summary>
    /// The tokens of a hint or text, less each call of the exercise's own method: naming what to write
    /// (<c>NegativeElbo(logits, x, mu, logVar)</c>) is the question, not its answer.
    /// </summary>
    static List<SyntaxToken> ShownTokens(string text, string method)
    {
        var tokens = Tokens(text);
        var shown = new List<SyntaxToken>();
        for (int i = 0; i < tokens.Count; i++)
        {
            if (tokens[i].Text == method && i + 1 < tokens.Count && tokens[i + 1].IsKind(SyntaxKind.OpenParenToken))
            {
                int depth = 0, j = i + 1;
                for (; j < tokens.Count; j++)
                {
                    if (tokens[j].IsKind(SyntaxKind.OpenParenToken)) depth++;
                    else if (tokens[j].IsKind(SyntaxKind.CloseParenToken) && --depth == 0) break;
                }
                i = j;
                continue;
            }
            shown.Add(tokens[i]);
        }
        return shown;
    }

    /// <summary>Whether a run of tokens is code rather than a name: it has a literal, an operator, a comma or an argument.</summary>
    static bool CarriesCode(IReadOnlyList<SyntaxToken> run) => run.Select((t, i) =>
        t.IsKind(SyntaxKind.NumericLiteralToken) || t.IsKind(SyntaxKind.StringLiteralToken) || t.IsKind(SyntaxKind.CharacterLiteralToken)
        || t.IsKind(SyntaxKind.CommaToken) || t.IsKind(SyntaxKind.PlusToken) || t.IsKind(SyntaxKind.MinusToken)
        || t.IsKind(SyntaxKind.AsteriskToken) || t.IsKind(SyntaxKind.SlashToken) || t.IsKind(SyntaxKind.PercentToken)
        || t.IsKind(SyntaxKind.EqualsToken) || t.IsKind(SyntaxKind.EqualsGreaterThanToken) || t.IsKind(SyntaxKind.EqualsEqualsToken)
        || t.IsKind(SyntaxKind.OpenBracketToken)
        || (t.IsKind(SyntaxKind.OpenParenToken) && i + 1 < run.Count && !run[i + 1].IsKind(SyntaxKind.CloseParenToken)))
        .Any(b => b);

    /// <summary>The longest run of consecutive tokens that <paramref name="a"/> and <paramref name="b"/> share (by text).</summary>
    static List<SyntaxToken> LongestCommonRun(IReadOnlyList<SyntaxToken> a, IReadOnlyList<SyntaxToken> b, Func<IReadOnlyList<SyntaxToken>, bool> counts)
    {
        var best = new List<SyntaxToken>();
        var run = new int[b.Count + 1];
        for (int i = 1; i <= a.Count; i++)
        {
            var next = new int[b.Count + 1];
            for (int j = 1; j <= b.Count; j++)
            {
                if (a[i - 1].Text != b[j - 1].Text) continue;
                next[j] = run[j - 1] + 1;
                if (next[j] > best.Count)
                {
                    var candidate = a.Skip(i - next[j]).Take(next[j]).ToList();
                    if (counts(candidate)) best = candidate;
                }
            }
            run = next;
        }
        return best;
    }

    static string Show(IEnumerable<SyntaxToken> run) => string.Join(" ", run.Select(t => t.Text));

    public static TheoryData<string> Lectures() => new(LectureTests.Lectures);

    [Theory]
    [MemberData(nameof(Lectures))]
    public void Given_a_lectures_exercises_When_their_hints_and_texts_are_read_Then_none_holds_its_solutions_code(string lecture)
    {
        var problems = new List<string>();
        foreach (var exercise in Read(lecture))
        {
            var shown = exercise.Hints.Select(h => ("the hint", h))
                .Concat(CodeSpan.Matches(exercise.Text).Select(m => ("the exercise's text", m.Groups[1].Value)));
            foreach (var (where, text) in shown)
            {
                var run = LongestCommonRun(exercise.Solution, ShownTokens(text, exercise.Method), CarriesCode);
                if (run.Count >= AnswerRun)
                    problems.Add($"{exercise}: {where} gives the solution's code `{Show(run)}` — point the way instead: {text}");
            }
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void Given_every_exercise_of_the_course_When_compared_Then_no_solution_repeats_another()
    {
        // A repeat: two solutions sharing a run of ten or more tokens that is half the shorter one or more (the transposed-convolution
        // size formula asked twice, the Gaussian KL written twice). Long experiments share set-up lines (a Trainer,
        // an optimizer) without being repeats, hence the share rather than a fixed length.
        var all = LectureTests.Lectures.SelectMany(Read).ToList();
        var problems = new List<string>();
        for (int i = 0; i < all.Count; i++)
            for (int j = i + 1; j < all.Count; j++)
            {
                var run = LongestCommonRun(all[i].Solution, all[j].Solution, CarriesCode);
                int shorter = Math.Min(all[i].Solution.Count, all[j].Solution.Count);
                if (run.Count >= 10 && run.Count >= 0.5 * shorter)
                    problems.Add($"{all[i]} and {all[j]} share `{Show(run)}` ({run.Count} of {shorter} tokens)");
            }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.Equal(all.Count, all.Select(e => e.GradeId).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(Lectures))]
    public void Given_a_lecture_When_read_Then_it_has_a_graded_experiment_besides_its_warm_ups(string lecture)
    {
        // An experiment is headed "### Experiment K — title (P points)" in the text of its answer cell; warm-ups are
        // "### Exercise K — …". What an experiment asks (build, train, meet a measured bar) is held by each lecture's test.
        // An answer cell without a heading of its own is a further part of the exercise above it (write, then train).
        var exercises = Read(lecture);
        var found = exercises.Select(e => Regex.Match(e.Text, @"^### (Exercise|Experiment) (\d+) — .+\((\d+) points?\)", RegexOptions.Multiline)).ToList();
        Assert.True(found[0].Success, $"{exercises[0]}: its text should start \"### Exercise K — title (P points)\" or \"### Experiment K — …\"");
        var headings = found.Where(h => h.Success).ToList();
        Assert.Contains(headings, h => h.Groups[1].Value == "Experiment");
        foreach (var kind in new[] { "Exercise", "Experiment" })
        {
            var numbers = headings.Where(h => h.Groups[1].Value == kind).Select(h => int.Parse(h.Groups[2].Value)).ToList();
            Assert.True(numbers.SequenceEqual(Enumerable.Range(1, numbers.Count)), $"{lecture}: the {kind.ToLowerInvariant()}s are numbered {string.Join(", ", numbers)}");
        }
    }
}
