using AeCourse.Models;
using static TorchSharp.torch;

namespace AeCourse.Tests;

public sealed class UNetGeneratorTests
{
    [Fact]
    public void Given_28_by_28_inputs_When_translated_Then_the_output_has_the_input_size()
    {
        // 28 → 14 → 7 down, 7 → 14 → 28 up: a transposed convolution (k 4, s 2, p 1) maps n to (n − 1)·2 − 2 + 4 = 2n.
        manual_seed(0);
        using var g = new UNetGenerator(channels: 4);
        g.eval();
        using var y = g.forward(rand(3, 1, 28, 28));
        Assert.Equal(new long[] { 3, 1, 28, 28 }, y.shape);
    }

    [Fact]
    public void Given_a_loss_on_the_output_When_backpropagated_Then_the_first_layer_and_the_input_get_gradients()
    {
        manual_seed(1);
        using var g = new UNetGenerator(channels: 4);
        using var x = rand(2, 1, 28, 28).requires_grad_();
        using var loss = g.forward(x).square().mean();
        loss.backward();
        var first = g.named_parameters().Single(p => p.name == "down1.0.weight").parameter;
        Assert.True(first.grad!.abs().sum().item<float>() > 0, "the first convolution learns");
        Assert.True(x.grad!.abs().sum().item<float>() > 0);
        Assert.All(g.named_parameters(), p => Assert.True(p.parameter.grad is not null, p.name));
    }

    [Fact]
    public void Given_one_input_pixel_When_it_changes_Then_the_output_pixel_there_changes_through_the_skip_connections()
    {
        // The 28×28 skip (the input concatenated before the last 3×3 convolution) gives the output pixel a direct path
        // from the input pixel: its gradient is non-zero even if the bottleneck path were dead.
        manual_seed(2);
        using var g = new UNetGenerator(channels: 4);
        g.eval();
        using var x = rand(1, 1, 28, 28).requires_grad_();
        using var y = g.forward(x);
        y[0, 0, 13, 13].backward();
        Assert.NotEqual(0, x.grad![0, 0, 13, 13].item<float>());
    }
}
