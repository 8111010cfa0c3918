using AeCourse.Data;
using AeCourse.Losses;
using AeCourse.Metrics;
using AeCourse.Models;
using AeCourse.Runtime;
using AeCourse.Tests.Support;
using static TorchSharp.torch;

namespace AeCourse.Tests;

public sealed class ModelTests
{
    public ModelTests() => Setup.Initialize(seed: 0, device: "cpu", quiet: true);

    [Fact]
    public void Given_fashion_images_When_a_linear_autoencoder_trains_to_convergence_Then_it_spans_pcas_subspace_with_pcas_error()
    {
        const int k = 4;
        using var data = ImageDataset.Load("fashion-mnist", DatasetVariant.Embedded, store: new DataStore(TestPaths.Data));
        var x = data.Train.Flat.narrow(0, 0, 500);   // 50 per class: the interleaved order keeps it balanced

        using var model = new LinearAutoencoder(784, k);
        using var optimizer = optim.Adam(model.parameters(), lr: 5e-3);
        for (int step = 0; step < 1500; step++)   // full batch: plain minimisation of the MSE (converged well before: see the asserts)
        {
            using var scope = NewDisposeScope();
            var loss = (model.forward(x) - x).pow(2).mean();
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
        }
        double aeMse;
        using (no_grad()) aeMse = (model.forward(x) - x).pow(2).mean().item<float>();
        using var pca = Pca.Fit(x, k);
        double pcaMse = pca.MsePerPixel(x);

        var angles = Subspaces.PrincipalAnglesDegrees(model.DecoderWeight.detach().T, pca.Components);
        // Baldi and Hornik: the optimum of a linear autoencoder spans the top-k principal subspace and reaches PCA's error.
        Assert.True(angles.Max() < 5, $"largest principal angle {angles.Max():F2}°");
        Assert.InRange(aeMse, pcaMse * 0.999, pcaMse * 1.02);   // PCA is the floor; 0.1% below it would be round-off
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    public void Given_a_batch_of_images_When_the_conv_autoencoder_runs_Then_the_pyramid_has_the_documented_shapes(int kernel)
    {
        using var model = new ConvAutoencoder(latentDim: 16, channels: 8, kernel: kernel);
        var x = rand([3, 1, 28, 28]);
        var z = model.Encode(x);
        Assert.Equal([3L, 16L], z.shape);
        Assert.Equal([3L, 1L, 28L, 28L], model.Decode(z).shape);
    }

    [Fact]
    public void Given_stride_two_transposed_convolutions_When_kernels_are_even_or_odd_Then_only_odd_ones_overlap_unevenly()
    {
        // Ones in, ones as weights: each output pixel counts the kernel taps that land on it. Along one axis a kernel
        // of k with stride 2 gives k/2 taps everywhere when 2 divides k, else alternately ⌈k/2⌉ and ⌊k/2⌋; in 2-D the
        // counts multiply: kernel 4 gives 2·2 = 4 everywhere inside, kernel 3 gives the checkerboard 1, 2 and 4.
        static HashSet<float> InteriorCounts(int kernel)
        {
            int padding = (kernel - 1) / 2, outputPadding = 2 + 2 * padding - kernel;
            var counts = nn.functional.conv_transpose2d(ones(1, 1, 7, 7), ones(1, 1, kernel, kernel), null, [2, 2],
                [padding, padding], [outputPadding, outputPadding]);
            Assert.Equal([1L, 1L, 14L, 14L], counts.shape);
            return counts[0, 0, 3..11, 3..11].flatten().data<float>().ToHashSet();
        }
        Assert.Equal([4f], InteriorCounts(4));
        Assert.Equal([1f, 2f, 4f], InteriorCounts(3).Order());
        Assert.Equal([4f, 6f, 9f], InteriorCounts(5).Order());
    }

    [Fact]
    public void Given_images_When_the_conv_vae_runs_Then_logits_mu_and_logvar_have_their_shapes_and_its_elbo_falls_with_training()
    {
        using var vae = new ConvVae(latentDim: 4, channels: 8);
        // Real images: random pixels could not be compressed below 784 ln 2 nats whatever the model does.
        using var data = ImageDataset.Load("fashion-mnist", DatasetVariant.Embedded, store: new DataStore(TestPaths.Data));
        var x = data.Train.X.narrow(0, 0, 8);
        var (logits, mu, logVar) = vae.forward(x);
        Assert.Equal([8L, 1L, 28L, 28L], logits.shape);
        Assert.Equal([8L, 4L], mu.shape);
        Assert.Equal([8L, 4L], logVar.shape);
        // Weight and bias of 2 convolutions, 2 heads, 1 linear and 2 transposed convolutions: all registered.
        Assert.Equal(14, vae.parameters().Count());

        using var optimizer = optim.Adam(vae.parameters(), lr: 3e-3);
        double first = 0, last = 0;
        for (int step = 0; step < 150; step++)
        {
            using var scope = NewDisposeScope();
            var (l, m, v) = vae.forward(x);
            var loss = Losses.Elbo.Negative(l, x, m, v).Loss;
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            if (step == 0) first = loss.item<float>();
            last = loss.item<float>();
        }
        // Baseline from the data: the best decoder that ignores z outputs the batch's mean image, with KL 0.
        var meanImage = x.mean([0], keepdim: true).clamp(1e-4, 1 - 1e-4);
        var baseline = Losses.Reconstruction.BcePerImage(meanImage.logit().expand_as(x), x).item<float>();
        Assert.True(first > baseline, $"untrained {first:F1} vs mean-image {baseline:F1} nats");
        Assert.True(last < baseline, $"negative ELBO {first:F1} → {last:F1} nats; the mean image alone gives {baseline:F1}");
    }

    [Fact]
    public void Given_a_vae_When_run_in_train_and_eval_mode_Then_it_samples_in_training_and_uses_the_mean_in_evaluation()
    {
        using var vae = new DenseVae(784, 64, latentDim: 5);
        var x = rand([4, 784]);
        var (logits, mu, logVar) = vae.forward(x);
        Assert.Equal([4L, 784L], logits.shape);
        Assert.Equal([4L, 5L], mu.shape);
        Assert.Equal([4L, 5L], logVar.shape);
        var (again, _, _) = vae.forward(x);
        Assert.False(logits.allclose(again));          // a new z each pass while training
        vae.eval();
        Assert.True(vae.forward(x).Logits.allclose(vae.Decode(mu)));   // z = mu in evaluation
    }
}

public sealed class ImportanceWeightedNllTests
{
    public ImportanceWeightedNllTests() => Setup.Initialize(seed: 0, device: "cpu", quiet: true);

