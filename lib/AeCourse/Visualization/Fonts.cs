using SkiaSharp;

namespace AeCourse.Visualization;

/// <summary>
/// The typeface for captions in pictures. The kit's SkiaSharp build has no font manager (it must run without
/// fontconfig), so the default typeface draws nothing; a TrueType file is looked for instead: $AECOURSE_FONT, then
/// DejaVu Sans or Liberation Sans (Debian's fonts-dejavu-core, fonts-liberation), then any TrueType font in the usual
/// folders. Without one, pictures are drawn without their captions and say so once on stderr.
/// </summary>
public static class Fonts
{
    /// <summary>Environment variable naming a .ttf/.otf file to use for captions.</summary>
    public const string FontVariable = "AECOURSE_FONT";

    static readonly string[] Preferred = ["DejaVuSans.ttf", "LiberationSans-Regular.ttf", "Arial.ttf", "arial.ttf", "Helvetica.ttc"];

    static readonly Lazy<SKTypeface?> Found = new(() => Find(Environment.GetEnvironmentVariable(FontVariable), SearchFolders()));
    static int warned;

    /// <summary>The caption typeface, or null when no font file was found.</summary>
    public static SKTypeface? Caption => Found.Value;

    /// <summary>The font named by <paramref name="named"/> (an error if it is not one), else the best one in <paramref name="folders"/>.</summary>
    internal static SKTypeface? Find(string? named, IEnumerable<string> folders)
    {
        if (named is { Length: > 0 })
        {
            if (!File.Exists(named)) throw new FileNotFoundException($"${FontVariable} names {named}, which does not exist.", named);
            return Load(named) ?? throw new InvalidDataException($"${FontVariable} names {named}, which is not a font SkiaSharp can read.");
        }
        var files = folders.Where(Directory.Exists)
            .SelectMany(d => SafeEnumerate(d))
            .ToList();
        foreach (var name in Preferred)
            if (files.FirstOrDefault(f => Path.GetFileName(f) == name) is { } preferred && Load(preferred) is { } typeface)
                return typeface;
        foreach (var file in files.Where(f => f.EndsWith(".ttf", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal))
            if (Load(file) is { } typeface)
                return typeface;
        return null;
    }

    /// <summary>Warns once that captions are left out.</summary>
    internal static void WarnMissing()
    {
        if (Interlocked.Exchange(ref warned, 1) == 0)
            Console.Error.WriteLine($"AeCourse: no TrueType font found, so pictures have no captions. Install fonts-dejavu-core or set ${FontVariable} to a .ttf file.");
    }

    static SKTypeface? Load(string path)
    {
        var typeface = SKTypeface.FromFile(path);
        return typeface is null || typeface.GlyphCount == 0 ? null : typeface;
    }

    static IEnumerable<string> SearchFolders()
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return
        [
            "/usr/share/fonts", "/usr/local/share/fonts", Path.Combine(home, ".local/share/fonts"), Path.Combine(home, ".fonts"),
            "/System/Library/Fonts", "/Library/Fonts", Environment.GetFolderPath(Environment.SpecialFolder.Fonts),
        ];
    }

    static IEnumerable<string> SafeEnumerate(string folder)
    {
        try
        {
            return Directory.EnumerateFiles(folder, "*.tt?", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true }).ToList();
        }
        catch (IOException)
        {
            return [];
        }
    }
}
