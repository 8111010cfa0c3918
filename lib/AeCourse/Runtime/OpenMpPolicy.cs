using System.Runtime.InteropServices;

namespace AeCourse.Runtime;

/// <summary>
/// Makes libtorch's OpenMP workers sleep, not spin, while they wait for work. GNU OpenMP (libgomp, which libtorch uses
/// on Linux) spins by default; when the machine has other busy threads — a second process, the notebook front end, a
/// CI job — the spinning workers take the time slices the working ones need, and training runs many times slower
/// (a dense-ae-32 epoch on the embedded subset: 17 s instead of 0.7 s on a busy 2-core machine). libgomp reads
/// <c>OMP_WAIT_POLICY</c> once, when it is loaded, so the kit sets it before TorchSharp loads its natives, through
/// libc's <c>setenv</c> (.NET's Environment.SetEnvironmentVariable does not reach native code). A value the user set
/// is kept.
/// </summary>
static class OpenMpPolicy
{
    public const string Variable = "OMP_WAIT_POLICY";

    /// <summary>The policy in effect for this process (what was set before the kit, or PASSIVE).</summary>
    public static string? Current => Environment.GetEnvironmentVariable(Variable);

    public static void Apply()
    {
        if (Current is not null || !(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())) return;
        if (setenv(Variable, "PASSIVE", 0) == 0) Environment.SetEnvironmentVariable(Variable, "PASSIVE");
    }

    [DllImport("libc", SetLastError = true)]
    static extern int setenv(string name, string value, int overwrite);
}
