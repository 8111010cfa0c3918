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
}
