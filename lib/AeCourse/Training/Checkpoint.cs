using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AeCourse.IO;
using static TorchSharp.torch;

namespace AeCourse.Training;

/// <summary>A checkpoint cannot be used; the message names the file and what is wrong.</summary>
public sealed class CheckpointException(string path, string problem) : IOException($"{path}: {problem}");

/// <summary>What a checkpoint records besides the weights.</summary>
/// <param name="Model">The model's type name, checked on load.</param>
/// <param name="Epoch">Epochs trained so far (resume from here).</param>
/// <param name="Metrics">Metric name → value per epoch.</param>
public sealed record CheckpointInfo(string Model, int Epoch, IReadOnlyDictionary<string, double[]> Metrics);

/// <summary>
/// Saves and loads a model's weights with a header and a SHA-256 of the weights. Saving is atomic (temporary file,
/// flush, rename): an interrupted save leaves the previous checkpoint as it was. Loading checks the magic, the
/// checksum and the model type before touching the model, so a corrupt file never replaces good weights.
/// </summary>
/// <remarks>Layout: "AECKPT1\n", the header's length (int32), the header as JSON (info and SHA-256), the weights as
/// TorchSharp writes them.</remarks>
public static class Checkpoint
{
    static readonly byte[] Magic = "AECKPT1\n"u8.ToArray();

    sealed record Header(CheckpointInfo Info, string Sha256);

    /// <summary>Writes <paramref name="model"/>'s weights and <paramref name="info"/> to <paramref name="path"/>.</summary>
    public static void Save(nn.Module model, string path, CheckpointInfo info) => Save(model, path, info, file => file);

    /// <summary>As <see cref="Save(nn.Module, string, CheckpointInfo)"/>, writing through <paramref name="wrapFile"/>
    /// (tests use it to make the disk fail partway through).</summary>
    internal static void Save(nn.Module model, string path, CheckpointInfo info, Func<Stream, Stream> wrapFile)
    {
        using var weights = new MemoryStream();
        using (var writer = new BinaryWriter(weights, Encoding.UTF8, leaveOpen: true)) model.save(writer);
        var payload = weights.ToArray();
        var header = JsonSerializer.SerializeToUtf8Bytes(new Header(info, Convert.ToHexStringLower(SHA256.HashData(payload))));
        AtomicFile.Write(path, file =>
        {
            var stream = wrapFile(file);
            stream.Write(Magic);
            stream.Write(BitConverter.GetBytes(header.Length));
            stream.Write(header);
            stream.Write(payload);
        });
    }

    /// <summary>Loads weights into <paramref name="model"/> and returns the checkpoint's info.</summary>
    /// <exception cref="CheckpointException">Missing, not a checkpoint, truncated, corrupt, or for another model.</exception>
    public static CheckpointInfo Load(nn.Module model, string path)
    {
        if (!File.Exists(path)) throw new CheckpointException(path, "no checkpoint here");
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < Magic.Length + 4 || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new CheckpointException(path, "not an AeCourse checkpoint (bad magic)");
        int headerLength = BitConverter.ToInt32(bytes, Magic.Length);
        int payloadStart = Magic.Length + 4 + headerLength;
        if (headerLength <= 0 || payloadStart > bytes.Length)
            throw new CheckpointException(path, $"truncated: the header needs {headerLength} bytes, the file has {bytes.Length}");
        Header header;
        try { header = JsonSerializer.Deserialize<Header>(bytes.AsSpan(Magic.Length + 4, headerLength)) ?? throw new JsonException("empty header"); }
        catch (JsonException e) { throw new CheckpointException(path, $"corrupt header ({e.Message})"); }
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes.AsSpan(payloadStart)));
        if (sha != header.Sha256)
            throw new CheckpointException(path, $"the weights are corrupt: SHA-256 {sha}, the header says {header.Sha256}");
        if (header.Info.Model != model.GetType().Name)
            throw new CheckpointException(path, $"it holds a {header.Info.Model}, not a {model.GetType().Name}");
        using var reader = new BinaryReader(new MemoryStream(bytes, payloadStart, bytes.Length - payloadStart));
        model.load(reader);
        return header.Info;
    }
}
