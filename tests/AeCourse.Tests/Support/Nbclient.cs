using System.Diagnostics;
using System.Text;

namespace AeCourse.Tests.Support;

/// <summary>
/// Executes a notebook as Jupyter does: Debian's nbclient (the executor under nbconvert --execute and papermill) starts
/// the kernel the notebook's kernelspec names, found through the given environment (JUPYTER_PATH), and saves the result.
/// </summary>
static class Nbclient
{
    const string Script = """
        import sys, nbformat
        from nbclient import NotebookClient
        nb = nbformat.read(sys.argv[1], as_version=4)
        NotebookClient(nb, timeout=600, startup_timeout=300, resources={"metadata": {"path": sys.argv[2]}}).execute()
        nbformat.write(nb, sys.argv[3])
        """;

    /// <summary>Runs <paramref name="notebook"/> with <paramref name="folder"/> as the kernel's working folder into <paramref name="executed"/>; returns null, or nbclient's complaint.</summary>
    public static string? Execute(string notebook, string folder, string executed, IEnumerable<KeyValuePair<string, string>> environment)
    {
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-c", Script, notebook, folder, executed }) start.ArgumentList.Add(a);
        foreach (var (k, v) in environment) start.Environment[k] = v;
        var stderr = new StringBuilder();
        using var p = Process.Start(start)!;
        p.ErrorDataReceived += (_, e) => { lock (stderr) stderr.AppendLine(e.Data); };
        p.BeginErrorReadLine();
        var stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(TimeSpan.FromMinutes(15)))
        {
            p.Kill(entireProcessTree: true);
            return $"nbclient ran over 15 minutes:\n{stdout}{stderr}";
        }
        return p.ExitCode == 0 ? null : $"nbclient failed:\n{stdout}{stderr}";
    }
}
