using AeCourse.Models;
using static TorchSharp.torch;

namespace AeCourse.Tests;

public sealed class PatchDiscriminatorTests
{
    // A convolution maps a side n to ⌊(n + 2p − k) / s⌋ + 1.
    static long Out(long n, int k, int s, int p) => (n + 2 * p - k) / s + 1;

    [Theory]
    [InlineData(28)]
    [InlineData(32)]
    public void Given_a_condition_and_an_image_When_judged_Then_the_grid_of_logits_follows_the_conv_size_formula(int size)
    {
        // Layers: k 4 s 2 p 1, k 4 s 2 p 1, k 3 s 1 p 1 — 28 → 14 → 7 → 7, 32 → 16 → 8 → 8.
        long side = Out(Out(Out(size, 4, 2, 1), 4, 2, 1), 3, 1, 1);
        manual_seed(0);
        using var d = new PatchDiscriminator(channels: 4);
        d.eval();
        using var logits = d.forward(rand(2, 1, size, size), rand(2, 1, size, size));
        Assert.Equal(new long[] { 2, side, side }, logits.shape);
        if (size == 28) Assert.Equal(7, side);
    }

    [Fact]
    public void Given_a_loss_on_one_patch_logit_When_backpropagated_Then_the_condition_and_the_image_get_gradients_only_inside_its_patch()
    {
        // The receptive field of a logit is 18×18 (4, then 4 + 3·2 = 10, then 10 + 2·4 = 18): logit (0, 0) sees input
        // rows and columns −7 … 10 at most, so pixel (27, 27) gets no gradient from it, pixel (3, 3) does.
        manual_seed(1);
        using var d = new PatchDiscriminator(channels: 4);
        d.eval();
        using var condition = rand(1, 1, 28, 28).requires_grad_();
        using var image = rand(1, 1, 28, 28).requires_grad_();
        d.forward(condition, image)[0, 0, 0].backward();
        Assert.True(condition.grad![0, 0, 3, 3].abs().item<float>() > 0 && image.grad![0, 0, 3, 3].abs().item<float>() > 0);
        Assert.Equal(0, image.grad![0, 0, 27, 27].item<float>());
        Assert.Equal(0, image.grad![0, 0, 11, 11].item<float>());
    }
}
