using AeCourse.Losses;
using AeCourse.Models;
using AeCourse.Runtime;
using AeCourse.Tests.Support;
using AeCourse.Training;
using static TorchSharp.torch;

namespace AeCourse.Tests;

public sealed class CheckpointTests : IDisposable
{
    readonly TempDir _dir = new();

    public CheckpointTests() => Setup.Initialize(seed: 0, device: "cpu", quiet: true);

    public void Dispose() => _dir.Dispose();

    static CheckpointInfo Info(int epoch) => new("DenseAutoencoder", epoch, new Dictionary<string, double[]> { ["test_mse"] = [0.05, 0.03] });

    static float[] Weights(nn.Module model) => model.parameters().SelectMany(p => p.detach().data<float>().ToArray()).ToArray();

    [Fact]
    public void Given_a_saved_model_When_loaded_into_a_fresh_one_Then_weights_and_info_come_back()
    {
        using var trained = new DenseAutoencoder(784, [32], latentDim: 4);
        Checkpoint.Save(trained, _dir["ae.ckpt"], Info(2));
        using var fresh = new DenseAutoencoder(784, [32], latentDim: 4);
        Assert.NotEqual(Weights(trained), Weights(fresh));

        var info = Checkpoint.Load(fresh, _dir["ae.ckpt"]);

        Assert.Equal(Weights(trained), Weights(fresh));
        Assert.Equal(2, info.Epoch);
        Assert.Equal([0.05, 0.03], info.Metrics["test_mse"]);
    }

    [Fact]
    public void Given_a_checkpoint_with_one_flipped_byte_When_loaded_Then_it_fails_clearly_and_the_model_is_untouched()
    {
        using var model = new DenseAutoencoder(784, [32], latentDim: 4);
        Checkpoint.Save(model, _dir["ae.ckpt"], Info(1));
        var bytes = File.ReadAllBytes(_dir["ae.ckpt"]);
        bytes[^100] ^= 0x10;
        File.WriteAllBytes(_dir["bad.ckpt"], bytes);
        using var target = new DenseAutoencoder(784, [32], latentDim: 4);
        var before = Weights(target);

        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Load(target, _dir["bad.ckpt"]));

        Assert.StartsWith(_dir["bad.ckpt"] + ": the weights are corrupt", e.Message);
        Assert.Equal(before, Weights(target));
        Assert.Equal(1, Checkpoint.Load(target, _dir["ae.ckpt"]).Epoch);   // the good file still loads
    }

    [Fact]
    public void Given_a_good_checkpoint_When_a_later_save_fails_midway_Then_the_old_checkpoint_is_intact_and_no_temporary_is_left()
    {
        using var model = new DenseAutoencoder(784, [32], latentDim: 4);
        Checkpoint.Save(model, _dir["ae.ckpt"], Info(1));
        var good = File.ReadAllBytes(_dir["ae.ckpt"]);
        // The disk fills up after 10,000 bytes of the new checkpoint.
        var e = Assert.Throws<IOException>(() => Checkpoint.Save(model, _dir["ae.ckpt"], Info(2), null, file => new FailingStream(file, 10_000)));
        Assert.Contains("disk full", e.Message);

        Assert.Equal(good, File.ReadAllBytes(_dir["ae.ckpt"]));
        Assert.Single(Directory.GetFiles(_dir.Path));
    }

    /// <summary>A file stream that fails like a full disk once <paramref name="limit"/> bytes are written.</summary>
    sealed class FailingStream(Stream inner, long limit) : Stream
    {
        long _written;
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (_written + buffer.Length > limit) throw new IOException("No space left on device (disk full)");
            inner.Write(buffer);
            _written += buffer.Length;
        }
        public override void Flush() => inner.Flush();
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _written;
        public override long Position { get => _written; set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    [Fact]
    public void Given_files_that_are_not_checkpoints_of_this_model_When_loaded_Then_each_gets_its_own_message()
    {
        using var model = new DenseAutoencoder(784, [32], latentDim: 4);
        File.WriteAllText(_dir["text.ckpt"], "hello");
        Assert.Contains("bad magic", Assert.Throws<CheckpointException>(() => Checkpoint.Load(model, _dir["text.ckpt"])).Message);
        Assert.Contains("no checkpoint here", Assert.Throws<CheckpointException>(() => Checkpoint.Load(model, _dir["none.ckpt"])).Message);
        using var conv = new ConvAutoencoder(8, 4);
        Checkpoint.Save(conv, _dir["conv.ckpt"], Info(1) with { Model = "ConvAutoencoder" });
        Assert.Contains("holds a ConvAutoencoder, not a DenseAutoencoder", Assert.Throws<CheckpointException>(() => Checkpoint.Load(model, _dir["conv.ckpt"])).Message);
    }
}

public sealed class GanAndProbeTests
{
    public GanAndProbeTests() => Setup.Initialize(seed: 0, device: "cpu", quiet: true);

    [Fact]
    public void Given_noise_When_the_dcgan_pair_runs_Then_images_and_one_logit_per_image_come_out_and_both_losses_backpropagate()
    {
        using var generator = new DcganGenerator(latentDim: 16, channels: 8);
        using var discriminator = new DcganDiscriminator(channels: 8);
        var z = randn([5, 16]);
        var fake = generator.forward(z).sigmoid();
        Assert.Equal([5L, 1L, 28L, 28L], fake.shape);
        var real = rand([5, 1, 28, 28]);

        var dLoss = GanLosses.Discriminator(discriminator.forward(real), discriminator.forward(fake.detach()));
        dLoss.backward();
        Assert.All(discriminator.parameters(), p => Assert.NotNull(p.grad));
        Assert.All(generator.parameters(), p => Assert.Null(p.grad));   // detached: the D step leaves G alone

        GanLosses.Generator(discriminator.forward(fake)).backward();
        Assert.All(generator.parameters(), p => Assert.NotNull(p.grad));
    }

    [Fact]
    public void Given_a_frozen_encoder_When_the_probe_trains_Then_only_the_head_gets_gradients_and_fine_tuning_uses_two_rates()
    {
        using var autoencoder = new DenseAutoencoder(784, [32], latentDim: 8);
        var encoder = nn.Sequential(("encode", new EncoderOf(autoencoder)));
        using var probe = new LinearProbe(encoder, latentDim: 8, classes: 10, freezeEncoder: true);
        var loss = nn.functional.cross_entropy(probe.forward(rand([6, 784])), tensor(new long[] { 0, 1, 2, 3, 4, 5 }));
        loss.backward();

        Assert.All(autoencoder.parameters(), p => Assert.Null(p.grad));
        Assert.Equal(2, probe.parameters().Count(p => p.grad is not null));   // the head's weight and bias

        probe.FreezeEncoder = false;
        var groups = probe.ParameterGroups(headLr: 1e-3, encoderLr: 1e-4).ToList();
        Assert.Equal([1e-3, 1e-4], groups.Select(g => g.Options.LearningRate!.Value));
        Assert.True(autoencoder.parameters().All(p => p.requires_grad));
    }

    /// <summary>The encoder half of an autoencoder as a module of its own, sharing its weights.</summary>
    sealed class EncoderOf(DenseAutoencoder autoencoder) : nn.Module<Tensor, Tensor>("EncoderOf")
    {
        readonly DenseAutoencoder inner = autoencoder;
        public override Tensor forward(Tensor x) => inner.Encode(x);
    }
}
