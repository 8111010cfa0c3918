using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace AeCourse.Notebooks.Grading;

/// <summary>
/// One report from the grading worker: cell <see cref="Cell"/> ran with <see cref="Outcome"/>. On the wire it is one
/// line, <c>AEG1 seq cell outcome message payload mac</c>, text fields in base64, the MAC an HMAC-SHA256 over the other
/// fields with the key the grader gave the worker on its standard input before any student code ran.
/// </summary>
/// <param name="Sequence">0 for the first message of a worker, then 1, 2, …; the grader takes each number once, in order.</param>
/// <param name="Cell">The cell's position in the graded notebook (0-based); -1 for <see cref="Ready"/>.</param>
/// <param name="Outcome">ok, error or oom (the cell threw OutOfMemoryException), or ready.</param>
/// <param name="Message">The error's first line, or empty.</param>
/// <param name="Payload">The cell's outputs as nbformat JSON, for the feedback notebook.</param>
internal sealed record WorkerMessage(long Sequence, int Cell, string Outcome, string Message, string Payload)
{
    /// <summary>The outcome of the message sent once the engine has started, before the first cell.</summary>
    public const string Ready = "ready";

    const string Tag = "AEG1 ";

    /// <summary>The line to send, MAC included (no newline).</summary>
    public string Encode(byte[] key)
    {
        var body = Body(Sequence, Cell, Outcome, B64(Message), B64(Payload));
        return Tag + body.Replace('\n', ' ') + " " + Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(body)));
    }

    /// <summary>
    /// Reads a line. Anything before the last tag is ignored, so bytes student code wrote to the pipe without a newline
    /// cannot swallow the next genuine message. Null when the line is not a message or its MAC is wrong.
    /// </summary>
    public static WorkerMessage? Decode(string line, byte[] key)
    {
        int at = line.LastIndexOf(Tag, StringComparison.Ordinal);
        if (at < 0) return null;
        var fields = line[(at + Tag.Length)..].Trim().Split(' ');
        if (fields.Length != 6) return null;
        if (!long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out long sequence)) return null;
        if (!int.TryParse(fields[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int cell)) return null;
        var body = Body(sequence, cell, fields[2], fields[3], fields[4]);
        byte[] mac;
        try { mac = Convert.FromBase64String(fields[5]); }
        catch (FormatException) { return null; }
        if (!CryptographicOperations.FixedTimeEquals(mac, HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(body)))) return null;
        try { return new WorkerMessage(sequence, cell, fields[2], Text(fields[3]), Text(fields[4])); }
        catch (FormatException) { return null; }
    }

    static string Body(long sequence, int cell, string outcome, string message, string payload) =>
        string.Create(CultureInfo.InvariantCulture, $"{sequence}\n{cell}\n{outcome}\n{message}\n{payload}");

    static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    static string Text(string b64) => Encoding.UTF8.GetString(Convert.FromBase64String(b64));
}