    /// <summary>A VAE whose posterior is the prior (mu = 0, logVar = 0) and whose decoder ignores z (constant logits c).</summary>
    static DenseVae PriorVae(float c)
    {
        var vae = new DenseVae(784, 16, latentDim: 3);
        using var noGrad = no_grad();
        foreach (var (name, p) in vae.named_parameters())
        {
            if (name.StartsWith("muHead") || name.StartsWith("logVarHead") || name == "decoder.2.weight") p.zero_();
            if (name == "decoder.2.bias") p.fill_(c);
        }
        return vae;
    }

    [Fact]
    public void Given_a_posterior_equal_to_the_prior_and_a_decoder_that_ignores_z_When_estimated_Then_the_nll_is_exact_for_every_k()
    {
        // Every importance weight p(z)/q(z|x) is 1 and p(x|z) = p(x): the estimate is −log p(x) = BCE(c, x) summed
        // over pixels, exactly, whatever k and the samples are.
        using var vae = PriorVae(0.3f);
        vae.eval();
        var x = rand([4, 784], generator: new Generator(1));
        double exact = Losses.Reconstruction.BcePerImage(full([4, 784], 0.3f), x).item<float>();
        foreach (int k in new[] { 1, 5, 50 })
            Assert.Equal(exact, ImportanceWeightedNll.Estimate(vae, x, k, new Generator(2)), 2);   // float32 sums of 784 terms: ±0.01 nats
    }

    [Fact]
    public void Given_a_trained_looking_vae_When_k_grows_Then_the_estimate_does_not_rise_above_the_one_sample_bound_on_average()
    {
        // IWAE bounds tighten with k: E[estimate_k] is non-increasing in k, and estimate_1 averages the negative ELBO.
        using var vae = new DenseVae(784, 32, latentDim: 4);
        vae.eval();
        var x = rand([16, 784], generator: new Generator(3)).round();
        double one = Enumerable.Range(0, 20).Average(s => ImportanceWeightedNll.Estimate(vae, x, 1, new Generator((ulong)s)));
        double many = Enumerable.Range(0, 20).Average(s => ImportanceWeightedNll.Estimate(vae, x, 64, new Generator((ulong)(100 + s))));
        Assert.True(many <= one + 0.05, $"k=64: {many:F3} nats, k=1: {one:F3} nats");
    }
}
