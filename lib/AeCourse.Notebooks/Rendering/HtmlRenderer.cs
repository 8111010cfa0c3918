using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AeCourse.Notebooks.IO;
using AeCourse.Notebooks.Format;
using Markdig;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace AeCourse.Notebooks.Rendering;

/// <summary>
/// Turns an nbformat 4 notebook into one standalone HTML page for lecture walkthroughs. The page works offline and
/// makes no network request: markdown is rendered here (Markdig), C# is highlighted here (Roslyn's tokenizer, no
/// JavaScript), images are inline data URIs, and plotly.js is inlined from Plotly.NET when a chart needs it. A
/// Content-Security-Policy in the page makes the browser refuse anything that would still reach for the network.
/// </summary>
public static partial class HtmlRenderer
{
    const string PlotlyResource = "Plotly.NET.plotly-2.28.0.min.js";
    const string PlotlyLicenceResource = PlotlyResource + ".LICENSE.txt";

    // Only inline resources may load: the policy keeps the page offline (it is no sandbox for the notebook's own HTML).
    // 'unsafe-inline' because every script and style is inline; 'unsafe-eval' because plotly.js's WebGL traces compile
    // functions at run time; data: and blob: for images (ours, and Plotly's snapshots).
    const string ContentSecurityPolicy =
        "default-src 'none'; img-src data: blob:; media-src data:; font-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline' 'unsafe-eval'";

    static readonly MarkdownPipeline MarkdownPipeline = new MarkdownPipelineBuilder().UseAdvancedExtensions().Build();

    // Read once: plotly.js is 3.6 MB, and a lecture build renders several notebooks.
    static readonly Lazy<string> PlotlyScript = new(() => EscapeForScriptElement(ReadPlotlyResource(PlotlyResource)));
    static readonly Lazy<string> PlotlyLicence = new(() => ReadPlotlyResource(PlotlyLicenceResource));

    /// <summary>The notebook as one standalone HTML page.</summary>
    /// <param name="notebook">The notebook, usually an executed one (its outputs are shown as stored).</param>
    /// <param name="title">The page title; by default the first level-1 markdown heading, else the file name.</param>
    public static string Render(Notebook notebook, string? title = null)
    {
        var page = new Page(notebook);
        foreach (var cell in notebook.Cells) page.AddCell(cell);
        return page.ToHtml(title);
    }

    /// <summary>Writes the page of <paramref name="notebook"/> to <paramref name="htmlPath"/> atomically.</summary>
    public static void Write(Notebook notebook, string htmlPath) => AtomicFile.WriteAllText(htmlPath, Render(notebook));

    /// <summary>The page being built: the body so far, the first heading seen, and whether a chart needs plotly.js.</summary>
    sealed class Page(Notebook notebook)
    {
        readonly StringBuilder _body = new();
        string? _firstHeading;
        bool _needsPlotly;

        public void AddCell(NotebookCell cell)
        {
            switch (cell.CellType)
            {
                case "markdown": AddMarkdown(cell); break;
                case "code": AddCode(cell); break;
                default: _body.Append("<section class=\"cell raw\"><pre>").Append(Escape(cell.Source)).Append("</pre></section>\n"); break;
            }
        }

        void AddMarkdown(NotebookCell cell)
        {
            var document = Markdown.Parse(cell.Source, MarkdownPipeline);
            _firstHeading ??= FirstLevelOneHeading(document);
            InlineImages(document, cell, notebook.Path);
            _body.Append("<section class=\"cell markdown\">\n").Append(Markdown.ToHtml(document, MarkdownPipeline)).Append("</section>\n");
        }

        void AddCode(NotebookCell cell)
        {
            var csharp = IsCSharp(notebook, cell);
            _body.Append("<section class=\"cell code\">\n")
                .Append("<div class=\"prompt\">In [").Append(Count(cell.ExecutionCount)).Append("]:</div>\n")
                .Append(csharp ? "<pre class=\"source\"><code class=\"language-csharp\">" : "<pre class=\"source\"><code>")
                .Append(csharp ? HighlightCSharp(cell.Source) : Escape(cell.Source)).Append("</code></pre>\n");
            // Read, not cell.Outputs: that getter adds a missing "outputs", and rendering must not change the notebook.
            if (cell.Node["outputs"] is JsonArray { Count: > 0 } outputs)
            {
                _body.Append("<div class=\"outputs\">\n");
                foreach (var output in outputs.OfType<JsonObject>()) AddOutput(output);
                _body.Append("</div>\n");
            }
            _body.Append("</section>\n");
        }

