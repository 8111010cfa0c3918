using AeCourse.Metrics;
using TorchSharp;

namespace AeCourse.Tests;

public sealed class CodeLengthTests
{
    [Theory]
    [InlineData(LosslessCoder.Deflate)]
    [InlineData(LosslessCoder.Brotli)]
    public void Given_bytes_When_compressed_and_decompressed_Then_they_come_back_exactly(LosslessCoder coder)
    {
        var random = new Random(1);
        var bytes = new byte[5000];
        random.NextBytes(bytes);
        Array.Fill(bytes, (byte)0, 0, 2000);   // half structure, half noise
        Assert.Equal(bytes, LosslessCodeLength.Decompress(LosslessCodeLength.Compress(bytes, coder), coder));
    }

    [Theory]
    [InlineData(LosslessCoder.Deflate)]
    [InlineData(LosslessCoder.Brotli)]
    public void Given_random_or_constant_images_When_coded_losslessly_Then_random_bytes_need_8_bits_a_pixel_and_a_constant_image_far_fewer(LosslessCoder coder)
    {
        // 100 images of 784 pixels, each pixel uniform over the 256 values: entropy exactly 8 bits a pixel, so no
        // lossless code can average below 6,272 bits an image (Shannon); a real coder adds a little (stored blocks).
        using var g = new torch.Generator(3);
        var random = torch.randint(0, 256, [100, 784], generator: g).to(torch.float32) / 255;
        double randomBits = LosslessCodeLength.BitsPerImage(random, coder);
        Assert.InRange(randomBits, 784 * 8, 784 * 8 * 1.05);
        Assert.InRange(LosslessCodeLength.BitsPerImage(random, coder, jointly: true), 784 * 8, 784 * 8 * 1.05);
        // A constant image says "784 times the same byte": a few bytes of code, far under a bit a pixel.
        var constant = torch.full([100, 784], 0.5f);
        Assert.True(LosslessCodeLength.BitsPerImage(constant, coder) < 784 / 4.0, $"{LosslessCodeLength.BitsPerImage(constant, coder)} bits");
        // Jointly, 100 identical images cost hardly more than one: under a bit per image's pixel row.
        Assert.True(LosslessCodeLength.BitsPerImage(constant, coder, jointly: true) < 28);
    }

    [Fact]
    public void Given_images_in_the_unit_interval_When_turned_into_bytes_Then_they_are_round_255x()
    {
        var images = torch.tensor(new float[,] { { 0, 1, 0.5f }, { 3 / 255f, 254 / 255f, 0.2f } });
        Assert.Equal(new byte[] { 0, 255, 128, 3, 254, 51 }, LosslessCodeLength.ToBytes(images));
    }

    [Fact]
    public void Given_symbols_uniform_over_2_to_the_k_values_When_their_entropy_is_taken_Then_it_is_k_bits_per_dimension()
    {
        // Each column runs through 0..2^k − 1 equally often: exactly k bits, so 3 columns hold 3k.
        foreach (int k in new[] { 1, 3, 5 })
        {
            var column = torch.arange(1 << k, dtype: torch.int64).repeat(4);   // every value 4 times
            Assert.Equal(3.0 * k, CodeQuantizer.EntropyBits(torch.stack([column, column.flip(0), column * 0 + column], 1)), 10);
        }
    }

    [Fact]
    public void Given_a_small_hand_computed_case_When_the_entropy_is_taken_Then_it_matches()
    {
        // Column 0: 0, 0, 1, 2 → shares ½, ¼, ¼: 1.5 bits. Column 1: constant, 0 bits. Column 2: 3, 3, 3, 7 → ¾, ¼:
        // −(¾ log2 ¾ + ¼ log2 ¼) = 2 − ¾ log2 3.
        var symbols = torch.tensor(new long[,] { { 0, 5, 3 }, { 0, 5, 3 }, { 1, 5, 3 }, { 2, 5, 7 } });
        Assert.Equal(1.5 + 0 + 2 - 0.75 * Math.Log2(3), CodeQuantizer.EntropyBits(symbols), 10);
    }

    [Fact]
    public void Given_a_fitted_quantizer_When_codes_are_quantized_Then_the_levels_span_each_range_and_the_error_is_at_most_half_a_step()
    {
        // Dimension 0 spans [−1, 1], dimension 1 [0, 10]; 2 bits = 4 levels: steps 2/3 and 10/3.
        var z = torch.tensor(new float[,] { { -1, 0 }, { 1, 10 }, { 0.2f, 4 }, { 0.4f, 6 } });
        using var quantizer = CodeQuantizer.Fit(z, bits: 2);
        Assert.Equal(4, quantizer.Levels);
        var symbols = quantizer.Quantize(z);
        // (z − low) / step: dimension 0: 0, 3, 1.8, 2.1 → 0, 3, 2, 2; dimension 1: 0, 3, 1.2, 1.8 → 0, 3, 1, 2.
        Assert.Equal(new long[] { 0, 0, 3, 3, 2, 1, 2, 2 }, symbols.data<long>().ToArray());
        var back = quantizer.Dequantize(symbols);
        Assert.True((back - z).abs().le(torch.tensor(new float[] { 1 / 3f, 5 / 3f }) + 1e-6f).all().item<bool>());
        Assert.Equal(1 / 3.0, back[2, 0].item<float>(), 5);   // level 2 of dimension 0: −1 + 2 · 2/3
        // Outside the fitted range, the end levels.
        Assert.Equal(new long[] { 0, 3 }, quantizer.Quantize(torch.tensor(new float[,] { { -5, 50 } })).data<long>().ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => CodeQuantizer.Fit(z, 0));
    }
}
