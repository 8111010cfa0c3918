using AeCourse.Data;
using AeCourse.Models;
using AeCourse.Runtime;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace AeCourse.Tests;

/// <summary>The pieces of lecture 08: quarter turns and their pretext batch, the rotation classifier and the context encoder.</summary>
public sealed class SelfSupervisedTests
{
    public SelfSupervisedTests() => Setup.Initialize(seed: 0, device: "cpu", quiet: true);

    static float[] Values(Tensor t) => t.cpu().flatten().data<float>().ToArray();

    [Fact]
    public void Given_a_2x3_image_When_turned_Then_the_result_is_the_hand_written_counter_clockwise_turn_as_numpy_rot90()
    {
        // [[1, 2, 3], [4, 5, 6]]; numpy.rot90 gives [[3, 6], [2, 5], [1, 4]] for one turn (written out by hand: the last
        // column becomes the first row), [[6, 5, 4], [3, 2, 1]] for two, [[4, 1], [5, 2], [6, 3]] for three.
        var image = tensor(new float[] { 1, 2, 3, 4, 5, 6 }).view(1, 1, 2, 3);
        Assert.Equal([1L, 1L, 3L, 2L], RotationPretext.Rotate(image, 1).shape);
        Assert.Equal(new float[] { 3, 6, 2, 5, 1, 4 }, Values(RotationPretext.Rotate(image, 1)));
        Assert.Equal(new float[] { 6, 5, 4, 3, 2, 1 }, Values(RotationPretext.Rotate(image, 2)));
        Assert.Equal(new float[] { 4, 1, 5, 2, 6, 3 }, Values(RotationPretext.Rotate(image, 3)));
        // Any integer: −1 is three turns, 5 is one, 4 is none.
        Assert.Equal(Values(RotationPretext.Rotate(image, 3)), Values(RotationPretext.Rotate(image, -1)));
        Assert.Equal(Values(RotationPretext.Rotate(image, 1)), Values(RotationPretext.Rotate(image, 5)));
        Assert.Equal(Values(image), Values(RotationPretext.Rotate(image, 4)));
    }

    [Fact]
    public void Given_an_asymmetric_3x3_image_When_turned_four_times_Then_it_is_back_and_each_turn_moves_the_corners_counter_clockwise()
    {
        // [[1, 2, 3], [4, 5, 6], [7, 8, 9]] turned once: [[3, 6, 9], [2, 5, 8], [1, 4, 7]] (top-right corner 3 to the top left).
        var image = arange(1, 10, dtype: ScalarType.Float32).view(3, 3);
        Assert.Equal(new float[] { 3, 6, 9, 2, 5, 8, 1, 4, 7 }, Values(RotationPretext.Rotate(image, 1)));
        var turned = image;
        for (int i = 0; i < 4; i++) turned = RotationPretext.Rotate(turned, 1);
        Assert.Equal(Values(image), Values(turned));
        Assert.Throws<ArgumentException>(() => RotationPretext.Rotate(arange(3), 1));
    }

    [Fact]
    public void Given_a_batch_When_made_a_pretext_batch_Then_it_holds_every_image_in_every_turn_rotation_major_with_its_label()
    {
        var x = rand([3, 1, 5, 5], generator: new Generator(1));
        var (turned, k) = RotationPretext.Batch(x);
        Assert.Equal([12L, 1L, 5L, 5L], turned.shape);
        Assert.Equal(ScalarType.Int64, k.dtype);
        Assert.Equal(new long[] { 0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3 }, k.data<long>().ToArray());
        for (int r = 0; r < 4; r++)
            Assert.True(turned.narrow(0, 3 * r, 3).eq(RotationPretext.Rotate(x, r)).all().item<bool>());
        Assert.Throws<ArgumentException>(() => RotationPretext.Batch(rand(2, 1, 4, 5)));
    }

    [Fact]
    public void Given_the_rotation_classifier_When_run_Then_it_gives_four_logits_and_features_of_the_conv_autoencoders_encoder_shape()
    {
        using var model = new RotationClassifier(latentDim: 8, channels: 4);
        var x = rand([2, 1, 28, 28], generator: new Generator(2));
        Assert.Equal([2L, 8L], model.Encode(x).shape);
        Assert.Equal([2L, 4L], model.forward(x).shape);
        // Encoder parameters by hand: conv 1→4 (4·16 + 4), conv 4→8 (8·4·16 + 8), linear 8·49 → 8 (392·8 + 8).
        long expected = 4 * 16 + 4 + 8 * 4 * 16 + 8 + 392 * 8 + 8;
        Assert.Equal(expected, model.Encoder.parameters().Sum(p => p.numel()));
        using var ae = new ConvAutoencoder(latentDim: 8, channels: 4);
        Assert.Equal(expected, ae.named_parameters().Where(p => p.name.StartsWith("encoder.")).Sum(p => p.parameter.numel()));
    }

    [Fact]
    public void Given_centre_masks_When_made_Then_the_square_sits_at_the_rounded_down_centre()
    {
        var mask = ContextEncoder.CentreMask(28, 28, 14);
        Assert.Equal([1L, 1L, 28L, 28L], mask.shape);
        Assert.Equal(196f, mask.sum().item<float>());
        Assert.True(mask[0, 0, 7..21, 7..21].eq(1).all().item<bool>());
        // 5×7 with a 3×3 hole: rows (5 − 3) / 2 = 1 to 3, columns (7 − 3) / 2 = 2 to 4.
        var odd = ContextEncoder.CentreMask(5, 7, 3);
        Assert.Equal(9f, odd.sum().item<float>());
        Assert.True(odd[0, 0, 1..4, 2..5].eq(1).all().item<bool>());
        Assert.Throws<ArgumentOutOfRangeException>(() => ContextEncoder.CentreMask(4, 4, 5));
    }

    [Fact]
    public void Given_logits_outside_the_hole_When_the_hole_loss_is_taken_Then_only_the_hole_counts_and_it_is_the_mean_bce_there()
    {
        // The hole's pixels alone: the loss equals BCE averaged over the 4 hole pixels of each image, computed on the
        // gathered pixels; changing logits outside the hole changes nothing. float32 round-off: 1e-6.
        var mask = ContextEncoder.CentreMask(6, 6, 2);
        var x = rand([3, 1, 6, 6], generator: new Generator(5));
        var logits = randn([3, 1, 6, 6], generator: new Generator(6));
        var inHole = mask.expand_as(x).to(ScalarType.Bool);
        double expected = binary_cross_entropy_with_logits(logits.masked_select(inHole), x.masked_select(inHole)).item<float>();
        Assert.Equal(expected, ContextEncoder.HoleLoss(logits, x, mask).item<float>(), 1e-6);
        var elsewhere = logits + 10 * (1 - mask);
        Assert.Equal(expected, ContextEncoder.HoleLoss(elsewhere, x, mask).item<float>(), 1e-6);

        using var model = new ContextEncoder(latentDim: 8, channels: 4);
        var images = rand([2, 1, 28, 28], generator: new Generator(7));
        Assert.Equal([2L, 8L], model.Encode(images).shape);
        Assert.Equal([2L, 1L, 28L, 28L], model.forward(images).shape);
    }
}