        void AddOutput(JsonObject output)
        {
            var html = Output(output);
            _needsPlotly |= DrawsPlotlyChart(output, html);
            _body.Append(html);
        }

        public string ToHtml(string? title)
        {
            var head = new StringBuilder()
                .Append("<meta charset=\"utf-8\">\n")
                .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"").Append(ContentSecurityPolicy).Append("\">\n")
                .Append("<title>").Append(Escape(title ?? _firstHeading ?? Path.GetFileNameWithoutExtension(notebook.Path))).Append("</title>\n")
                .Append("<style>\n").Append(Stylesheet).Append("</style>\n");
            // In <head>, before any output: the charts' own scripts find window.Plotly and never load it from a CDN.
            if (_needsPlotly)
                head.Append("<!--\nplotly.js 2.28.0 (MIT licence, Copyright 2012-2024 Plotly, Inc.), inlined from Plotly.NET.\n")
                    .Append("Licences of the components bundled in it:\n\n").Append(AsCommentText(PlotlyLicence.Value)).Append("\n-->\n")
                    .Append("<script>").Append(PlotlyScript.Value).Append("</script>\n");
            return $"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n{head}</head>\n<body>\n<main class=\"notebook\">\n{_body}</main>\n</body>\n</html>\n";
        }
    }

    // ---- Outputs ---------------------------------------------------------------------------------------------------

    /// <summary>One output of a code cell, by its nbformat output_type; unknown types show nothing, as in Jupyter.</summary>
    static string Output(JsonObject output) => StringAt(output["output_type"]) switch
    {
        "stream" => StreamOutput(output),
        "display_data" => $"<div class=\"output display\">{RichOutput(output["data"] as JsonObject)}</div>\n",
        "execute_result" => $"<div class=\"output result\"><div class=\"prompt\">Out[{Count(ExecutionCountOf(output))}]:</div>{RichOutput(output["data"] as JsonObject)}</div>\n",
        "error" => ErrorOutput(output),
        _ => "",
    };

    static string StreamOutput(JsonObject output)
    {
        var stream = StringAt(output["name"]) == "stderr" ? "stderr" : "stdout";
        return $"<pre class=\"output stream {stream}\">{Escape(AsTerminalText(MultilineText(output["text"])))}</pre>\n";
    }

    /// <summary>The richest MIME type of a bundle, in the order notebook front ends prefer them.</summary>
    static string RichOutput(JsonObject? data)
    {
        if (data is null) return "";
        if (data["text/html"] is { } html) return MultilineText(html);
        if (data["image/png"] is { } png)
            return $"<img src=\"data:image/png;base64,{WhitespaceRun().Replace(MultilineText(png), "")}\" alt=\"output image\">";
        if (data["image/svg+xml"] is { } svg) return MultilineText(svg);
        if (data["text/markdown"] is { } markdown) return $"<div class=\"markdown\">{Markdown.ToHtml(MultilineText(markdown), MarkdownPipeline)}</div>";
        if (data["text/plain"] is { } text) return $"<pre>{Escape(Ansi().Replace(MultilineText(text), ""))}</pre>";
        return "";
    }

    /// <summary>The traceback as a terminal would show it (colours dropped); "ename: evalue" when there is none.</summary>
    static string ErrorOutput(JsonObject output)
    {
        var traceback = (output["traceback"] as JsonArray)?.Select(StringAt).OfType<string>().ToList() ?? [];
        var text = traceback.Count > 0 ? string.Join("\n", traceback) : $"{StringAt(output["ename"])}: {StringAt(output["evalue"])}";
        return $"<pre class=\"output error\">{Escape(Ansi().Replace(text, ""))}</pre>\n";
    }

    /// <summary>Whether an output draws with plotly.js: its HTML calls Plotly (Plotly.NET, the kit's charts, Python's plotly).</summary>
    static bool DrawsPlotlyChart(JsonObject output, string html) =>
        output["data"] is JsonObject && PlotlyCall().IsMatch(html);

    // ---- Markdown --------------------------------------------------------------------------------------------------

    /// <summary>The text of the first level-1 heading (ATX <c># …</c> or setext), or null.</summary>
    static string? FirstLevelOneHeading(MarkdownDocument document)
    {
        var heading = document.Descendants<HeadingBlock>().FirstOrDefault(h => h.Level == 1);
        if (heading?.Inline is null) return null;
        var text = new StringBuilder();
        foreach (var inline in heading.Inline.Descendants<Inline>())
        {
            if (inline is LiteralInline literal) text.Append(literal.Content.ToString());
            else if (inline is CodeInline code) text.Append(code.Content);
        }
        return text.Length > 0 ? text.ToString().Trim() : null;
    }

    /// <summary>
    /// Images of a markdown cell as data URIs, so the page stands alone: the cell's nbformat attachments
    /// (<c>attachment:name.png</c>) and image files beside the notebook. Remote images are left as written (the page's
    /// policy stops them loading, and the browser says so in its console).
    /// </summary>
    static void InlineImages(MarkdownDocument document, NotebookCell cell, string notebookPath)
    {
        foreach (var image in document.Descendants<LinkInline>().Where(l => l.IsImage && !string.IsNullOrEmpty(l.Url)))
        {
            var url = image.Url!;
            image.Url = url.StartsWith("attachment:", StringComparison.Ordinal)
                ? AttachmentDataUri(cell, url["attachment:".Length..]) ?? url
                : LocalFileDataUri(notebookPath, url) ?? url;
        }
    }

    static string? AttachmentDataUri(NotebookCell cell, string name)
    {
        if (cell.Node["attachments"]?[name] is not JsonObject bundle) return null;
        foreach (var (mime, content) in bundle)
        {
            if (!mime.StartsWith("image/", StringComparison.Ordinal) || content is null) continue;
            // nbformat stores binary images as base64 and SVG as its text.
            var text = MultilineText(content);
            var base64 = mime == "image/svg+xml" ? Convert.ToBase64String(Encoding.UTF8.GetBytes(text)) : WhitespaceRun().Replace(text, "");
            return $"data:{mime};base64,{base64}";
        }
        return null;
    }

    static string? LocalFileDataUri(string notebookPath, string url)
    {
        if (url.Contains(':', StringComparison.Ordinal) || url.StartsWith('/')) return null;   // a scheme or an absolute path
        var mime = Path.GetExtension(url).ToLowerInvariant() switch
        {
            ".png" => "image/png", ".jpg" or ".jpeg" => "image/jpeg", ".gif" => "image/gif", ".svg" => "image/svg+xml", ".webp" => "image/webp",
            _ => null,
        };
        var folder = Path.GetDirectoryName(Path.GetFullPath(notebookPath)) ?? ".";
        var file = Path.Combine(folder, Uri.UnescapeDataString(url));
        return mime is not null && File.Exists(file) ? $"data:{mime};base64,{Convert.ToBase64String(File.ReadAllBytes(file))}" : null;
    }

    // ---- C# highlighting -------------------------------------------------------------------------------------------

    static readonly CSharpParseOptions ScriptParseOptions = new(kind: SourceCodeKind.Script, documentationMode: DocumentationMode.None);

    static readonly HashSet<SyntaxKind> StringTokens =
    [
        SyntaxKind.StringLiteralToken, SyntaxKind.Utf8StringLiteralToken, SyntaxKind.CharacterLiteralToken,
        SyntaxKind.SingleLineRawStringLiteralToken, SyntaxKind.MultiLineRawStringLiteralToken,
        SyntaxKind.Utf8SingleLineRawStringLiteralToken, SyntaxKind.Utf8MultiLineRawStringLiteralToken,
        SyntaxKind.InterpolatedStringStartToken, SyntaxKind.InterpolatedVerbatimStringStartToken, SyntaxKind.InterpolatedStringEndToken,
        SyntaxKind.InterpolatedSingleLineRawStringStartToken, SyntaxKind.InterpolatedMultiLineRawStringStartToken,
        SyntaxKind.InterpolatedRawStringEndToken, SyntaxKind.InterpolatedStringTextToken,
    ];

    /// <summary>
    /// C# source as HTML: every character escaped and kept (the text reads back exactly), with spans of class kw
    /// (keywords), str (string and char literals), num (numbers), com (comments), dir (directive lines such as
    /// <c>#r "nuget: …"</c> and <c>#!time</c>) and type (type-like names). Parsed as a script, as notebooks run.
    /// </summary>
    internal static string HighlightCSharp(string source)
    {
        var root = CSharpSyntaxTree.ParseText(source, ScriptParseOptions).GetRoot();
        // Spans are collected first and written in text order, because Roslyn visits a directive's tokens before the
        // other trivia of the same line; a longer span starting at the same place (a directive line) wins.
        var spans = ClassifiedSpans(root).OrderBy(s => s.Span.Start).ThenByDescending(s => s.Span.Length);
        var html = new StringBuilder(source.Length * 2);
        int written = 0;
        foreach (var (span, cssClass) in spans)
        {
            if (span.IsEmpty || span.Start < written) continue;   // empty, or inside a span already written
            html.Append(Escape(source[written..span.Start]))
                .Append("<span class=\"").Append(cssClass).Append("\">").Append(Escape(source[span.Start..span.End])).Append("</span>");
            written = span.End;
        }
        return html.Append(Escape(source[written..])).ToString();
    }

    static IEnumerable<(TextSpan Span, string Class)> ClassifiedSpans(SyntaxNode root)
    {
        foreach (var trivia in root.DescendantTrivia(descendIntoTrivia: true))
            if (TriviaClass(trivia) is { } triviaClass) yield return (trivia.Span, triviaClass);
        foreach (var token in root.DescendantTokens(descendIntoTrivia: true))
            if (TokenClass(token) is { } tokenClass) yield return (token.Span, tokenClass);
    }

    static string? TriviaClass(SyntaxTrivia trivia)
    {
        if (trivia.IsDirective) return "dir";   // the whole line: #r, #load, #if …, and Polyglot's #! magics
        return trivia.Kind() switch
        {
            SyntaxKind.SingleLineCommentTrivia or SyntaxKind.MultiLineCommentTrivia or SyntaxKind.SingleLineDocumentationCommentTrivia
                or SyntaxKind.MultiLineDocumentationCommentTrivia or SyntaxKind.DisabledTextTrivia => "com",
            _ => null,
        };
    }

    static string? TokenClass(SyntaxToken token)
    {
        var kind = token.Kind();
        if (SyntaxFacts.IsKeywordKind(kind) || IsContextualKeywordName(token)) return "kw";
        if (StringTokens.Contains(kind)) return "str";
        if (kind == SyntaxKind.NumericLiteralToken) return "num";
        if (kind == SyntaxKind.IdentifierToken && IsTypeLike(token)) return "type";
        return null;
    }

    /// <summary><c>var</c>, <c>dynamic</c> and <c>nameof</c>: identifiers to the parser, keywords to a reader.</summary>
    static bool IsContextualKeywordName(SyntaxToken token) => token.Parent switch
    {
        IdentifierNameSyntax { Identifier.Text: "var" or "dynamic" } name => SyntaxFacts.IsInTypeOnlyContext(name),
        IdentifierNameSyntax { Identifier.Text: "nameof", Parent: InvocationExpressionSyntax } => true,
        _ => false,
    };

    /// <summary>
    /// Without references there is no semantic model, so "type" is judged from syntax: names being declared as types,
    /// names where only a type may stand (declarations, <c>new T()</c>, casts, type arguments), and PascalCase
    /// qualifiers such as <c>Console</c> in <c>Console.WriteLine</c> or <c>AeCourse.Runtime.Setup</c> in
    /// <c>AeCourse.Runtime.Setup.Initialize</c> (types or namespaces, by .NET naming).
    /// </summary>
    static bool IsTypeLike(SyntaxToken token) => token.Parent switch
    {
        BaseTypeDeclarationSyntax declaration => declaration.Identifier == token,
        DelegateDeclarationSyntax or TypeParameterSyntax => true,
        SimpleNameSyntax name when SyntaxFacts.IsInTypeOnlyContext(name) => true,
        IdentifierNameSyntax name => IsQualifier(name),
        _ => false,
    };

    /// <summary>Whether a name ends a PascalCase dotted prefix of a member access (<c>A.B</c> in <c>A.B.C</c>).</summary>
    static bool IsQualifier(IdentifierNameSyntax name)
    {
        ExpressionSyntax prefix = name.Parent is MemberAccessExpressionSyntax access && access.Name == name ? access : name;
        return prefix.Parent is MemberAccessExpressionSyntax outer && outer.Expression == prefix && IsPascalCaseDottedName(prefix);
    }

    static bool IsPascalCaseDottedName(ExpressionSyntax expression) => expression switch
    {
        IdentifierNameSyntax name => char.IsUpper(name.Identifier.ValueText.FirstOrDefault()),
        MemberAccessExpressionSyntax access => access.Name is IdentifierNameSyntax && IsPascalCaseDottedName(access.Name) && IsPascalCaseDottedName(access.Expression),
        _ => false,
    };

    /// <summary>Whether a code cell is C#: its Polyglot kernel, else the notebook's default kernel or language.</summary>
    static bool IsCSharp(Notebook notebook, NotebookCell cell)
    {
        var metadata = notebook.Root["metadata"];   // not notebook.Metadata, which would add a missing one
        var kernel = cell.KernelName
                     ?? StringAt(metadata?["polyglot_notebook"]?["kernelInfo"]?["defaultKernelName"])
                     ?? StringAt(metadata?["kernelspec"]?["language"]);
        return kernel is null || kernel.Equals("csharp", StringComparison.OrdinalIgnoreCase) || kernel.Equals("C#", StringComparison.OrdinalIgnoreCase);
    }

    // ---- Text helpers ----------------------------------------------------------------------------------------------

    static string Escape(string text) => WebUtility.HtmlEncode(text);

    /// <summary>nbformat's multiline strings: one string, or a list of strings to join.</summary>
    static string MultilineText(JsonNode? node) => node switch
    {
        JsonArray lines => string.Concat(lines.Select(StringAt)),
        _ => StringAt(node) ?? "",
    };

    static string? StringAt(JsonNode? node) => node is JsonValue value && value.TryGetValue(out string? text) ? text : null;

    static int? ExecutionCountOf(JsonObject output) =>
        output["execution_count"] is JsonValue value && value.TryGetValue(out int count) ? count : null;

    static string Count(int? executionCount) => executionCount?.ToString(CultureInfo.InvariantCulture) ?? " ";

    /// <summary>
    /// Stream text as a terminal shows it: colour codes dropped, and a carriage return (a progress line rewritten in
    /// place) keeping only what was written after it.
    /// </summary>
    static string AsTerminalText(string text)
    {
        var lines = Ansi().Replace(text, "").Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        return string.Join("\n", lines.Select(line => line[(line.LastIndexOf('\r') + 1)..]));
    }

    /// <summary>A script's text made safe inside &lt;script&gt;: "&lt;/script" would end the element early.</summary>
    static string EscapeForScriptElement(string script) => ScriptEnd().Replace(script, "<\\/$1");

    /// <summary>Text made safe inside an HTML comment, which "--" could end or break.</summary>
    static string AsCommentText(string text) => text.Replace("--", "- -", StringComparison.Ordinal);

    static string ReadPlotlyResource(string name)
    {
        using var stream = typeof(Plotly.NET.GenericChart).Assembly.GetManifestResourceStream(name)
                           ?? throw new InvalidOperationException($"The resource {name} is missing from Plotly.NET {typeof(Plotly.NET.GenericChart).Assembly.GetName().Version}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    [GeneratedRegex(@"\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)")]
    private static partial Regex Ansi();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhitespaceRun();

    [GeneratedRegex(@"</(script)", RegexOptions.IgnoreCase)]
    private static partial Regex ScriptEnd();

    [GeneratedRegex(@"\bPlotly\.(?:newPlot|react|plot)\s*\(|class=""plotly-graph-div")]
    private static partial Regex PlotlyCall();

    const string Stylesheet = """
        :root { color-scheme: light; }
        body { margin: 0; background: #f6f7f9; color: #1f2328; font: 16px/1.6 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; }
        main.notebook { max-width: 980px; margin: 0 auto; padding: 32px 40px 72px; background: #fff; box-shadow: 0 0 0 1px #e6e8eb; min-height: 100vh; box-sizing: border-box; }
        .cell { margin: 20px 0; }
        .markdown h1, .markdown h2 { border-bottom: 1px solid #d8dee4; padding-bottom: .25em; line-height: 1.25; }
        .markdown h1 { font-size: 2em; margin-top: 0; }
        .markdown code { background: #eff1f3; padding: .1em .35em; border-radius: 4px; font-size: .9em; }
        .markdown pre code { background: none; padding: 0; }
        .markdown table { border-collapse: collapse; }
        .markdown th, .markdown td { border: 1px solid #d0d7de; padding: 4px 10px; }
        .markdown blockquote { margin: 0; padding: 0 1em; color: #57606a; border-left: 4px solid #d0d7de; }
        .prompt { color: #6e7781; font: 12px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; margin-bottom: 2px; }
        pre { margin: 0; padding: 10px 14px; overflow-x: auto; font: 13.5px/1.5 ui-monospace, "DejaVu Sans Mono", "Liberation Mono", monospace; white-space: pre; }
        pre.source, .markdown pre { background: #f6f8fa; border: 1px solid #d8dee4; border-radius: 6px; }
        .outputs { margin: 8px 0 0 28px; }
        .output { margin: 6px 0; overflow-x: auto; }
        .output > pre, pre.output { padding: 4px 0; white-space: pre-wrap; }
        pre.stderr { color: #9a6700; background: #fff8e5; padding: 4px 8px; }
        pre.error { color: #82071e; background: #fff5f5; border: 1px solid #cf222e; border-left-width: 4px; border-radius: 4px; padding: 8px 12px; }
        .output img { max-width: 100%; height: auto; }
        .kw { color: #0550ae; font-weight: 600; } .str { color: #0a3069; } .num { color: #953800; }
        .com { color: #6e7781; font-style: italic; } .dir { color: #8250df; } .type { color: #116329; }
        """;
}
