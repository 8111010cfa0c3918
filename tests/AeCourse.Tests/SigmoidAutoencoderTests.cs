using AeCourse.Losses;
using AeCourse.Models;
using AeCourse.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace AeCourse.Tests;

public sealed class SigmoidAutoencoderTests
{
    public SigmoidAutoencoderTests() => Setup.Initialize(seed: 0, device: "cpu", quiet: true);

    [Fact]
    public void Given_a_sigmoid_autoencoder_When_it_encodes_and_decodes_Then_it_computes_sigmoid_of_Wx_plus_b_then_Vh_plus_c()
    {
        using var model = new SigmoidAutoencoder(6, 9);
        var x = rand([4, 6], generator: new Generator(3));
        var p = model.parameters().ToArray();   // encoder weight, bias; decoder weight, bias

        var h = model.Encode(x);
        var expectedH = (x.matmul(p[0].T) + p[1]).sigmoid();
        Assert.Equal([4L, 9L], h.shape);
        Assert.True(h.allclose(expectedH, atol: 1e-6));
        Assert.True(h.gt(0).all().item<bool>() && h.lt(1).all().item<bool>());
        Assert.True(model.forward(x).allclose(expectedH.matmul(p[2].T) + p[3], atol: 1e-6));
        Assert.Equal([9L, 6L], model.EncoderWeight.shape);
        Assert.Equal(9, model.HiddenDim);
    }

    [Fact]
    public void Given_a_sigmoid_autoencoder_When_the_contractive_penalty_uses_its_encoder_weight_Then_it_equals_the_autograd_jacobian_norm()
    {
        using var model = new SigmoidAutoencoder(7, 11).to(ScalarType.Float64);
        var x = rand([5, 7], dtype: ScalarType.Float64, generator: new Generator(4));

        double closedForm = ContractivePenalty.SigmoidLayer(model.Encode(x), model.EncoderWeight).item<double>();
        double byAutograd = ContractivePenalty.Autograd(model.Encode, x).item<double>();

        Assert.True(closedForm > 0);
        Assert.Equal(byAutograd, closedForm, 1e-12 * byAutograd);
    }
}
