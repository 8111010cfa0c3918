namespace AeCourse.Notebooks.Assistance;

/// <summary>
/// The answer to a Jupyter <c>complete_request</c>. Positions are in Unicode code points, as the protocol counts them.
/// </summary>
/// <param name="Matches">Texts that can replace the cell's text from <paramref name="CursorStart"/> to <paramref name="CursorEnd"/>, best first.</param>
/// <param name="CursorStart">Where the replaced text starts: the first character of the word being completed.</param>
/// <param name="CursorEnd">Where it ends: the end of that word, which is the cursor when the cursor ends the word.</param>
/// <param name="Items">The matches again with what each is, for the reply's <c>_jupyter_types_experimental</c> metadata.</param>
public sealed record CompletionResult(IReadOnlyList<string> Matches, int CursorStart, int CursorEnd, IReadOnlyList<CompletionItemInfo> Items)
{
    /// <summary>Nothing to offer at <paramref name="cursor"/> (a code-point position).</summary>
    public static CompletionResult Empty(int cursor) => new([], cursor, cursor, []);
}

/// <summary>One match with its kind, as Jupyter's <c>_jupyter_types_experimental</c> lists them.</summary>
/// <param name="Text">The text to insert.</param>
/// <param name="Type">What it names: method, property, field, event, class, struct, interface, enum, keyword, local, namespace, ….</param>
/// <param name="Start">Code-point position the replaced text starts at.</param>
/// <param name="End">Code-point position it ends at.</param>
public sealed record CompletionItemInfo(string Text, string Type, int Start, int End);

/// <summary>The answer to a Jupyter <c>inspect_request</c> that found something.</summary>
/// <param name="PlainText">For <c>text/plain</c>: the signature, then the summary of its documentation where there is one.</param>
/// <param name="Markdown">For <c>text/markdown</c>: the signature as a C# code block, then the documentation.</param>
public sealed record InspectionResult(string PlainText, string Markdown);

/// <summary>The answer to a Jupyter <c>is_complete_request</c>.</summary>
/// <param name="Status"><c>complete</c>, <c>incomplete</c> or <c>invalid</c>.</param>
/// <param name="Indent">What to start the next line with when <paramref name="Status"/> is <c>incomplete</c>; empty otherwise.</param>
public sealed record CompletenessResult(string Status, string Indent)
{
    /// <summary>The cell can run as it is.</summary>
    public static readonly CompletenessResult Complete = new("complete", "");

    /// <summary>No text typed after it can make the cell compile: running it shows the error at once.</summary>
    public static readonly CompletenessResult Invalid = new("invalid", "");

    /// <summary>The cell goes on on the next line, which starts with <paramref name="indent"/>.</summary>
    public static CompletenessResult Incomplete(string indent) => new("incomplete", indent);
}
