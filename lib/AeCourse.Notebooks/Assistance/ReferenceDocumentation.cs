using System.Collections.Concurrent;
using System.Globalization;
using System.Xml;
using Microsoft.CodeAnalysis;

namespace AeCourse.Notebooks.Assistance;

/// <summary>
/// Gives references the XML documentation Roslyn shows in quick info. Cells compile against the shared framework's
/// implementation assemblies, which ship without docs; the SDK's reference pack beside them
/// (<c>packs/Microsoft.NETCore.App.Ref/&lt;version&gt;/ref/net&lt;major.minor&gt;</c>) has one XML file per reference
/// assembly. A package's docs lie beside its DLL.
/// </summary>
internal static class ReferenceDocumentation
{
    // The implementation of most of the base library is one assembly, whose types the reference pack documents under the
    // reference assemblies that expose them: System.Runtime first, then these.
    static readonly string[] CoreLibraryDocs =
    [
        "System.Runtime", "System.Collections", "System.Memory", "System.Threading", "System.Runtime.InteropServices",
        "System.Runtime.Intrinsics", "System.Numerics.Vectors", "System.Text.Encoding.Extensions",
    ];

    static readonly string RuntimeDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
    static readonly Lazy<string?> Pack = new(FindReferencePack);

    /// <summary>The folder of the reference pack's XML files, or null where there is no SDK.</summary>
    public static string? ReferencePack => Pack.Value;

    /// <summary><paramref name="reference"/> with its documentation, or itself where none is found.</summary>
    public static MetadataReference Attach(MetadataReference reference)
    {
        if (reference is not PortableExecutableReference { FilePath: { } path } file) return reference;
        var docs = DocumentationFiles(path).Where(File.Exists).ToArray();
        return docs.Length == 0 ? reference : MetadataReference.CreateFromFile(path, file.Properties, new XmlFiles(docs));
    }

    static IEnumerable<string> DocumentationFiles(string assemblyPath)
    {
        yield return Path.ChangeExtension(assemblyPath, ".xml");
        if (ReferencePack is not { } pack || !SameDirectory(Path.GetDirectoryName(assemblyPath), RuntimeDirectory)) yield break;
        var name = Path.GetFileNameWithoutExtension(assemblyPath);
        foreach (var docName in name == "System.Private.CoreLib" ? CoreLibraryDocs : [name])
            yield return Path.Combine(pack, docName + ".xml");
    }

    static bool SameDirectory(string? a, string b) =>
        a is not null && string.Equals(Path.GetFullPath(a).TrimEnd(Path.DirectorySeparatorChar), Path.GetFullPath(b).TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal);

    /// <summary>
    /// The reference pack of the running framework: the runtime lives in <c>&lt;dotnet&gt;/shared/Microsoft.NETCore.App/&lt;version&gt;</c>;
    /// the pack of the same version is taken, else the newest one of the same major and minor version that is not newer.
    /// Null without an SDK (a bare runtime has no packs), where quick info shows signatures alone.
    /// </summary>
    static string? FindReferencePack()
    {
        if (!Version.TryParse(Path.GetFileName(RuntimeDirectory).Split('-')[0], out var runtime)) return null;
        var packs = Path.GetFullPath(Path.Combine(RuntimeDirectory, "..", "..", "..", "packs", "Microsoft.NETCore.App.Ref"));
        if (!Directory.Exists(packs)) return null;
        var target = $"net{runtime.Major}.{runtime.Minor}";
        return Directory.GetDirectories(packs)
            .Select(dir => (Dir: dir, Version: Version.TryParse(Path.GetFileName(dir).Split('-')[0], out var v) ? v : null))
            .Where(p => p.Version is { } v && v.Major == runtime.Major && v.Minor == runtime.Minor && v <= runtime)
            .OrderByDescending(p => p.Version)
            .Select(p => Path.Combine(p.Dir, "ref", target))
            .FirstOrDefault(Directory.Exists);
    }

    /// <summary>
    /// Answers from the first of several XML documentation files that documents the member. Roslyn's own
    /// XmlDocumentationProvider answers only Roslyn, so it cannot be chained: each file is read here, into a table of its
    /// members, when first asked, and kept for the process (a kernel restarting its assistant reads it once).
    /// </summary>
    sealed class XmlFiles(string[] paths) : DocumentationProvider
    {
        static readonly ConcurrentDictionary<string, Lazy<Dictionary<string, string>>> Tables = new(StringComparer.Ordinal);

        readonly string[] _paths = paths;

        protected override string? GetDocumentationForSymbol(string documentationMemberID, CultureInfo preferredCulture, CancellationToken cancellationToken = default)
        {
            foreach (var path in _paths)
                if (Tables.GetOrAdd(path, p => new(() => Read(p))).Value.TryGetValue(documentationMemberID, out var xml)) return xml;
            return null;
        }

        /// <summary>Each <c>&lt;member name="…"&gt;</c> element of the file, whole, by its name; empty when the file cannot be read.</summary>
        static Dictionary<string, string> Read(string path)
        {
            var members = new Dictionary<string, string>(StringComparer.Ordinal);
            try
            {
                using var reader = XmlReader.Create(path, new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, XmlResolver = null });
                reader.MoveToContent();
                while (!reader.EOF)
                {
                    if (reader.NodeType == XmlNodeType.Element && reader.Name == "member" && reader.GetAttribute("name") is { } name)
                        members.TryAdd(name, reader.ReadOuterXml());   // moves past the element
                    else
                        reader.Read();
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or XmlException)
            {
                // Docs are a nicety: a broken file leaves quick info with signatures alone.
            }
            return members;
        }

        // Roslyn compares providers when it compares references.
        public override bool Equals(object? obj) => obj is XmlFiles other && _paths.SequenceEqual(other._paths, StringComparer.Ordinal);

        public override int GetHashCode() => _paths.Aggregate(0, (hash, p) => HashCode.Combine(hash, StringComparer.Ordinal.GetHashCode(p)));
    }
}
