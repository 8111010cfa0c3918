namespace AeCourse.Runtime;

/// <summary>
/// Makes TorchSharp's native glue library load on systems whose libstdc++ is older than the one it was built with.
/// </summary>
/// <remarks>
/// TorchSharp 0.107's libLibTorchSharp.so was linked against GCC 13's libstdc++ and so asks for version
/// GLIBCXX_3.4.32; GCC 12 systems (Debian 12, Ubuntu 22.04) stop at GLIBCXX_3.4.30 and the loader refuses the file.
/// The only symbol bound to that version is <c>std::ios_base_library_init()</c>, which GCC 13's &lt;iostream&gt;
/// references without ever calling it: no relocation uses it. Marking that version need as weak (VER_FLG_WEAK)
/// lets the loader accept the library on old systems and changes nothing on new ones. The patch goes on a copy
/// the kit owns — never on the NuGet package cache — and only versions no relocation uses are ever weakened.
/// </remarks>
public static class GlibcxxCompat
{
    /// <summary>Version needs of <paramref name="library"/> from libstdc++ that <paramref name="available"/> lacks.</summary>
    public static IReadOnlyList<VersionNeed> MissingVersions(ElfImage library, IReadOnlySet<string> available) =>
        library.VersionNeeds()
               .Where(n => n.File.StartsWith("libstdc++.so", StringComparison.Ordinal) && !n.IsWeak && !available.Contains(n.Name))
               .ToList();

    /// <summary>
    /// Writes to <paramref name="destination"/> a copy of <paramref name="source"/> in which the given missing
    /// version needs are weak. Atomic: the destination is replaced only by a complete, checked copy.
    /// </summary>
    /// <exception cref="NotSupportedException">A relocation uses a missing version: weakening it would be unsafe.</exception>
    public static void WriteCompatibleCopy(string source, string destination, IEnumerable<string> missingVersionNames)
    {
        var image = ElfImage.Read(source);
        var names = missingVersionNames.ToHashSet();
        foreach (var need in image.VersionNeeds().Where(n => names.Contains(n.Name)))
        {
            int uses = image.RelocationsUsingVersion(need.Index);
            if (uses > 0)
                throw new NotSupportedException(
                    $"{source}: {uses} relocation(s) use {need.Name} from {need.File}, so the library really calls into it; " +
                    $"it needs a libstdc++ that provides {need.Name} (GCC 13 or newer).");
            image.MarkWeak(need);
        }
        IO.AtomicFile.WriteAllBytes(destination, image.Bytes);
        // Keep the executable bit the loader does not need but tools expect on a shared object.
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(destination, File.GetUnixFileMode(source) | UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    /// <summary>Whether every libstdc++ version need of <paramref name="path"/> is either available or weak.</summary>
    public static bool IsLoadable(string path, IReadOnlySet<string> available) =>
        MissingVersions(ElfImage.Read(path), available).Count == 0;
}
