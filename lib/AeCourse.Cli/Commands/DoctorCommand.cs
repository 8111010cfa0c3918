using System.CommandLine;
using AeCourse.Runtime;

namespace AeCourse.Cli.Commands;

/// <summary><c>aecourse doctor</c>: checks .NET, the native backend, the device and the data; exit 1 on a blocking problem.</summary>
static class DoctorCommand
{
    public static Command Create()
    {
        var command = new Command("doctor", "Check that the kit can run here; exits 1 on a blocking problem");
        command.SetAction(async (result, _) =>
        {
            Data.DataStore? store = null;
            try { store = CommonOptions.Store(result); }
            catch (DirectoryNotFoundException) { }   // reported by the data check
            var checks = Doctor.Run(store).Append(await SandboxCheckAsync()).ToList();
            foreach (var check in checks) Console.WriteLine(check);
            int blocking = checks.Count(c => c.Level == HealthLevel.Blocking);
            Console.WriteLine(blocking == 0 ? "doctor: ready" : $"doctor: {blocking} blocking problem(s)");
            return blocking == 0 ? 0 : 1;
        });
        return command;
    }

    /// <summary>Whether the grader's sandbox starts here: a note, not a blocking problem, since only grading needs it.</summary>
    static async Task<HealthCheck> SandboxCheckAsync() =>
        await Notebooks.Grading.Sandbox.ProbeAsync() is { } why
            ? new HealthCheck("sandbox", HealthLevel.Note, $"grading cannot sandbox submissions: {why}",
                              $"{Notebooks.Grading.Sandbox.InstallHint}, or grade trusted code only with --no-sandbox")
            : new HealthCheck("sandbox", HealthLevel.Ok, $"{Notebooks.Grading.Sandbox.Version()}: submissions are graded in a sandbox without network, files or other processes; "
                + (Notebooks.Grading.Sandbox.KernelLimits() is { } cgroup
                    ? $"the kernel holds them to their limits too ({cgroup})"
                    : "their memory is counted by the grader (no cgroup can be made here: memory parked outside processes is not counted)"));
}
