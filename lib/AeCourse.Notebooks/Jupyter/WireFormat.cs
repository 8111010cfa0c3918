using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AeCourse.Notebooks.Jupyter;

/// <summary>A message's signature is missing or does not match its frames; the message says which.</summary>
public sealed class InvalidSignatureException(string message) : Exception(message);

/// <summary>A frame set is not a Jupyter message; the message says what is wrong with it.</summary>
public sealed class MalformedMessageException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The Jupyter wire format (messaging.html, "The Wire Protocol"): a message is sent as the ZeroMQ frames
/// <c>identities…, &lt;IDS|MSG&gt;, signature, header, parent_header, metadata, content, buffers…</c>, the four
/// dictionaries as UTF-8 JSON and the signature the lowercase hex HMAC of those four frames in that order.
/// </summary>
public static class WireFormat
{
    /// <summary>The frame between the routing identities and the message proper.</summary>
    public static ReadOnlySpan<byte> Delimiter => "<IDS|MSG>"u8;

    // Signature, header, parent_header, metadata, content.
    const int FramesAfterDelimiter = 5;

    // Compact JSON with non-ASCII text left as is: smaller frames than the default encoder, which escapes all but
    // ASCII (and HTML's characters, which mean nothing here).
    static readonly JsonWriterOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    static readonly string[] Parts = ["header", "parent_header", "metadata", "content"];

    /// <summary>The frames of <paramref name="message"/>, signed with <paramref name="signer"/>.</summary>
    public static List<byte[]> Encode(JupyterMessage message, MessageSigner signer)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(signer);
        byte[][] json = [Json(message.Header), Json(message.ParentHeader), Json(message.Metadata), Json(message.Content)];

        var frames = new List<byte[]>(message.Identities.Count + 2 + json.Length + message.Buffers.Count);
        frames.AddRange(message.Identities);
        frames.Add(Delimiter.ToArray());
        frames.Add(Encoding.ASCII.GetBytes(signer.Sign(json)));
        frames.AddRange(json);
        frames.AddRange(message.Buffers);
        return frames;
    }

    /// <summary>
    /// The message in <paramref name="frames"/>. Throws <see cref="MalformedMessageException"/> when there is no
    /// delimiter, fewer than five frames after it, or a dictionary frame that is not a JSON object (or a header without
    /// a msg_type); throws <see cref="InvalidSignatureException"/> when the signature is missing or wrong. The
    /// signature is checked before any JSON is parsed, so an unsigned sender never reaches the parser.
    /// </summary>
    public static JupyterMessage Decode(IReadOnlyList<byte[]> frames, MessageSigner signer)
    {
        ArgumentNullException.ThrowIfNull(frames);
        ArgumentNullException.ThrowIfNull(signer);

        int delimiter = IndexOfDelimiter(frames);
        if (delimiter < 0)
            throw new MalformedMessageException($"no <IDS|MSG> delimiter among its {frames.Count} frames");
        int after = frames.Count - delimiter - 1;
        if (after < FramesAfterDelimiter)
            throw new MalformedMessageException(
                $"{after} frames after the <IDS|MSG> delimiter; a message has at least {FramesAfterDelimiter} (signature, header, parent_header, metadata, content)");

        var signed = new byte[Parts.Length][];
        for (int i = 0; i < signed.Length; i++) signed[i] = frames[delimiter + 2 + i];
        CheckSignature(frames[delimiter + 1], signed, signer);

        var header = JsonFrame(signed[0], Parts[0]);
        if (header["msg_type"] is not JsonValue type || !type.TryGetValue<string>(out _))
            throw new MalformedMessageException("the header has no msg_type string");

        return new JupyterMessage
        {
            Identities = Slice(frames, 0, delimiter),
            Header = header,
            ParentHeader = JsonFrame(signed[1], Parts[1]),
            Metadata = JsonFrame(signed[2], Parts[2]),
            Content = JsonFrame(signed[3], Parts[3]),
            Buffers = Slice(frames, delimiter + 1 + FramesAfterDelimiter, frames.Count),
        };
    }

    static int IndexOfDelimiter(IReadOnlyList<byte[]> frames)
    {
        for (int i = 0; i < frames.Count; i++)
            if (frames[i].AsSpan().SequenceEqual(Delimiter)) return i;
        return -1;
    }

    static void CheckSignature(byte[] frame, byte[][] signed, MessageSigner signer)
    {
        if (frame.Length == 0) throw new InvalidSignatureException("the message is unsigned (empty signature frame)");
        // A valid signature is ASCII hex; anything else is simply wrong, and printing it could flood the log.
        var signature = Encoding.ASCII.GetString(frame);
        if (!signer.Verify(signature, signed))
            throw new InvalidSignatureException("the signature does not match the message's header, parent_header, metadata and content");
    }

    static JsonObject JsonFrame(byte[] frame, string part)
    {
        try
        {
            return JsonNode.Parse(frame) as JsonObject
                ?? throw new MalformedMessageException($"the {part} frame is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new MalformedMessageException($"the {part} frame is not valid JSON: {e.Message}", e);
        }
    }

    static byte[] Json(JsonObject part)
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Compact)) part.WriteTo(writer);
        return buffer.ToArray();
    }

    static byte[][] Slice(IReadOnlyList<byte[]> frames, int from, int to)
    {
        var slice = new byte[to - from][];
        for (int i = from; i < to; i++) slice[i - from] = frames[i];
        return slice;
    }
}
