namespace AeCourse.Data;

/// <summary>
/// Picks a few labelled examples per class, as the pretraining lecture needs ("100 labels in all: 10 per class").
/// </summary>
public static class StratifiedSampler
{
    /// <summary>
    /// Indices of <paramref name="perClass"/> examples of every class, chosen at random (seeded) within each class,
    /// returned sorted by class and then by index, so the same seed always gives the same set.
    /// </summary>
    /// <param name="labels">Label of every example.</param>
    /// <param name="perClass">Examples to take from each class.</param>
    /// <param name="seed">Seed of the choice.</param>
    /// <exception cref="ArgumentException">A class has fewer than <paramref name="perClass"/> examples; the message names it.</exception>
    public static long[] SampleIndices(IReadOnlyList<long> labels, int perClass, int seed = 0)
    {
        if (perClass < 1) throw new ArgumentOutOfRangeException(nameof(perClass), perClass, "take at least one example per class");
        var random = new Random(seed);
        var byClass = Enumerable.Range(0, labels.Count).GroupBy(i => labels[i]).OrderBy(g => g.Key);
        var chosen = new List<long>();
        foreach (var group in byClass)
        {
            var members = group.ToArray();
            if (members.Length < perClass)
                throw new ArgumentException($"class {group.Key} has {members.Length} examples, fewer than the {perClass} asked for.", nameof(perClass));
            random.Shuffle(members);
            chosen.AddRange(members.Take(perClass).Order().Select(i => (long)i));
        }
        return chosen.ToArray();
    }

    /// <summary>As <see cref="SampleIndices"/>, on a label tensor.</summary>
    public static long[] Sample(TorchSharp.torch.Tensor labels, int perClass, int seed = 0) =>
        SampleIndices(labels.cpu().data<long>().ToArray(), perClass, seed);
}
