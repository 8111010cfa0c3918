using AeCourse.Metrics;

namespace AeCourse.Tests;

public sealed class LabelEntropyTests
{
    [Fact]
    public void Given_equal_counts_When_the_entropy_is_taken_Then_it_is_ln_of_the_number_of_classes()
    {
        Assert.Equal(Math.Log(10), LatentStatistics.LabelEntropy(Enumerable.Repeat(100, 10).ToArray()), 12);
        // Empty classes do not count: four equal classes out of ten give ln 4.
        Assert.Equal(Math.Log(4), LatentStatistics.LabelEntropy([0, 5, 5, 0, 5, 0, 5, 0, 0, 0]), 12);
    }

    [Fact]
    public void Given_one_class_or_uneven_counts_When_the_entropy_is_taken_Then_it_matches_the_definition()
    {
        Assert.Equal(0, LatentStatistics.LabelEntropy([0, 0, 1000, 0]), 12);
        // Shares ¾ and ¼: −(¾ ln ¾ + ¼ ln ¼) = ln 4 − ¾ ln 3.
        Assert.Equal(Math.Log(4) - 0.75 * Math.Log(3), LatentStatistics.LabelEntropy([300, 100]), 12);
    }

    [Fact]
    public void Given_an_empty_or_negative_histogram_When_the_entropy_is_taken_Then_it_is_refused()
    {
        Assert.Throws<ArgumentException>(() => LatentStatistics.LabelEntropy([0, 0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => LatentStatistics.LabelEntropy([3, -1]));
    }
}
