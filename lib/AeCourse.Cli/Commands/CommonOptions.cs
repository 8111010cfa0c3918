using System.CommandLine;
using AeCourse.Data;

namespace AeCourse.Cli.Commands;

/// <summary>Options shared by several verbs.</summary>
static class CommonOptions
{
    /// <summary>--data DIR: the data folder, overriding $AECOURSE_DATA and the search from the current folder.</summary>
    public static readonly Option<DirectoryInfo?> Data = new("--data")
    {
        Description = $"Data folder (default: ${DataStore.RootVariable}, else the nearest data/ with a manifest above the current folder)",
        Recursive = true,
    };

    /// <summary>
    /// Passes --data on to notebooks run in this process: they find their data with <see cref="DataStore.Locate"/>,
    /// which reads the variable.
    /// </summary>
    public static void ExportData(ParseResult result)
    {
        if (result.GetValue(Data) is { } dir) Environment.SetEnvironmentVariable(DataStore.RootVariable, dir.FullName);
    }

    /// <summary>The store named by --data, or the located one.</summary>
    public static DataStore Store(ParseResult result) =>
        result.GetValue(Data) is { } dir ? new DataStore(dir.FullName) : DataStore.Locate();

    /// <summary>
    /// The values for a notebook's cell tagged <c>parameters</c>: each <c>-p name=value</c>, and <c>quick=true</c> with
    /// <c>--quick</c>; null, after saying why on stderr, when a pair is not name=value.
    /// </summary>
    public static Dictionary<string, string>? NotebookParameters(ParseResult result, Option<string[]> pairs, Option<bool> quick)
    {
        var values = new Dictionary<string, string>();
        foreach (var pair in result.GetValue(pairs) ?? [])
        {
            int eq = pair.IndexOf('=');
            if (eq <= 0) { Console.Error.WriteLine($"-p {pair}: expected name=value"); return null; }
            values[pair[..eq].Trim()] = pair[(eq + 1)..].Trim();
        }
        if (result.GetValue(quick)) values["quick"] = "true";
        return values;
    }
}
