using System.Text.Json.Nodes;

namespace AeCourse.Notebooks.Format;

/// <summary>One cell of a notebook, a view over its JSON object.</summary>
/// <param name="node">The cell's JSON object.</param>
public sealed class NotebookCell(JsonObject node)
{
    /// <summary>The underlying JSON object.</summary>
    public JsonObject Node { get; } = node;

    /// <summary>code, markdown or raw.</summary>
    public string CellType => Node["cell_type"]?.GetValue<string>() ?? "";

    /// <summary>Whether this is a code cell.</summary>
    public bool IsCode => CellType == "code";

    /// <summary>
    /// The source text. nbformat allows a string or a list of lines; reading joins them, writing uses the list form
    /// Jupyter and VS Code write (each line keeps its "\n", the last has none).
    /// </summary>
    public string Source
    {
        get => Node["source"] switch
        {
            JsonArray lines => string.Concat(lines.Select(l => l?.GetValue<string>())),
            JsonValue text => text.GetValue<string>(),
            _ => "",
        };
        set => Node["source"] = Lines(value);
    }

    /// <summary>The cell's metadata object (created when absent).</summary>
    public JsonObject Metadata => Notebook.Object(Node, "metadata");

    /// <summary>Tags in metadata.tags (papermill's "parameters", "injected-parameters", …).</summary>
    public IReadOnlyList<string> Tags =>
        Node["metadata"]?["tags"] is JsonArray tags ? tags.Select(t => t?.GetValue<string>() ?? "").ToList() : [];

    /// <summary>
    /// The Polyglot kernel of the cell: metadata.polyglot_notebook.kernelName, or the older
    /// metadata.dotnet_interactive.language; null when the cell does not say (the notebook's default applies).
    /// </summary>
    public string? KernelName =>
        Node["metadata"]?["polyglot_notebook"]?["kernelName"]?.GetValue<string>()
        ?? Node["metadata"]?["dotnet_interactive"]?["language"]?.GetValue<string>();

    /// <summary>The outputs of a code cell (created when absent).</summary>
    public JsonArray Outputs
    {
        get
        {
            if (Node["outputs"] is JsonArray outputs) return outputs;
            var created = new JsonArray();
            Node["outputs"] = created;
            return created;
        }
    }

    /// <summary>execution_count of a code cell; null when never run.</summary>
    public int? ExecutionCount
    {
        get => Node["execution_count"] is JsonValue v && v.TryGetValue<int>(out int n) ? n : null;
        set => Node["execution_count"] = value is { } n ? JsonValue.Create(n) : null;
    }

    /// <summary>A new C# code cell in the Polyglot layout (keys in the order VS Code writes them: sorted).</summary>
    public static NotebookCell Code(string source, IEnumerable<string>? tags = null)
    {
        var metadata = new JsonObject { ["polyglot_notebook"] = new JsonObject { ["kernelName"] = "csharp" } };
        if (tags is not null) metadata["tags"] = new JsonArray(tags.Select(t => (JsonNode)JsonValue.Create(t)!).ToArray());
        return new NotebookCell(new JsonObject
        {
            ["cell_type"] = "code",
            ["execution_count"] = null,
            ["metadata"] = metadata,
            ["outputs"] = new JsonArray(),
            ["source"] = Lines(source),
        });
    }

    /// <summary>A new markdown cell.</summary>
    public static NotebookCell Markdown(string source) => new(new JsonObject
    {
        ["cell_type"] = "markdown",
        ["metadata"] = new JsonObject(),
        ["source"] = Lines(source),
    });

    /// <summary>Splits text into nbformat's list of lines: every line but the last keeps its "\n".</summary>
    public static JsonArray Lines(string text)
    {
        var lines = new JsonArray();
        int start = 0;
        while (start < text.Length)
        {
            int newline = text.IndexOf('\n', start);
            int end = newline < 0 ? text.Length : newline + 1;
            lines.Add(text[start..end]);
            start = end;
        }
        return lines;
    }
}
