using System.Buffers.Binary;
using System.Globalization;
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

    /// <summary>
    /// Reads an IDX file; gzip is detected from the content (1F 8B), and a name ending in .gz must be gzip. The file is
    /// streamed: the payload is the only array made (Fashion-MNIST's training images: 47 MB, where reading the file
    /// whole, decompressing it and cutting off the header made three arrays, 121 MB that stayed with the process).
    /// </summary>
    /// <exception cref="IdxFormatException">The file is not valid IDX; the message names the file and the fault.</exception>
    public static IdxArray Read(string path)
    {
        FileStream file;
        try { file = File.OpenRead(path); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { throw new IdxFormatException(path, "file not found"); }
        using (file)
        {
            var start = new byte[2];
            int startLength = file.ReadAtLeast(start, 2, throwOnEndOfStream: false);
            file.Position = 0;
            bool isGzip = startLength == 2 && start[0] == 0x1f && start[1] == 0x8b;
            if (!isGzip && path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
                throw new IdxFormatException(path, $"not gzip: the name ends in .gz but the file starts with {Hex(start.AsSpan(0, startLength))}, not 1F 8B");
            if (!isGzip) return ReadContent(path, file, file.Length);
            using var content = new CountingStream(new GZipStream(file, CompressionMode.Decompress));
            try { return ReadContent(path, content, GzipContentLength(file), "the gzip trailer gives the content as {0} bytes"); }
            catch (InvalidDataException e)
            {
                throw new IdxFormatException(path, $"corrupt gzip data ({e.Message}); {file.Length} compressed bytes, {content.Position} decompressed before the fault");
            }
        }
    }

    /// <summary>Parses IDX bytes already in memory; <paramref name="path"/> is used in messages only.</summary>
    public static IdxArray Parse(string path, byte[] bytes) => ReadContent(path, new MemoryStream(bytes, writable: false), bytes.Length);

    /// <summary>
    /// Reads the IDX content of a stream, header and payload, and checks that nothing follows. Where the content's
    /// length is known (<paramref name="knownLength"/>), a header that claims more is refused before the payload's array
    /// is made, so a corrupt file cannot make the reader ask for gigabytes.
    /// </summary>
    /// <param name="path">The file, for messages.</param>
    /// <param name="content">The IDX content, from its first byte.</param>
    /// <param name="knownLength">The content's length, where it is known before reading.</param>
    /// <param name="lengthSays">How a refusal names where <paramref name="knownLength"/> comes from ({0}: the length).</param>
    static IdxArray ReadContent(string path, Stream content, long? knownLength, string lengthSays = "truncated at byte {0}")
    {
        var header = new byte[4 + 4 * MaxRank];
        int read = content.ReadAtLeast(header.AsSpan(0, 4), 4, throwOnEndOfStream: false);
        if (read < 4)
            throw new IdxFormatException(path, read == 0 ? "truncated at byte 0: the file is empty" : $"truncated at byte {read}: the 4-byte magic number is incomplete");
        if (header[0] != 0 || header[1] != 0 || !Enum.IsDefined((IdxType)header[2]) || header[3] is 0 or > MaxRank)
            throw new IdxFormatException(path, $"bad magic number {Hex(header.AsSpan(0, 4))}: expected 00 00, a type byte (08, 09, 0B, 0C, 0D or 0E) and a rank from 1 to {MaxRank}");
        var type = (IdxType)header[2];
        int rank = header[3];
        int headerLength = 4 + 4 * rank;
        read += content.ReadAtLeast(header.AsSpan(4, 4 * rank), 4 * rank, throwOnEndOfStream: false);
        if (read < headerLength)
            throw new IdxFormatException(path, $"truncated at byte {read}: the header of rank {rank} needs {headerLength} bytes");
        var shape = new int[rank];
        for (int d = 0; d < rank; d++)
        {
            shape[d] = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4 + 4 * d));
            if (shape[d] < 0)
                throw new IdxFormatException(path, $"dimension {d} is negative ({shape[d]})");
        }
        // Each factor is below 2^31 and the product stops growing past Array.MaxLength, so nothing overflows.
        long payloadLength = ElementSize(type);
        foreach (var length in shape)
            payloadLength = payloadLength > Array.MaxLength ? payloadLength : payloadLength * length;
        if (payloadLength > Array.MaxLength)
            throw new IdxFormatException(path, $"shape [{string.Join(", ", shape)}] needs more bytes than one array holds ({Array.MaxLength})");
        long expected = headerLength + payloadLength;
        if (knownLength < expected)
            throw new IdxFormatException(path, $"{string.Format(CultureInfo.InvariantCulture, lengthSays, knownLength)}: shape [{string.Join(", ", shape)}] needs {expected} bytes");
        var payload = new byte[payloadLength];
        long total = headerLength + content.ReadAtLeast(payload, payload.Length, throwOnEndOfStream: false);
        if (total < expected)
            throw new IdxFormatException(path, $"truncated at byte {total}: shape [{string.Join(", ", shape)}] needs {expected} bytes");
        long extra = 0;
        var rest = new byte[4096];
        for (int n; (n = content.Read(rest)) > 0;) extra += n;
        if (extra > 0)
            throw new IdxFormatException(path, $"{extra} unexpected bytes after the data: shape [{string.Join(", ", shape)}] needs {expected} bytes");
        return new IdxArray(type, shape, payload);
    }

    /// <summary>
    /// The length of a gzip file's content from its trailer (ISIZE, the length modulo 2^32), where that is the length:
    /// a file of one member below 4 GiB, as IDX files are. Null for a file too short to have a trailer.
    /// </summary>
    static long? GzipContentLength(FileStream file)
    {
        if (file.Length < 18 || file.Length >= 1L << 32) return null;
        long position = file.Position;
        Span<byte> trailer = stackalloc byte[4];
        file.Position = file.Length - 4;
        file.ReadExactly(trailer);
        file.Position = position;
        return BinaryPrimitives.ReadUInt32LittleEndian(trailer);
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

    static string Hex(ReadOnlySpan<byte> bytes) =>
        bytes.IsEmpty ? "(empty file)" : string.Join(" ", Convert.ToHexString(bytes).Chunk(2).Select(c => new string(c)));

    /// <summary>A read-only stream that counts what it has given, for the messages about a fault in the middle of gzip.</summary>
    sealed class CountingStream(Stream inner) : Stream
    {
        long _position;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
        public override int Read(Span<byte> buffer)
        {
            int n = inner.Read(buffer);
            _position += n;
            return n;
        }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
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
