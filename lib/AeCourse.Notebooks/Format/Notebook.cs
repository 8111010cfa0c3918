using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AeCourse.Notebooks.IO;

namespace AeCourse.Notebooks.Format;

/// <summary>A notebook file is not valid; the message names the file and what is wrong.</summary>
public sealed class NotebookFormatException(string path, string problem) : IOException($"{path}: {problem}");

/// <summary>
/// An nbformat 4 notebook kept as its JSON tree, so that everything the kit does not touch — unknown metadata, key
/// order, number formats, indentation — is written back exactly: a notebook read and written is byte-identical.
/// </summary>
public sealed class Notebook
{
    readonly JsonObject _root;
    readonly int _indent;
    readonly bool _finalNewline;

    /// <summary>The file this notebook was read from (or will be written to), for messages and relative paths.</summary>
    public string Path { get; set; }

    Notebook(string path, JsonObject root, int indent, bool finalNewline)
    {
        Path = path;
        _root = root;
        _indent = indent;
        _finalNewline = finalNewline;
        Cells = new CellList(Array("cells"));
    }

    /// <summary>The cells, in order.</summary>
    public CellList Cells { get; }

    /// <summary>Notebook-level metadata (kernelspec, language_info, polyglot_notebook, …).</summary>
    public JsonObject Metadata => Object(_root, "metadata");

    /// <summary>nbformat_minor.</summary>
    public int Minor => _root["nbformat_minor"]?.GetValue<int>() ?? 0;

    /// <summary>Reads a notebook file.</summary>
    /// <exception cref="NotebookFormatException">Not JSON, not a notebook, or not nbformat 4; the message names the file.</exception>
    public static Notebook Read(string path)
    {
        string text;
        try { text = File.ReadAllText(path, new UTF8Encoding(false)); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { throw new NotebookFormatException(path, "file not found"); }
        return Parse(text, path);
    }

    /// <summary>Parses notebook JSON; <paramref name="path"/> is used in messages and for relative paths.</summary>
    public static Notebook Parse(string json, string path)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = false });
        }
        catch (JsonException e)
        {
            throw new NotebookFormatException(path, $"not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {e.Message.Split(" Path:")[0]}");
        }
        if (node is not JsonObject root)
            throw new NotebookFormatException(path, "not a notebook: the top level is not a JSON object");
        if (root["nbformat"] is not JsonValue version || !version.TryGetValue<int>(out int major))
            throw new NotebookFormatException(path, "not a notebook: no \"nbformat\" version");
        if (major != 4)
            throw new NotebookFormatException(path, $"nbformat {major} is not supported; the kit reads nbformat 4 (convert with `jupyter nbconvert --to notebook --nbformat 4`)");
        if (root["cells"] is not JsonArray)
            throw new NotebookFormatException(path, "not a notebook: no \"cells\" array");
        return new Notebook(path, root, DetectIndent(json), json.EndsWith('\n'));
    }

    /// <summary>A new, empty notebook in the format VS Code Polyglot Notebooks writes (C# as the default kernel).</summary>
    public static Notebook CreatePolyglot(string path)
    {
        var root = new JsonObject
        {
            ["cells"] = new JsonArray(),
            ["metadata"] = new JsonObject
            {
                ["kernelspec"] = new JsonObject { ["display_name"] = ".NET (C#)", ["language"] = "C#", ["name"] = ".net-csharp" },
                ["language_info"] = new JsonObject { ["name"] = "polyglot-notebook" },
                ["polyglot_notebook"] = new JsonObject
                {
                    ["kernelInfo"] = new JsonObject
                    {
                        ["defaultKernelName"] = "csharp",
                        ["items"] = new JsonArray(new JsonObject { ["aliases"] = new JsonArray(), ["name"] = "csharp" }),
                    },
                },
            },
            ["nbformat"] = 4,
            ["nbformat_minor"] = 2,
        };
        return new Notebook(path, root, 1, true);
    }

    /// <summary>The notebook as text, in its original layout.</summary>
    public string Serialize() => JsonText.Write(_root, _indent) + (_finalNewline ? "\n" : "");

    /// <summary>Writes the notebook atomically to <paramref name="path"/> (default: where it was read from).</summary>
    public void Write(string? path = null) => AtomicFile.WriteAllText(path ?? Path, Serialize());

    /// <summary>A deep copy (for running a notebook without touching the original).</summary>
    public Notebook Clone() => new(Path, (JsonObject)_root.DeepClone(), _indent, _finalNewline);

    /// <summary>The JSON tree, for what this class does not model.</summary>
    public JsonObject Root => _root;

    JsonArray Array(string name) => (JsonArray)_root[name]!;

    internal static JsonObject Object(JsonObject parent, string name)
    {
        if (parent[name] is JsonObject existing) return existing;
        var created = new JsonObject();
        parent[name] = created;
        return created;
    }

    /// <summary>The indent of the first nested line: Jupyter writes 1 space, some tools 2 or 4.</summary>
    static int DetectIndent(string json)
    {
        int newline = json.IndexOf('\n');
        if (newline < 0) return 1;
        int spaces = 0;
        while (newline + 1 + spaces < json.Length && json[newline + 1 + spaces] == ' ') spaces++;
        return Math.Max(spaces, 1);
    }
}

/// <summary>The cells of a notebook; adding and inserting keep the JSON tree in step.</summary>
public sealed class CellList(JsonArray array) : IReadOnlyList<NotebookCell>
{
    /// <inheritdoc />
    public NotebookCell this[int index] => new((JsonObject)array[index]!);

    /// <inheritdoc />
    public int Count => array.Count;

    /// <summary>Appends a cell.</summary>
    public void Add(NotebookCell cell) => array.Add(cell.Node);

    /// <summary>Inserts a cell before position <paramref name="index"/>.</summary>
    public void Insert(int index, NotebookCell cell) => array.Insert(index, cell.Node);

    /// <summary>Removes the cell at <paramref name="index"/>.</summary>
    public void RemoveAt(int index) => array.RemoveAt(index);

    /// <inheritdoc />
    public IEnumerator<NotebookCell> GetEnumerator()
    {
        for (int i = 0; i < array.Count; i++) yield return this[i];
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
