using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AeCourse.Notebooks.Format;
using AeCourse.Visualization;
using Markdig;

namespace AeCourse.Notebooks.Rendering;

/// <summary>
/// One standalone HTML page of a notebook, for lecture walkthroughs: markdown rendered, code highlighted, outputs
/// shown (images inline, charts interactive), and nothing fetched from the network — plotly.js is inlined when a
/// chart needs it.
/// </summary>
public static partial class NotebookHtml
{
    static readonly MarkdownPipeline Markdown = new MarkdownPipelineBuilder().UseAdvancedExtensions().Build();

    /// <summary>The page as text.</summary>
    public static string Render(Notebook notebook)
    {
        var body = new StringBuilder();
        foreach (var cell in notebook.Cells)
        {
            switch (cell.CellType)
            {
                case "markdown":
                    body.Append("<section class=\"md\">").Append(Markdig.Markdown.ToHtml(cell.Source, Markdown)).Append("</section>\n");
                    break;
                case "code":
                    body.Append("<section class=\"code\"><div class=\"prompt\">In [").Append(cell.ExecutionCount?.ToString() ?? " ").Append("]:</div>")
                        .Append("<pre class=\"source\"><code>").Append(CodeHighlighter.ToHtml(cell.Source)).Append("</code></pre>\n");
                    foreach (var output in cell.Outputs.OfType<JsonObject>()) body.Append(Output(output));
                    body.Append("</section>\n");
                    break;
                default:
                    body.Append("<pre class=\"raw\">").Append(WebUtility.HtmlEncode(cell.Source)).Append("</pre>\n");
                    break;
            }
        }
        var content = body.ToString();
        var needsPlotly = content.Contains("Plotly.newPlot", StringComparison.Ordinal);
        return $"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{WebUtility.HtmlEncode(Title(notebook))}</title>
            <style>{Style}</style>
            {(needsPlotly ? $"<script>{LineChart.PlotlyJs().Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase)}</script>" : "")}
            </head>
            <body>
            <main>
            {content}
            </main>
            </body>
            </html>

            """;
    }

    /// <summary>Writes the page atomically.</summary>
    public static void Write(Notebook notebook, string htmlPath) => IO.AtomicFile.WriteAllText(htmlPath, Render(notebook));

    static string Output(JsonObject output) => output["output_type"]?.GetValue<string>() switch
    {
        "stream" => $"<pre class=\"out {(output["name"]?.GetValue<string>() == "stderr" ? "stderr" : "stdout")}\">{WebUtility.HtmlEncode(Text(output["text"]))}</pre>\n",
        "display_data" or "execute_result" => $"<div class=\"out\">{Rich(output["data"] as JsonObject ?? [])}</div>\n",
        "error" => $"<pre class=\"out error\">{WebUtility.HtmlEncode(Ansi().Replace(string.Join("\n", Lines(output)), ""))}</pre>\n",
        _ => "",
    };

    /// <summary>The richest MIME type of a bundle, as notebook front ends choose.</summary>
    static string Rich(JsonObject data)
    {
        if (data["text/html"] is { } html) return Text(html);
        if (data["image/png"] is { } png) return $"<img src=\"data:image/png;base64,{Text(png).Replace("\n", "")}\" alt=\"\">";
        if (data["image/svg+xml"] is { } svg) return Text(svg);
        if (data["text/markdown"] is { } md) return Markdig.Markdown.ToHtml(Text(md), Markdown);
        return $"<pre>{WebUtility.HtmlEncode(Text(data["text/plain"]))}</pre>";
    }

    static IEnumerable<string> Lines(JsonObject error)
    {
        var traceback = error["traceback"]?.AsArray().Select(l => l?.GetValue<string>() ?? "").ToList() ?? [];
        return traceback.Count > 0 ? traceback : [$"{error["ename"]?.GetValue<string>()}: {error["evalue"]?.GetValue<string>()}"];
    }

    /// <summary>nbformat's multiline strings: a string or a list of lines.</summary>
    static string Text(JsonNode? node) => node switch
    {
        JsonArray lines => string.Concat(lines.Select(l => l?.GetValue<string>())),
        JsonValue value => value.GetValue<string>(),
        _ => "",
    };

    static string Title(Notebook notebook)
    {
        foreach (var cell in notebook.Cells.Where(c => c.CellType == "markdown"))
            foreach (var line in cell.Source.Split('\n'))
                if (line.StartsWith("# ", StringComparison.Ordinal)) return line[2..].Trim();
        return Path.GetFileNameWithoutExtension(notebook.Path);
    }

    [GeneratedRegex(@"\u001b\[[0-9;]*[A-Za-z]")]
    private static partial Regex Ansi();

    const string Style = """
        body { margin: 0; background: #fafafa; color: #1f2328; font: 16px/1.55 system-ui, -apple-system, "Segoe UI", sans-serif; }
        main { max-width: 980px; margin: 0 auto; padding: 24px 32px 64px; background: #fff; }
        section { margin: 18px 0; }
        .md h1 { font-size: 2em; border-bottom: 1px solid #d0d7de; padding-bottom: .3em; }
        .md code { background: #f2f4f6; padding: .1em .3em; border-radius: 4px; }
        .prompt { color: #57606a; font: 12px monospace; margin-bottom: 2px; }
        pre { margin: 0; padding: 10px 12px; overflow-x: auto; font: 13.5px/1.45 ui-monospace, "DejaVu Sans Mono", monospace; }
        pre.source { background: #f6f8fa; border: 1px solid #d8dee4; border-radius: 6px; }
        .out { margin: 6px 0 0 24px; }
        pre.out { background: transparent; padding: 4px 0; }
        pre.stderr { color: #9a6700; }
        pre.error { color: #82071e; border-left: 4px solid #cf222e; padding-left: 10px; background: #fff5f5; }
        .out img { max-width: 100%; image-rendering: pixelated; }
        .kw { color: #0550ae; } .str { color: #0a3069; } .num { color: #953800; } .com { color: #6e7781; font-style: italic; }
        .dir { color: #8250df; } .type { color: #116329; }
        """;
}
