using System.Diagnostics;

namespace AeCourse.Tests.Support;

/// <summary>Where the repository, its data and the built command are, seen from the test output folder.</summary>
static class TestPaths
{
    /// <summary>The repository root: the nearest folder above the tests holding AeCourse.sln.</summary>
    public static string Repo { get; } = FindRepo();

    /// <summary>The committed data folder.</summary>
    public static string Data => Path.Combine(Repo, "data");

    /// <summary>Copies the committed embedded data (manifest and files) to <paramref name="root"/>; returns it.</summary>
    public static string CopyEmbeddedData(string root)
    {
        foreach (var file in Directory.GetFiles(Path.Combine(Data, "embedded"), "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(root, Path.GetRelativePath(Data, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        File.Copy(Path.Combine(Data, "manifest.json"), Path.Combine(root, "manifest.json"));
        return root;
    }

    static string FindRepo()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "AeCourse.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"AeCourse.sln not found above {AppContext.BaseDirectory}");
    }
}

/// <summary>A fresh folder under the system's temporary folder, deleted on dispose.</summary>
sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("aecourse-test-").FullName;

    public string this[string relative] => System.IO.Path.Combine(Path, relative);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

/// <summary>Runs the real <c>aecourse</c> command (the CLI built beside the tests) in a child process.</summary>
static class AeCourseCommand
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Result Run(params string[] args) => Run(null, args);

    public static Result Run(IDictionary<string, string>? environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(System.IO.Path.Combine(AppContext.BaseDirectory, "AeCourse.Cli.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) start.Environment[k] = v;
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5))) { p.Kill(entireProcessTree: true); throw new TimeoutException($"aecourse {string.Join(' ', args)} ran over 5 minutes"); }
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }
}
