using AeCourse.Models;
using static TorchSharp.torch;

namespace AeCourse.Tests;

public sealed class ConditionalDcganDiscriminatorTests
{
    [Fact]
    public void Given_images_and_labels_When_judged_Then_it_gives_one_logit_per_image_that_depends_on_the_label()
    {
        manual_seed(0);
        using var d = new ConditionalDcganDiscriminator(classes: 10, channels: 4);
        d.eval();
        using var x = rand(1, 1, 28, 28).repeat(3, 1, 1, 1);
        using var logits = d.forward(x, tensor(new long[] { 4, 4, 5 }));
        Assert.Equal(new long[] { 3 }, logits.shape);
        // The same image: the same logit for the same class, another for another class (the label enters as channels).
        Assert.Equal(logits[0].item<float>(), logits[1].item<float>(), 5);
        Assert.NotEqual(logits[0].item<float>(), logits[2].item<float>(), 3);
    }

    [Fact]
    public void Given_a_loss_on_the_logits_When_backpropagated_Then_the_image_and_every_parameter_get_a_gradient()
    {
        manual_seed(1);
        using var d = new ConditionalDcganDiscriminator(classes: 10, channels: 4);
        using var x = rand(4, 1, 28, 28).requires_grad_();
        using var loss = d.forward(x, tensor(new long[] { 0, 1, 2, 9 })).sum();
        loss.backward();
        Assert.True(x.grad!.abs().sum().item<float>() > 0);
        Assert.All(d.named_parameters(), p => Assert.True(p.parameter.grad is not null && p.parameter.grad.abs().sum().item<float>() > 0, p.name));
    }
}
