using AeCourse.Models;
using AeCourse.Runtime;
using static TorchSharp.torch;

namespace AeCourse.Tests;

/// <summary>The encoder half of <see cref="DenseAutoencoder"/> as a module of its own (the decoder detached).</summary>
public sealed class EncoderModuleTests
{
    public EncoderModuleTests() => Setup.Initialize(seed: 0, device: "cpu", quiet: true);

    [Fact]
    public void Given_a_dense_autoencoder_When_its_encoder_is_taken_Then_it_computes_the_code_by_hand_and_shares_the_weights()
    {
        using var autoencoder = new DenseAutoencoder(784, [16], latentDim: 4);
        var encoder = autoencoder.Encoder;
        var x = rand([3, 784]);

        // The code by hand: z = W2 · relu(W1 · x + b1) + b2, with the autoencoder's own first two weight matrices.
        var p = autoencoder.named_parameters().ToDictionary(n => n.name, n => n.parameter);
        var byHand = nn.functional.relu(x.matmul(p["encoder.linear0.weight"].T) + p["encoder.linear0.bias"]).matmul(p["encoder.linear1.weight"].T) + p["encoder.linear1.bias"];
        using (no_grad())
        {
            Assert.True(encoder.forward(x).allclose(byHand, rtol: 1e-5, atol: 1e-6));
            Assert.True(encoder.forward(x).eq(autoencoder.Encode(x)).all().item<bool>());
        }

        // Shared, not copied: the encoder's parameters are the autoencoder's first four, and a change to one shows in the other.
        Assert.Equal(16 * 784 + 16 + 4 * 16 + 4, encoder.parameters().Sum(q => q.numel()));
        var before = p["encoder.linear0.weight"].detach().clone();
        using (no_grad()) encoder.parameters().First().add_(1.0f);
        Assert.True(p["encoder.linear0.weight"].detach().allclose(before + 1.0f));
        using (no_grad())
            Assert.False(autoencoder.Encode(x).allclose(byHand));
    }
}
