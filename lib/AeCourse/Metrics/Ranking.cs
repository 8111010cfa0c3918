using static TorchSharp.torch;

namespace AeCourse.Metrics;

/// <summary>Ranking measures, such as how well reconstruction error separates anomalies from normal images.</summary>
public static class Ranking
{
    /// <summary>
    /// Area under the ROC curve: the probability that a random positive scores higher than a random negative, ties
    /// counting half (the Mann–Whitney U statistic divided by n₊·n₋). 0.5 is chance, 1 a perfect separation.
    /// </summary>
    /// <param name="scores">Higher means "more likely positive" (e.g. reconstruction error for "anomaly").</param>
    /// <param name="positive">Whether each example is a positive.</param>
    public static double RocAuc(IReadOnlyList<double> scores, IReadOnlyList<bool> positive)
    {
        if (scores.Count != positive.Count) throw new ArgumentException($"{scores.Count} scores but {positive.Count} labels.", nameof(positive));
        int positives = positive.Count(p => p), negatives = positive.Count - positives;
        if (positives == 0 || negatives == 0) throw new ArgumentException("ROC-AUC needs both positives and negatives.", nameof(positive));
        // Rank all scores (ties get their average rank); the positives' rank sum gives U.
        var order = Enumerable.Range(0, scores.Count).OrderBy(i => scores[i]).ToArray();
        var ranks = new double[scores.Count];
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            while (end + 1 < order.Length && scores[order[end + 1]] == scores[order[start]]) end++;
            double averageRank = (start + end) / 2.0 + 1;
            for (int k = start; k <= end; k++) ranks[order[k]] = averageRank;
            start = end + 1;
        }
        double positiveRankSum = Enumerable.Range(0, ranks.Length).Where(i => positive[i]).Sum(i => ranks[i]);
        double u = positiveRankSum - positives * (positives + 1) / 2.0;
        return u / ((double)positives * negatives);
    }

    /// <summary>As <see cref="RocAuc(IReadOnlyList{double}, IReadOnlyList{bool})"/>, on tensors [N].</summary>
    public static double RocAuc(Tensor scores, Tensor positive)
    {
        using var scope = NewDisposeScope();
        return RocAuc((IReadOnlyList<double>)scores.to(ScalarType.Float64).cpu().data<double>().ToArray(), positive.to(ScalarType.Bool).cpu().data<bool>().ToArray());
    }
}
