using System.Text;
using System.Text.RegularExpressions;

namespace AeCourse.Notebooks.Execution;

/// <summary>
/// A code cell's text with the Polyglot directives taken out: what Roslyn compiles (directive lines left blank, so
/// line numbers in messages still match the cell), plus what the directives asked for.
/// </summary>
/// <param name="Code">C# to compile.</param>
/// <param name="Packages">Packages requested by <c>#r "nuget: …"</c>, as (name, version or null).</param>
/// <param name="Timed">Whether the cell starts with <c>#!time</c>.</param>
public sealed partial record CellSource(string Code, IReadOnlyList<(string Name, string? Version)> Packages, bool Timed)
{
    // Kernels Polyglot Notebooks knows besides C#: a cell for one of them cannot run here.
    static readonly HashSet<string> OtherKernels = new(StringComparer.OrdinalIgnoreCase)
    {
        "fsharp", "f#", "pwsh", "powershell", "javascript", "js", "html", "markdown", "md", "sql", "kql", "mermaid",
        "value", "http", "python", "r", "aspnet", "browser", "vscode", "typescript", "ts",
    };

    /// <summary>Splits out the directives of a cell.</summary>
    /// <exception cref="NotebookCellException">A cell for another kernel or an unknown magic command; the message names it.</exception>
    public static CellSource Parse(string source, int cellNumber)
    {
        var code = new StringBuilder();
        var packages = new List<(string, string?)>();
        bool timed = false;
        foreach (var line in source.Split('\n'))
        {
            var trimmed = line.Trim();
            if (trimmed.StartsWith("#!", StringComparison.Ordinal))
            {
                var magic = trimmed[2..].Split(' ', 2)[0];
                if (magic == "time") timed = true;
                else if (magic is "csharp" or "c#" or "C#") { }
                else if (OtherKernels.Contains(magic))
                    throw new NotebookCellException(cellNumber, "kernel", $"cell {cellNumber} is for the {magic} kernel (#!{magic}); the AeCourse engine runs C# cells only");
                else
                    throw new NotebookCellException(cellNumber, "directive", $"cell {cellNumber}: unknown magic command '#!{magic}' (the engine knows #!csharp and #!time)");
                code.Append('\n');
            }
            else if (NuGetReference().Match(trimmed) is { Success: true } nuget)
            {
                packages.Add((nuget.Groups["name"].Value, nuget.Groups["version"].Success ? nuget.Groups["version"].Value : null));
                code.Append('\n');
            }
            else if (trimmed.StartsWith("#i ", StringComparison.Ordinal) || trimmed == "#i")
            {
                // Package sources: the engine answers #r "nuget:" from the kit's own packages, so none is needed; but a
                // source the real kernel cannot use is refused here too, or a notebook would pass here and fail there.
                if (PackageSource().Match(trimmed) is { Success: true } include && !IsAbsoluteSource(include.Groups["source"].Value))
                    throw new NotebookCellException(cellNumber, "directive",
                        $"cell {cellNumber}: #i \"nuget: {include.Groups["source"].Value}\" is a relative package source, which Polyglot Notebooks rejects " +
                        "(\"Invalid URI: The format of the URI could not be determined\"); name the folder in a nuget.config beside the notebook, " +
                        "where NuGet resolves relative paths from the file's folder");
                code.Append('\n');
            }
            else
            {
                code.Append(line).Append('\n');
            }
        }
        return new CellSource(code.ToString(0, Math.Max(0, code.Length - 1)), packages, timed);
    }

    /// <summary>
    /// Whether <see cref="Parse"/> takes <paramref name="line"/> out as a Polyglot directive (<c>#!…</c>,
    /// <c>#r "nuget: …"</c>, <c>#i …</c>), so that the compiler never sees it; other lines, C# directives included, are
    /// compiled as written. The grader's name guard reads cells by this rule, to read what is compiled.
    /// </summary>
    internal static bool IsPolyglotDirective(string line)
    {
        var trimmed = line.Trim();
        return trimmed.StartsWith("#!", StringComparison.Ordinal) || NuGetReference().IsMatch(trimmed)
            || trimmed.StartsWith("#i ", StringComparison.Ordinal) || trimmed == "#i";
    }

    /// <summary>What the kernel's NuGet resolver accepts as a source: an absolute URI (https:, file:) or a rooted path.</summary>
    static bool IsAbsoluteSource(string source) => Uri.TryCreate(source, UriKind.Absolute, out _) || Path.IsPathRooted(source);

    [GeneratedRegex("""^#i\s+"nuget:\s*(?<source>[^"]*?)\s*"\s*$""")]
    private static partial Regex PackageSource();

    [GeneratedRegex("""^#r\s+"nuget:\s*(?<name>[^,"\s]+)\s*(,\s*(?<version>[^"\s]+)\s*)?"\s*$""")]
    private static partial Regex NuGetReference();
}

/// <summary>A cell cannot run; the message names the cell and why.</summary>
/// <param name="cellNumber">1-based position of the cell in the notebook.</param>
/// <param name="kind">kernel, directive, package, parameters, compile, runtime or timeout.</param>
/// <param name="message">What is wrong.</param>
public sealed class NotebookCellException(int cellNumber, string kind, string message) : Exception(message)
{
    /// <summary>1-based position of the cell.</summary>
    public int CellNumber { get; } = cellNumber;

    /// <summary>What kind of failure.</summary>
    public string Kind { get; } = kind;
}
