using System.Security.Cryptography;
using System.Text;

namespace AeCourse.Notebooks.Jupyter;

/// <summary>
/// Signs and checks Jupyter messages: HMAC-SHA256, keyed with the connection file's key (its UTF-8 bytes), over the
/// given frames one after another, written as lowercase hex as jupyter_client does. Thread-safe.
/// </summary>
public sealed class MessageSigner
{
    const int DigestBytes = 32;
    readonly byte[] _key;

    /// <param name="key">The connection key; an empty key is refused, as the kit never runs unauthenticated.</param>
    public MessageSigner(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length == 0) throw new ArgumentException("the signing key is empty; the kit's kernel refuses unsigned messages", nameof(key));
        _key = Encoding.UTF8.GetBytes(key);
    }

    /// <summary>The signature of <paramref name="parts"/> (on the wire: header, parent_header, metadata, content) as lowercase hex.</summary>
    public string Sign(IReadOnlyList<byte[]> parts) => Convert.ToHexStringLower(Digest(parts));

    /// <summary>
    /// True when <paramref name="signature"/> is the signature of <paramref name="parts"/>. The digests are compared
    /// in constant time, so the time taken tells a forger nothing about how much of a guess was right.
    /// </summary>
    public bool Verify(string signature, IReadOnlyList<byte[]> parts)
    {
        if (signature is null || signature.Length != 2 * DigestBytes) return false;
        byte[] given;
        try
        {
            given = Convert.FromHexString(signature);
        }
        catch (FormatException)
        {
            return false;
        }
        return CryptographicOperations.FixedTimeEquals(given, Digest(parts));
    }

    byte[] Digest(IReadOnlyList<byte[]> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key);
        foreach (var part in parts) hmac.AppendData(part);
        return hmac.GetHashAndReset();
    }
}
