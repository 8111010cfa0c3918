using AeCourse.Models;
using static TorchSharp.torch;

namespace AeCourse.Tests;

public sealed class ConditionalDcganGeneratorTests
{
    [Fact]
    public void Given_noise_and_labels_When_generated_Then_it_gives_one_28_by_28_image_of_logits_each()
    {
        manual_seed(0);
        using var g = new ConditionalDcganGenerator(latentDim: 8, classes: 10, channels: 4);
        g.eval();
        using var z = randn(5, 8);
        using var labels = tensor(new long[] { 0, 3, 9, 3, 1 });
        using var logits = g.forward(z, labels);
        Assert.Equal(new long[] { 5, 1, 28, 28 }, logits.shape);
        Assert.Equal(8, g.LatentDim);
        Assert.Equal(10, g.Classes);
    }

    [Fact]
    public void Given_the_same_noise_When_another_class_is_asked_for_Then_the_image_changes_and_the_same_class_repeats_it()
    {
        // The label is an input: the same z with another one-hot must give another image, with the same one the same image.
        manual_seed(1);
        using var g = new ConditionalDcganGenerator(latentDim: 8, classes: 10, channels: 4);
        g.eval();
        using var z = randn(1, 8).repeat(3, 1);
        using var images = g.forward(z, tensor(new long[] { 2, 2, 7 }));
        Assert.Equal(0, (images[0] - images[1]).abs().max().item<float>(), 6);
        Assert.True((images[0] - images[2]).abs().max().item<float>() > 1e-3);
    }

    [Fact]
    public void Given_a_loss_on_the_images_When_backpropagated_Then_every_parameter_gets_a_gradient()
    {
        manual_seed(2);
        using var g = new ConditionalDcganGenerator(latentDim: 8, classes: 10, channels: 4);
        using var loss = g.forward(randn(4, 8), tensor(new long[] { 0, 1, 2, 3 })).square().mean();
        loss.backward();
        Assert.All(g.named_parameters(), p => Assert.True(p.parameter.grad is not null && p.parameter.grad.abs().sum().item<float>() > 0, p.name));
    }
}
