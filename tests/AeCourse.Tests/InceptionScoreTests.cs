using AeCourse.Metrics;
using static TorchSharp.torch;

namespace AeCourse.Tests;

public sealed class InceptionScoreTests
{
    // Closed forms, so the tolerance only covers float64 rounding (1e-9).

    [Fact]
    public void Given_certain_rows_spread_evenly_over_the_classes_When_scored_Then_the_score_is_the_number_of_classes()
    {
        // One-hot conditionals (E H(p(y|x)) = 0) with a uniform marginal (H(p(y)) = ln K): exp(ln K) = K.
        using var probabilities = eye(10).repeat(7, 1);
        Assert.Equal(10, InceptionScore.Compute(probabilities), 9);
        var (marginal, conditional) = InceptionScore.Terms(probabilities);
        Assert.Equal(Math.Log(10), marginal, 9);
        Assert.Equal(0, conditional, 9);
    }

    [Fact]
    public void Given_identical_rows_When_scored_Then_the_score_is_one()
    {
        // Every p(y|x) equals the marginal, so every KL divergence is 0 and the score exp(0) = 1, however peaked the rows.
        using var probabilities = tensor(new[] { 0.7, 0.2, 0.1 }).repeat(8, 1);
        Assert.Equal(1, InceptionScore.Compute(probabilities), 9);
        using var certain = tensor(new[] { 0.0, 1.0, 0.0 }).repeat(5, 1);
        Assert.Equal(1, InceptionScore.Compute(certain), 9);
    }

    [Fact]
    public void Given_a_certain_and_an_even_row_When_scored_Then_it_matches_the_hand_computed_terms()
    {
        // Rows [1, 0] and [½, ½]: marginal [¾, ¼], H(p(y)) = ln 4 − ¾ ln 3; E H(p(y|x)) = (0 + ln 2) / 2.
        // Score exp(ln 4 − ¾ ln 3 − ½ ln 2) = 4 / (3^¾ √2) = 1.2408.
        using var probabilities = tensor(new float[,] { { 1, 0 }, { 0.5f, 0.5f } });
        var (marginal, conditional) = InceptionScore.Terms(probabilities);
        Assert.Equal(Math.Log(4) - 0.75 * Math.Log(3), marginal, 7);   // float32 input: 0.5 is exact, so 1e-7 holds
        Assert.Equal(Math.Log(2) / 2, conditional, 7);
        Assert.Equal(4 / (Math.Pow(3, 0.75) * Math.Sqrt(2)), InceptionScore.Compute(probabilities), 7);
    }

    [Fact]
    public void Given_a_table_that_is_not_two_dimensional_When_scored_Then_it_is_refused()
    {
        using var flat = ones(10);
        Assert.Throws<ArgumentException>(() => InceptionScore.Compute(flat));
    }
}
