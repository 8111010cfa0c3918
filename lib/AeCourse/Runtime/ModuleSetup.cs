using System.Runtime.CompilerServices;

namespace AeCourse.Runtime;

/// <summary>Prepares TorchSharp's native libraries as soon as any of the kit's code runs.</summary>
static class ModuleSetup
{
    /// <summary>
    /// Runs before the first use of anything in this library, so that code calling the kit before
    /// <see cref="Setup.Initialize"/> — and then TorchSharp — still gets the compatibility path on GCC-12 systems.
    /// Failures are not thrown here (that would break every type of the library); Setup.Initialize reports them.
    /// </summary>
    // CA2255 warns libraries off module initializers; here running before any other code of the library is the point.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void PrepareNativeLibraries()
    {
        try { NativeLoader.EnsureLoaded(); }
        catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException or DllNotFoundException or NotSupportedException or InvalidDataException) { }
    }
}
