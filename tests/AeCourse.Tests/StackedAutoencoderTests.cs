using AeCourse.Models;
using AeCourse.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace AeCourse.Tests;

public sealed class StackedAutoencoderTests
{
    public StackedAutoencoderTests() => Setup.Initialize(seed: 0, device: "cpu", quiet: true);

    [Fact]
    public void Given_a_stack_of_widths_When_it_encodes_and_decodes_Then_every_shape_follows_the_widths()
    {
        using var model = new StackedAutoencoder(12, 8, 5, 3);
        var x = rand([4, 12], generator: new Generator(1));
        Assert.Equal(3, model.Depth);
        Assert.Equal(3, model.LatentDim);
        Assert.Equal([4L, 3L], model.Encode(x).shape);
        Assert.Equal([4L, 12L], model.forward(x).shape);
        Assert.Equal([4L, 8L], model.EncodeThrough(x, 1).shape);
        Assert.Equal([4L, 5L], model.EncodeLayer(1, model.EncodeLayer(0, x)).shape);
        Assert.Equal([4L, 8L], model.DecodeLayer(1, rand([4, 5])).shape);
        Assert.Equal([8L, 12L], model.Layer(0).Encoder.weight!.shape);
        Assert.Equal([12L, 8L], model.Layer(0).Decoder.weight!.shape);
        // Parameters: each layer a w_k × w_{k+1} weight twice, biases w_{k+1} and w_k.
        Assert.Equal(2 * (12 * 8 + 8 * 5 + 5 * 3) + (8 + 12) + (5 + 8) + (3 + 5), model.parameters().Sum(p => p.numel()));
        Assert.Equal(4, model.LayerParameters(2).Count());
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Layer(3));
    }

    [Fact]
    public void Given_a_stack_When_it_encodes_Then_it_equals_the_layers_composed_by_hand()
    {
        using var model = new StackedAutoencoder(10, 7, 4);
        var x = rand([6, 10], generator: new Generator(2));
        var (e0, d0) = model.Layer(0);
        var (e1, d1) = model.Layer(1);
        // By hand: h = relu(W0 x + b0), z = W1 h + b1 (the code is linear); back: h' = relu(V1 z + c1), logits = V0 h' + c0.
        var h = (x.matmul(e0.weight!.T) + e0.bias!).relu();
        var z = h.matmul(e1.weight!.T) + e1.bias!;
        var logits = (z.matmul(d1.weight!.T) + d1.bias!).relu().matmul(d0.weight!.T) + d0.bias!;
        Assert.True(model.Encode(x).allclose(z, atol: 1e-6));
        Assert.True(model.Encode(x).allclose(model.EncodeLayer(1, model.EncodeLayer(0, x)), atol: 0));
        Assert.True(model.forward(x).allclose(logits, atol: 1e-6));
        Assert.True(model.EncodeThrough(x, 0).eq(x).all().item<bool>());
    }

    [Fact]
    public void Given_widths_of_a_dense_autoencoder_When_stacked_Then_it_computes_what_the_dense_autoencoder_does_with_the_same_weights()
    {
        using var stack = new StackedAutoencoder(9, 6, 3);
        using var dense = new DenseAutoencoder(9, [6], 3);
        // DenseAutoencoder's parameters in order: encoder linear0, linear1; decoder linear0 (3 → 6), linear1 (6 → 9).
        var p = dense.parameters().ToArray();
        using (no_grad())
        {
            stack.Layer(0).Encoder.weight!.copy_(p[0]); stack.Layer(0).Encoder.bias!.copy_(p[1]);
            stack.Layer(1).Encoder.weight!.copy_(p[2]); stack.Layer(1).Encoder.bias!.copy_(p[3]);
            stack.Layer(1).Decoder.weight!.copy_(p[4]); stack.Layer(1).Decoder.bias!.copy_(p[5]);
            stack.Layer(0).Decoder.weight!.copy_(p[6]); stack.Layer(0).Decoder.bias!.copy_(p[7]);
        }
        var x = rand([5, 9], generator: new Generator(3));
        Assert.True(stack.forward(x).allclose(dense.forward(x), atol: 1e-6));
    }
}
