using System.Buffers.Binary;
using System.IO.Compression;
using AeCourse.IO;

namespace AeCourse.Data;

/// <summary>Element types of the IDX format (the third byte of the magic number).</summary>
public enum IdxType : byte
{
    /// <summary>Unsigned byte: MNIST pixels and labels.</summary>
    UInt8 = 0x08,
    /// <summary>Signed byte.</summary>
    Int8 = 0x09,
    /// <summary>Big-endian 16-bit integer.</summary>
    Int16 = 0x0B,
    /// <summary>Big-endian 32-bit integer.</summary>
    Int32 = 0x0C,
    /// <summary>Big-endian 32-bit float.</summary>
    Float32 = 0x0D,
    /// <summary>Big-endian 64-bit float.</summary>
    Float64 = 0x0E,
}

/// <summary>An n-dimensional array as stored in an IDX file: element type, shape and the raw big-endian payload.</summary>
/// <param name="Type">Element type.</param>
/// <param name="Shape">Dimensions, outermost first (images: [count, rows, columns]).</param>
/// <param name="Payload">Elements in row-major order, big-endian as in the file.</param>
public sealed record IdxArray(IdxType Type, int[] Shape, byte[] Payload)
{
    /// <summary>Number of items along the first dimension (images, labels).</summary>
    public int Count => Shape[0];

    /// <summary>Creates an unsigned-byte array (images or labels) after checking that shape and length agree.</summary>
    public static IdxArray FromBytes(byte[] values, params int[] shape)
    {
        long expected = shape.Aggregate(1L, (a, d) => a * d);
        if (expected != values.Length)
            throw new ArgumentException($"Shape [{string.Join(", ", shape)}] holds {expected} bytes, but {values.Length} were given.", nameof(values));
        return new IdxArray(IdxType.UInt8, shape, values);
    }
}

/// <summary>
/// Reads and writes IDX files (the format of MNIST and its relatives), raw or gzip-compressed.
/// Format: two zero bytes, a type byte, a rank byte, one big-endian int32 per dimension, then the elements.
/// </summary>
public static class IdxFile
{
    const int MaxRank = 8;

    /// <summary>Reads an IDX file; gzip is detected from the content (1F 8B), and a name ending in .gz must be gzip.</summary>
    /// <exception cref="IdxFormatException">The file is not valid IDX; the message names the file and the fault.</exception>
    public static IdxArray Read(string path)
    {
        byte[] raw;
        try { raw = File.ReadAllBytes(path); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { throw new IdxFormatException(path, "file not found"); }
        bool isGzip = raw.Length >= 2 && raw[0] == 0x1f && raw[1] == 0x8b;
        if (!isGzip && path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
            throw new IdxFormatException(path, $"not gzip: the name ends in .gz but the file starts with {Hex(raw, 2)}, not 1F 8B");
        return Parse(path, isGzip ? Gunzip(path, raw) : raw);
    }

    /// <summary>Parses IDX bytes already in memory; <paramref name="path"/> is used in messages only.</summary>
    public static IdxArray Parse(string path, byte[] bytes)
    {
        if (bytes.Length < 4)
            throw new IdxFormatException(path, $"truncated at byte {bytes.Length}: the 4-byte magic number is incomplete");
        if (bytes[0] != 0 || bytes[1] != 0 || !Enum.IsDefined((IdxType)bytes[2]) || bytes[3] is 0 or > MaxRank)
            throw new IdxFormatException(path, $"bad magic number {Hex(bytes, 4)}: expected 00 00, a type byte (08, 09, 0B, 0C, 0D or 0E) and a rank from 1 to {MaxRank}");
        var type = (IdxType)bytes[2];
        int rank = bytes[3];
        int headerLength = 4 + 4 * rank;
        if (bytes.Length < headerLength)
            throw new IdxFormatException(path, $"truncated at byte {bytes.Length}: the header of rank {rank} needs {headerLength} bytes");
        var shape = new int[rank];
        long elements = 1;
        for (int d = 0; d < rank; d++)
        {
            shape[d] = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + 4 * d));
            if (shape[d] < 0)
                throw new IdxFormatException(path, $"dimension {d} is negative ({shape[d]})");
            elements *= shape[d];
        }
        long expected = headerLength + elements * ElementSize(type);
        if (bytes.Length < expected)
            throw new IdxFormatException(path, $"truncated at byte {bytes.Length}: shape [{string.Join(", ", shape)}] needs {expected} bytes");
        if (bytes.Length > expected)
            throw new IdxFormatException(path, $"{bytes.Length - expected} unexpected bytes after the data: shape [{string.Join(", ", shape)}] needs {expected} bytes");
        return new IdxArray(type, shape, bytes[headerLength..]);
    }

