using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace AeCourse.Notebooks.Grading;

/// <summary>
/// Part <see cref="Index"/> of <see cref="Count"/> of a class (1-based, as in <c>--shard 2/8</c>). A submission belongs
/// to the shard its path relative to the class folder hashes to (SHA-256, so the same on every machine and runtime):
/// every submission falls in exactly one shard, each shard decides alone, and a submission added late moves no other.
/// </summary>
public readonly record struct Shard
{
    /// <summary>The most shards a class can be split into.</summary>
    public const int MaxCount = 10_000;

    /// <summary>Shard <paramref name="index"/> of <paramref name="count"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not 1 ≤ index ≤ count ≤ <see cref="MaxCount"/>.</exception>
    public Shard(int index, int count)
    {
        if (count < 1 || count > MaxCount) throw new ArgumentOutOfRangeException(nameof(count), count, $"a class is split into 1 to {MaxCount} shards");
        if (index < 1 || index > count) throw new ArgumentOutOfRangeException(nameof(index), index, $"shards of {count} are numbered 1 to {count}");
        (Index, Count) = (index, count);
    }

    /// <summary>Which shard this is, 1 to <see cref="Count"/>.</summary>
    public int Index { get; }

    /// <summary>How many shards the class is split into.</summary>
    public int Count { get; }

    /// <summary>Reads <c>K/N</c>.</summary>
    /// <exception cref="FormatException">Not two whole numbers with 1 ≤ K ≤ N ≤ <see cref="MaxCount"/>; the message says what is wrong.</exception>
    public static Shard Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int index)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int count))
            throw new FormatException($"shard '{text}' is not K/N (e.g. 2/8: the second of eight parts)");
        try { return new Shard(index, count); }
        catch (ArgumentOutOfRangeException e) { throw new FormatException($"shard '{text}': {e.Message.Split(" (Parameter")[0]}"); }
    }

    /// <summary>The shard, 1 to <paramref name="count"/>, that the submission at <paramref name="relativePath"/> falls in.</summary>
    /// <param name="relativePath">The submission's path relative to the class folder; '/' and '\' are the same separator.</param>
    /// <param name="count">How many shards.</param>
    public static int Of(string relativePath, int count)
    {
        var key = Encoding.UTF8.GetBytes(relativePath.Replace('\\', '/'));
        ulong hash = BinaryPrimitives.ReadUInt64BigEndian(SHA256.HashData(key));
        return (int)(hash % (ulong)count) + 1;
    }

    /// <summary>Whether the submission at <paramref name="relativePath"/> (relative to the class folder) is this shard's.</summary>
    public bool Contains(string relativePath) => Of(relativePath, Count) == Index;

    /// <inheritdoc />
    public override string ToString() => $"{Index}/{Count}";
}
