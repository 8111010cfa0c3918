using AeCourse.Data;
using static TorchSharp.torch;

namespace AeCourse.Tests;

public sealed class EdgeMapsTests
{
    [Fact]
    public void Given_a_single_bright_pixel_When_its_edges_are_taken_Then_they_match_the_hand_computed_sobel_magnitudes()
    {
        // A 1 at the centre of a 3×3 image: each output pixel sees the kernel's tap that lands on the centre.
        // Centre: both taps 0 → 0. Side middles: one kernel gives ±2, the other 0 → 2. Corners: ±1 and ±1 → √2.
        using var x = zeros(1, 1, 3, 3);
        x[0, 0, 1, 1] = tensor(1f);
        using var edges = EdgeMaps.Sobel(x, scale: 1, clamp: false);
        float s = MathF.Sqrt(2);
        var expected = new[] { s, 2, s, 2, 0, 2, s, 2, s };
        Assert.Equal(new long[] { 1, 1, 3, 3 }, edges.shape);
        var actual = edges.flatten().data<float>().ToArray();
        for (int i = 0; i < 9; i++) Assert.Equal(expected[i], actual[i], 5);   // float32 arithmetic on small integers
    }

    [Fact]
    public void Given_a_vertical_step_When_its_edges_are_taken_Then_the_step_gives_four_and_flat_regions_zero()
    {
        // Columns 0–2 dark, 3–5 bright in a 6×6 image: away from the border, columns 2 and 3 see the step through
        // kernel column weights 1 + 2 + 1 = 4; columns 0 and 5 (beyond the flat insides) see 0 in rows 1–4, except
        // that the zero padding makes the bright right border an edge too.
        using var x = zeros(1, 1, 6, 6);
        x[.., .., .., TensorIndex.Slice(3, 6)] = tensor(1f);
        using var edges = EdgeMaps.Sobel(x, scale: 1, clamp: false);
        Assert.Equal(4, edges[0, 0, 2, 2].item<float>(), 5);
        Assert.Equal(4, edges[0, 0, 2, 3].item<float>(), 5);
        Assert.Equal(0, edges[0, 0, 2, 0].item<float>(), 5);
        Assert.Equal(0, edges[0, 0, 2, 4].item<float>(), 5);
        Assert.Equal(4, edges[0, 0, 2, 5].item<float>(), 5);   // the bright column next to the zero padding
        // The default scale 4 and clamp turn the step into 1 and keep every value in [0, 1].
        using var scaled = EdgeMaps.Sobel(x);
        Assert.Equal(1, scaled[0, 0, 2, 2].item<float>(), 5);
        Assert.True(scaled.max().item<float>() <= 1 && scaled.min().item<float>() >= 0);
    }

    [Fact]
    public void Given_more_images_than_a_chunk_When_edges_are_taken_Then_each_image_gets_the_map_it_gets_alone()
    {
        // 1,100 images run as chunks of 500, 500 and 100; every image's map depends on that image alone, so the
        // maps of the first, last and boundary images must equal those of the image taken by itself, bit for bit
        // (the same float32 operations on the same 28 × 28 pixels).
        using var scope = NewDisposeScope();
        var x = rand(2 * EdgeMaps.ChunkImages + 100, 1, 28, 28, generator: new Generator(1));
        var edges = EdgeMaps.Sobel(x, clamp: false);
        Assert.Equal(x.shape, edges.shape);
        foreach (long i in new long[] { 0, EdgeMaps.ChunkImages - 1, EdgeMaps.ChunkImages, 2 * EdgeMaps.ChunkImages, x.shape[0] - 1 })
            Assert.True(edges[i].eq(EdgeMaps.Sobel(x.narrow(0, i, 1), clamp: false)[0]).all().item<bool>(), $"image {i}");
    }

    [Fact]
    public void Given_images_without_a_channel_axis_When_edges_are_taken_Then_they_are_refused()
    {
        using var x = zeros(2, 28, 28);
        Assert.Throws<ArgumentException>(() => EdgeMaps.Sobel(x));
    }
}
