namespace AeCourse.Data;

/// <summary>Which copy of a dataset to use.</summary>
public enum DatasetVariant
{
    /// <summary>The full set if it has been fetched, else the embedded subset.</summary>
    Auto,
    /// <summary>The small stratified subset committed under data/embedded.</summary>
    Embedded,
    /// <summary>The full set fetched by <c>aecourse data fetch</c> into data/full.</summary>
    Full,
}

/// <summary>A problem <see cref="DataStore.Verify"/> found.</summary>
/// <param name="Path">The file or manifest concerned.</param>
/// <param name="Problem">What is wrong.</param>
public sealed record VerifyProblem(string Path, string Problem)
{
    /// <inheritdoc />
    public override string ToString() => $"{Path}: {Problem}";
}

/// <summary>
/// The kit's data folder: <c>embedded/</c> (committed subsets, described by <c>manifest.json</c>) and <c>full/</c>
/// (fetched sets, one manifest each).
/// </summary>
/// <param name="root">The data folder.</param>
public sealed class DataStore(string root)
{
    /// <summary>Environment variable that points at the data folder explicitly.</summary>
    public const string RootVariable = "AECOURSE_DATA";

    /// <summary>The data folder.</summary>
    public string Root { get; } = Path.GetFullPath(root);

    /// <summary>
    /// Finds the data folder: $AECOURSE_DATA, else the nearest <c>data/</c> with a manifest above the current folder,
    /// else above the program's folder (a build output inside the repository).
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">No data folder was found; the message says how to point at one.</exception>
    public static DataStore Locate()
    {
        var explicitRoot = Environment.GetEnvironmentVariable(RootVariable);
        if (!string.IsNullOrWhiteSpace(explicitRoot)) return new DataStore(explicitRoot);
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "data");
                if (File.Exists(Path.Combine(candidate, DataManifest.FileName))) return new DataStore(candidate);
            }
        throw new DirectoryNotFoundException(
            $"No AeCourse data folder (data/{DataManifest.FileName}) above {Directory.GetCurrentDirectory()}. " +
            $"Run from inside the course repository, or set {RootVariable} to its data folder.");
    }

    /// <summary>Folder of the embedded subset of a dataset.</summary>
    public string EmbeddedFolder(string dataset) => Path.Combine(Root, "embedded", dataset);

    /// <summary>Folder a full dataset is fetched into.</summary>
    public string FullFolder(string dataset) => Path.Combine(Root, "full", dataset);

    /// <summary>The manifest of the embedded subsets.</summary>
    public string EmbeddedManifestPath => Path.Combine(Root, DataManifest.FileName);

    /// <summary>Whether a variant of a dataset is on disk (its four files exist).</summary>
    public bool Has(string dataset, DatasetVariant variant) => variant switch
    {
        DatasetVariant.Embedded => SplitFiles.All.All(f => File.Exists(Path.Combine(EmbeddedFolder(dataset), f))),
        DatasetVariant.Full => File.Exists(Path.Combine(FullFolder(dataset), DataManifest.FileName)),
        _ => Has(dataset, DatasetVariant.Full) || Has(dataset, DatasetVariant.Embedded),
    };

    /// <summary>The folder to load from: the full set when asked for or (Auto) when fetched, else the embedded subset.</summary>
    /// <exception cref="FileNotFoundException">The variant is not on disk; the message says how to get it.</exception>
    public string FolderOf(string dataset, DatasetVariant variant)
    {
        if (variant != DatasetVariant.Embedded && Has(dataset, DatasetVariant.Full)) return FullFolder(dataset);
        if (variant == DatasetVariant.Full)
            throw new FileNotFoundException($"The full {dataset} set is not in {FullFolder(dataset)}: run `aecourse data fetch {dataset}`.");
        if (Has(dataset, DatasetVariant.Embedded)) return EmbeddedFolder(dataset);
        throw new FileNotFoundException($"{dataset} has no embedded subset in {EmbeddedFolder(dataset)}: run `aecourse data fetch {dataset}` for the full set.");
    }

    /// <summary>Every manifest in the store: the embedded one and one per fetched set.</summary>
    public IEnumerable<string> ManifestPaths()
    {
        if (File.Exists(EmbeddedManifestPath)) yield return EmbeddedManifestPath;
        var full = Path.Combine(Root, "full");
        if (!Directory.Exists(full)) yield break;
        foreach (var dir in Directory.EnumerateDirectories(full).Order(StringComparer.Ordinal))
        {
            var manifest = Path.Combine(dir, DataManifest.FileName);
            if (File.Exists(manifest)) yield return manifest;
        }
    }

    /// <summary>
    /// Checks every file of every manifest: present, same size and SHA-256, valid IDX with the recorded shape; for
    /// fetched sets also that the content matches the catalog's published or converted checksum. Empty list: all good.
    /// </summary>
    public IReadOnlyList<VerifyProblem> Verify()
    {
        var problems = new List<VerifyProblem>();
        var manifests = ManifestPaths().ToList();
        if (manifests.Count == 0) problems.Add(new VerifyProblem(EmbeddedManifestPath, "no manifest: the data folder is empty or not an AeCourse data folder"));
        foreach (var manifestPath in manifests)
        {
            DataManifest manifest;
            try { manifest = DataManifest.Read(manifestPath); }
            catch (InvalidDataException e) { problems.Add(new VerifyProblem(manifestPath, e.Message)); continue; }
            var folder = Path.GetDirectoryName(manifestPath)!;
            foreach (var entry in manifest.Entries)
                foreach (var file in entry.Files)
                    problems.AddRange(VerifyFile(folder, entry, file));
        }
        return problems;
    }

    static IEnumerable<VerifyProblem> VerifyFile(string folder, ManifestEntry entry, ManifestFile expected)
    {
        var path = Path.Combine(folder, expected.Path);
        if (!File.Exists(path)) return [new(path, "missing")];
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length != expected.Size)
            return [new(path, $"size {bytes.Length} bytes, manifest says {expected.Size}")];
        var sha = DataManifest.Sha256Hex(bytes);
        if (sha != expected.Sha256)
            return [new(path, $"SHA-256 {sha} does not match the manifest's {expected.Sha256}: the file changed or is corrupt")];
        IdxArray array;
        try { array = IdxFile.Read(path); }
        catch (IdxFormatException e) { return [new(path, e.Problem)]; }
        if (!array.Shape.SequenceEqual(expected.Shape))
            return [new(path, $"shape [{string.Join(", ", array.Shape)}], manifest says [{string.Join(", ", expected.Shape)}]")];
        var reference = entry.Variant == "full" ? CatalogChecksum(entry, Path.GetFileName(expected.Path)) : null;
        if (reference is not null && reference != sha && reference != DataManifest.ContentSha256(array))
            return [new(path, $"content does not match the catalog's checksum {reference} for {entry.Dataset}")];
        return [];
    }

    /// <summary>The catalog's checksum for a fetched file: the published .gz's, or the converted content's for npm sets.</summary>
    static string? CatalogChecksum(ManifestEntry entry, string fileName)
    {
        var info = DatasetCatalog.All.FirstOrDefault(d => d.Name == entry.Dataset);
        if (info is null) return null;
        if (entry.Source.StartsWith("npm:", StringComparison.Ordinal))
            return info.Npm?.ConvertedSha256.GetValueOrDefault(fileName);
        return info.Files.FirstOrDefault(f => f.Name == fileName)?.Sha256;
    }
}
