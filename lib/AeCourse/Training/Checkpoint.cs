using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AeCourse.IO;
using TorchSharp.Modules;
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
/// <remarks>Layout: "AECKPT1\n", the header's length (int32), the header as JSON (info, SHA-256 of the rest, length
/// of the weights), the weights as TorchSharp writes them, then the optimizer's state if one was saved (so that a
/// resumed Adam keeps its moment estimates).</remarks>
public static class Checkpoint
{
    static readonly byte[] Magic = "AECKPT1\n"u8.ToArray();

    sealed record Header(CheckpointInfo Info, string Sha256, long WeightsLength);

    /// <summary>Writes <paramref name="model"/>'s weights and <paramref name="info"/> to <paramref name="path"/>.</summary>
    /// <param name="model">Whose weights to save.</param>
    /// <param name="path">The checkpoint file.</param>
    /// <param name="info">Model name, epoch and metrics.</param>
    /// <param name="optimizer">Also save its state (moment estimates, step counts), for resuming.</param>
    public static void Save(nn.Module model, string path, CheckpointInfo info, OptimizerHelper? optimizer = null) =>
        Save(model, path, info, optimizer, file => file);

    /// <summary>As <see cref="Save(nn.Module, string, CheckpointInfo, OptimizerHelper?)"/>, writing through
    /// <paramref name="wrapFile"/> (tests use it to make the disk fail partway through).</summary>
    internal static void Save(nn.Module model, string path, CheckpointInfo info, OptimizerHelper? optimizer, Func<Stream, Stream> wrapFile)
    {
        using var buffer = new MemoryStream();
        long weightsLength;
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            model.save(writer);
            writer.Flush();
            weightsLength = buffer.Length;
            optimizer?.save_state_dict(writer);
        }
        var payload = buffer.ToArray();
        var header = JsonSerializer.SerializeToUtf8Bytes(new Header(info, Convert.ToHexStringLower(SHA256.HashData(payload)), weightsLength));
        AtomicFile.Write(path, file =>
        {
            var stream = wrapFile(file);
            stream.Write(Magic);
            stream.Write(BitConverter.GetBytes(header.Length));
            stream.Write(header);
            stream.Write(payload);
        });
    }

    /// <summary>Loads weights into <paramref name="model"/> (and, if saved, the state of <paramref name="optimizer"/>); returns the info.</summary>
    /// <exception cref="CheckpointException">Missing, not a checkpoint, truncated, corrupt, or for another model.</exception>
    public static CheckpointInfo Load(nn.Module model, string path, OptimizerHelper? optimizer = null)
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
        using (var weights = new BinaryReader(new MemoryStream(bytes, payloadStart, (int)header.WeightsLength)))
            model.load(weights);
        long optimizerStart = payloadStart + header.WeightsLength;
        if (optimizer is not null && optimizerStart < bytes.Length)
        {
            using var state = new BinaryReader(new MemoryStream(bytes, (int)optimizerStart, bytes.Length - (int)optimizerStart));
            optimizer.load_state_dict(state);
        }
        return header.Info;
    }
}
