using System.CommandLine;
using AeCourse.Notebooks.Format;
using AeCourse.Notebooks.Grading;

namespace AeCourse.Cli.Commands;

/// <summary>
/// <c>aecourse release SOURCE... --out DIR</c>: writes the student version of each instructor source (a notebook, or
/// every notebook of a folder) to DIR under the same file name. Exit 2, with nothing written, when a source is not a
/// notebook, its grading markup is wrong, or DIR is a source's own folder.
/// </summary>
static class ReleaseCommand
{
    public static Command Create()
    {
        var sources = new Argument<string[]>("source") { Description = "Instructor notebooks, or folders of them", Arity = ArgumentArity.OneOrMore };
        var output = new Option<DirectoryInfo>("--out") { Description = "Where the student notebooks go (not a source's own folder)", Required = true };
        var command = new Command("release", "Write student notebooks from instructor sources: solutions stubbed, hidden tests removed, outputs cleared")
            { sources, output };
        command.SetAction(result =>
        {
            try
            {
                var files = Expand(result.GetValue(sources)!);
                foreach (var file in StudentRelease.WriteAll(files, result.GetValue(output)!.FullName))
                    Console.WriteLine($"released {Shown(file.SourcePath)} → {Shown(file.TargetPath)}: " +
                                      $"{Count(file.Exercises, "exercise")}, {Count(file.HiddenTestBlocks, "hidden-test block")} removed");
                return 0;
            }
            catch (Exception e) when (e is NotebookFormatException or GradingMarkupException or StudentReleaseException)
            {
                Console.Error.WriteLine(e.Message);
                return 2;
            }
        });
        return command;
    }

    /// <summary>Each argument as notebook files: a file as is, a folder as its .ipynb files in name order.</summary>
    static List<string> Expand(IEnumerable<string> arguments)
    {
        var files = new List<string>();
        foreach (var argument in arguments)
        {
            if (Directory.Exists(argument))
            {
                var found = Directory.GetFiles(argument, "*.ipynb").Order(StringComparer.Ordinal).ToList();
                if (found.Count == 0) throw new StudentReleaseException($"{argument}: no .ipynb notebooks in this folder");
                files.AddRange(found);
            }
            else if (File.Exists(argument)) files.Add(argument);
            else throw new StudentReleaseException($"{argument}: no such file or folder");
        }
        return files;
    }

    /// <summary>A path relative to the current folder when it lies below it, for short lines.</summary>
    static string Shown(string path)
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, path);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : relative;
    }

    static string Count(int n, string noun) => $"{n} {noun}{(n == 1 ? "" : "s")}";
}
