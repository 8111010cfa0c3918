using System.CommandLine;
using AeCourse.Runtime;

namespace AeCourse.Cli.Commands;

/// <summary><c>aecourse doctor</c>: checks .NET, the native backend, the device and the data; exit 1 on a blocking problem.</summary>
static class DoctorCommand
{
    public static Command Create()
    {
        var command = new Command("doctor", "Check that the kit can run here; exits 1 on a blocking problem");
        command.SetAction(result =>
        {
            Data.DataStore? store = null;
            try { store = CommonOptions.Store(result); }
            catch (DirectoryNotFoundException) { }   // reported by the data check
            var checks = Doctor.Run(store);
            foreach (var check in checks) Console.WriteLine(check);
            int blocking = checks.Count(c => c.Level == HealthLevel.Blocking);
            Console.WriteLine(blocking == 0 ? "doctor: ready" : $"doctor: {blocking} blocking problem(s)");
            return blocking == 0 ? 0 : 1;
        });
        return command;
    }
}
