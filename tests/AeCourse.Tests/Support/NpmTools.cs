using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace AeCourse.Tests.Support;

/// <summary>What a node or npm run did: exit code and both streams.</summary>
sealed record ToolRun(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}

/// <summary>
/// npm packages the tests use as independent references (a schema validator, a YAML parser, a tool's own CLI),
/// installed at pinned versions from the npm registry into a folder of their own under the temporary folder, once per
/// set of packages and reused by later runs; nothing of the user's (global modules, ~/.npm) is touched.
/// </summary>
sealed class NpmTools
{
    NpmTools(string folder) => Folder = folder;

    /// <summary>The folder whose node_modules holds the packages; scripts run here resolve them with import/require.</summary>
    public string Folder { get; }

    /// <summary>Installs <paramref name="packages"/> (each <c>name@version</c>) unless this set is installed already.</summary>
    public static NpmTools Install(params string[] packages)
    {
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', packages.Order(StringComparer.Ordinal)))))[..16];
        var folder = Path.Combine(Path.GetTempPath(), "aecourse-npm-tools", key);
        var done = Path.Combine(folder, "installed");
        Directory.CreateDirectory(folder);
        // Test classes run in parallel: one installs while the others wait on the lock file.
        using (var _ = Lock(Path.Combine(folder, "lock")))
        {
            if (!File.Exists(done))
            {
                File.WriteAllText(Path.Combine(folder, "package.json"), "{\"private\": true, \"type\": \"module\"}\n");
                var run = Run("npm", folder, TimeSpan.FromMinutes(5), ["install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix", folder, .. packages]);
                if (run.ExitCode != 0) throw new InvalidOperationException($"npm install {string.Join(' ', packages)} failed: {run}");
                File.WriteAllText(done, string.Join('\n', packages) + "\n");
            }
        }
        return new NpmTools(folder);
    }

    /// <summary>Runs <c>node</c> on a script (or a package's entry point) with <paramref name="args"/>, in <see cref="Folder"/>.</summary>
    public ToolRun Node(params string[] args) => Run("node", Folder, TimeSpan.FromMinutes(2), args);

    /// <summary>The path of a file inside an installed package: <c>Resolve("@devcontainers/cli", "devcontainer.js")</c>.</summary>
    public string Resolve(string package, string file) => Path.Combine(Folder, "node_modules", package, file);

    /// <summary>Runs a program to its end (or kills it at <paramref name="timeout"/>) and returns what it printed.</summary>
    public static ToolRun Run(string program, string workingDir, TimeSpan timeout, IEnumerable<string> args, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = workingDir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        if (environment is not null) foreach (var (k, v) in environment) start.Environment[k] = v;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', start.ArgumentList)} did not finish in {timeout.TotalSeconds:0} s");
        }
        return new ToolRun(process.ExitCode, stdout.Result, stderr.Result);
    }

    static FileStream Lock(string path)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try { return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
            catch (IOException) when (clock.Elapsed < TimeSpan.FromMinutes(6)) { Thread.Sleep(200); }
        }
    }
}