    /// <summary>Writes an IDX file atomically (temporary file, then rename); gzip when the name ends in .gz.</summary>
    public static void Write(string path, IdxArray array, CompressionLevel compression = CompressionLevel.SmallestSize)
    {
        long elements = array.Shape.Aggregate(1L, (a, d) => a * d);
        if (array.Shape.Length is 0 or > MaxRank)
            throw new ArgumentException($"IDX rank must be 1 to {MaxRank}, not {array.Shape.Length}.", nameof(array));
        if (elements * ElementSize(array.Type) != array.Payload.Length)
            throw new ArgumentException($"Shape [{string.Join(", ", array.Shape)}] of {array.Type} needs {elements * ElementSize(array.Type)} bytes, payload has {array.Payload.Length}.", nameof(array));

        AtomicFile.Write(path, stream =>
        {
            if (!path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
            {
                WriteContent(stream, array);
                return;
            }
            using var gzip = new GZipStream(stream, compression, leaveOpen: true);
            WriteContent(gzip, array);
        });
    }

    static void WriteContent(Stream output, IdxArray array)
    {
        Span<byte> header = stackalloc byte[4 + 4 * MaxRank];
        header[0] = 0; header[1] = 0; header[2] = (byte)array.Type; header[3] = (byte)array.Shape.Length;
        for (int d = 0; d < array.Shape.Length; d++)
            BinaryPrimitives.WriteInt32BigEndian(header[(4 + 4 * d)..], array.Shape[d]);
        output.Write(header[..(4 + 4 * array.Shape.Length)]);
        output.Write(array.Payload);
    }

    /// <summary>Bytes per element of an IDX type.</summary>
    public static int ElementSize(IdxType type) => type switch
    {
        IdxType.UInt8 or IdxType.Int8 => 1,
        IdxType.Int16 => 2,
        IdxType.Int32 or IdxType.Float32 => 4,
        IdxType.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not an IDX type"),
    };

    static byte[] Gunzip(string path, byte[] compressed)
    {
        // The ISIZE trailer (uncompressed length mod 2^32) lets us allocate once; MNIST files are far below 4 GiB.
        int hint = compressed.Length >= 18 ? BinaryPrimitives.ReadInt32LittleEndian(compressed.AsSpan(compressed.Length - 4)) : 0;
        using var output = new MemoryStream(hint > 0 ? hint : compressed.Length * 4);
        try
        {
            using var gzip = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress);
            gzip.CopyTo(output);
        }
        catch (InvalidDataException e)
        {
            throw new IdxFormatException(path, $"corrupt gzip data ({e.Message}); {compressed.Length} compressed bytes, {output.Length} decompressed before the fault");
        }
        catch (EndOfStreamException)
        {
            throw new IdxFormatException(path, $"truncated gzip: the compressed stream ends at byte {compressed.Length} ({output.Length} bytes decompressed)");
        }
        return output.Length == output.Capacity ? output.GetBuffer() : output.ToArray();
    }

    static string Hex(byte[] bytes, int count) =>
        bytes.Length == 0 ? "(empty file)" : Convert.ToHexString(bytes, 0, Math.Min(count, bytes.Length)).Chunk(2).Select(c => new string(c)).Aggregate((a, b) => a + " " + b);
}

/// <summary>An IDX file is malformed; <see cref="Exception.Message"/> names the file and what is wrong.</summary>
public sealed class IdxFormatException(string filePath, string problem)
    : IOException($"{filePath}: {problem}.")
{
    /// <summary>The file that failed to read.</summary>
    public string FilePath { get; } = filePath;

    /// <summary>What is wrong, without the file name.</summary>
    public string Problem { get; } = problem;
}
