using AeCourse.Models;
using AeCourse.Runtime;
using AeCourse.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace AeCourse.Tests;

public sealed class GreedyLayerwiseTests
{
    public GreedyLayerwiseTests() => Setup.Initialize(seed: 0, device: "cpu", quiet: true);

    [Fact]
    public void Given_a_stack_When_layer_k_trains_greedily_Then_the_layers_below_and_above_do_not_change_and_layer_k_does()
    {
        using var model = new StackedAutoencoder(16, 10, 6, 3);
        var x = rand([200, 16], generator: new Generator(4));
        Tensor[] Snapshot(int k) => model.LayerParameters(k).Select(p => p.detach().clone()).ToArray();
        bool Same(int k, Tensor[] before) => model.LayerParameters(k).Zip(before).All(pair => pair.First.eq(pair.Second).all().item<bool>());
        var before = Enumerable.Range(0, 3).Select(Snapshot).ToArray();

        GreedyLayerwise.TrainLayer(model, 1, x, epochs: 2, seed: 1);

        Assert.True(Same(0, before[0]), "layer 0, below the trained one, changed");
        Assert.False(Same(1, before[1]), "layer 1 did not train");
        Assert.True(Same(2, before[2]), "layer 2, above the trained one, changed");
        Assert.All(model.parameters(), p => Assert.True(p.requires_grad));   // nothing left frozen behind
    }

    [Fact]
    public void Given_more_rows_than_a_chunk_When_a_layers_loss_is_taken_Then_it_is_the_mean_over_every_element()
    {
        // 25,000 rows: two full chunks and a half one, whose weight must be its own row count.
        using var model = new StackedAutoencoder(8, 5, 3);
        var x = rand([2 * GreedyLayerwise.LossChunkRows + GreedyLayerwise.LossChunkRows / 2, 8], generator: new Generator(6));
        double Whole(int k, Tensor h)
        {
            using var _ = no_grad();
            var output = model.DecodeLayer(k, model.EncodeLayer(k, h));
            // The definitions of the two layers' losses, written out: BCE on logits for pixels, MSE for codes.
            var perElement = k == 0 ? nn.functional.softplus(output) - output * h : (output - h).square();
            return perElement.to(ScalarType.Float64).mean().item<double>();
        }
        Tensor codes;
        using (no_grad()) codes = model.EncodeThrough(x, 1);

        // Float32 means of 10,000-row chunks against one float64 mean: they agree to about 1e-6 relative.
        Assert.Equal(Whole(0, x), GreedyLayerwise.Loss(model, 0, x), 1e-5);
        Assert.Equal(Whole(1, codes), GreedyLayerwise.Loss(model, 1, codes), 1e-5);
    }

    [Fact]
    public void Given_structured_data_When_every_layer_is_pretrained_Then_each_layer_lowers_its_reconstruction_loss()
    {
        // 512 images of 32 pixels in [0, 1] made from 4 hidden factors: there is something for every layer to learn.
        var generator = new Generator(5);
        var factors = rand([512, 4], generator: generator);
        var x = factors.matmul(randn([4, 32], generator: generator)).sigmoid();
        using var model = new StackedAutoencoder(32, 16, 8, 4);

        var reports = GreedyLayerwise.Pretrain(model, x, epochsPerLayer: 15, lr: 1e-2, batchSize: 64, seed: 2);

        Assert.Equal([0, 1, 2], reports.Select(r => r.Layer));
        Assert.All(reports, r => Assert.Equal(15, r.EpochLosses.Length));
        // Each layer's loss on its own clean inputs falls. Measured (this seed): layer 0 0.694 → 0.609 nats per pixel (BCE,
        // whose floor is the grey pixels' entropy, not 0: −12%), layer 1 0.499 → 0.0045 and layer 2 0.736 → 0.018 (MSE per
        // unit, −99% and −98%). A 5% fall is demanded of each (layer 0's margin: 7 points), and a falling training curve.
        Assert.All(reports, r => Assert.True(r.LossAfter < 0.95 * r.LossBefore, $"layer {r.Layer}: {r.LossBefore} → {r.LossAfter}"));
        Assert.All(reports, r => Assert.True(r.EpochLosses[^1] < r.EpochLosses[0], $"layer {r.Layer}: {string.Join(", ", r.EpochLosses)}"));
    }

    [Fact]
    public void Given_masking_noise_When_a_layer_trains_as_a_denoising_autoencoder_Then_its_clean_loss_still_falls()
    {
        var x = rand([256, 20], generator: new Generator(6)).round();   // binary pixels
        using var model = new StackedAutoencoder(20, 12, 5);
        var report = GreedyLayerwise.TrainLayer(model, 0, x, epochs: 10, lr: 1e-2, batchSize: 32, maskingFraction: 0.25);
        // Measured: 0.699 → 0.467 nats per pixel on clean inputs; only a fall is demanded.
        Assert.True(report.LossAfter < report.LossBefore, $"{report.LossBefore} → {report.LossAfter}");
        Assert.Throws<ArgumentOutOfRangeException>(() => GreedyLayerwise.TrainLayer(model, 0, x, 1, maskingFraction: 1));
    }
}
