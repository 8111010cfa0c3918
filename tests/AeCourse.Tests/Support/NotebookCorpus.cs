using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace AeCourse.Tests.Support;

/// <summary>The notebooks under tests/notebooks, copied to a temporary folder with what their directives need.</summary>
sealed class NotebookCorpus : IDisposable
{
    readonly TempDir _dir = new();

    public NotebookCorpus()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(TestPaths.Repo, "tests", "notebooks")))
            File.Copy(file, _dir[Path.GetFileName(file)]);
        WriteGreeterAssembly(_dir["Greeter.dll"]);
    }

    public string this[string name] => _dir[name];

    public string Folder => _dir.Path;

    public void Dispose() => _dir.Dispose();

    /// <summary>Runs <c>aecourse run</c> on a corpus notebook, writing the result beside it as NAME.out.ipynb.</summary>
    public (AeCourseCommand.Result Result, JsonObject Executed) Run(string name, params string[] options)
    {
        var output = _dir[Path.GetFileNameWithoutExtension(name) + ".out.ipynb"];
        var result = AeCourseCommand.Run(["run", _dir[name], "-o", output, .. options]);
        var executed = File.Exists(output) ? JsonNode.Parse(File.ReadAllText(output))!.AsObject() : new JsonObject();
        return (result, executed);
    }

    /// <summary>The code cells of an executed notebook.</summary>
    public static List<JsonObject> CodeCells(JsonObject notebook) =>
        notebook["cells"]!.AsArray().Select(c => c!.AsObject()).Where(c => c["cell_type"]!.GetValue<string>() == "code").ToList();

    /// <summary>The outputs of a cell.</summary>
    public static List<JsonObject> Outputs(JsonObject cell) => cell["outputs"]!.AsArray().Select(o => o!.AsObject()).ToList();

    /// <summary>Stream text of a cell, by stream name.</summary>
    public static string Stream(JsonObject cell, string name) => string.Concat(
        Outputs(cell).Where(o => o["output_type"]!.GetValue<string>() == "stream" && o["name"]!.GetValue<string>() == name)
                     .SelectMany(o => o["text"]!.AsArray().Select(l => l!.GetValue<string>())));

    /// <summary>
    /// Validates a notebook file with the reference implementation, Jupyter's own nbformat (Debian's python3-nbformat),
    /// and returns its complaint, or null when valid.
    /// </summary>
    public static string? ValidateWithNbformat(string path)
    {
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("import sys, nbformat; nbformat.validate(nbformat.read(sys.argv[1], as_version=4)); print('valid')");
        start.ArgumentList.Add(path);
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEnd();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode == 0 && stdout.Trim() == "valid" ? null : stderr + stdout;
    }

    /// <summary>A real assembly for <c>#r "Greeter.dll"</c>, compiled here with Roslyn.</summary>
    static void WriteGreeterAssembly(string path)
    {
        var tree = CSharpSyntaxTree.ParseText("public static class Greeter { public static string Hello(string name) => \"hello, \" + name; }");
        var compilation = CSharpCompilation.Create("Greeter", [tree],
            [MetadataReference.CreateFromFile(typeof(object).Assembly.Location)],
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var emitted = compilation.Emit(path);
        if (!emitted.Success) throw new InvalidOperationException(string.Join("\n", emitted.Diagnostics));
    }
}
