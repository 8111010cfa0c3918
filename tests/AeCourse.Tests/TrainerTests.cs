using AeCourse.Data;
using AeCourse.Models;
using AeCourse.Runtime;
using AeCourse.Tests.Support;
using AeCourse.Training;
using static TorchSharp.torch;

namespace AeCourse.Tests;

public sealed class TrainerTests : IDisposable
{
    readonly TempDir _dir = new();
    readonly ImageDataset _data;

    public TrainerTests()
    {
        Setup.Initialize(seed: 5, device: "cpu", quiet: true);   // before anything touches TorchSharp
        _data = ImageDataset.Load("mnist", DatasetVariant.Embedded, store: new DataStore(TestPaths.Data));
    }

    public void Dispose()
    {
        _data.Dispose();
        _dir.Dispose();
    }

    Tensor X => _data.Train.Flat.narrow(0, 0, 256);

    /// <summary>A fresh model and optimizer from the same seed, so runs can be compared number for number.</summary>
    (DenseAutoencoder Model, Trainer Trainer) Fresh(Func<double>? validate = null)
    {
        Setup.Initialize(seed: 5, device: "cpu", quiet: true);
        var model = new DenseAutoencoder(784, [16], latentDim: 4);
        var optimizer = optim.Adam(model.parameters(), lr: 1e-3);
        var trainer = new Trainer(model, optimizer, (x, _) => Losses.Reconstruction.BcePerPixel(model.forward(x), x), validate);
        return (model, trainer);
    }

    static TrainerOptions Options(int epochs, string? checkpoint = null) =>
        new() { Epochs = epochs, BatchSize = 64, Seed = 9, CheckpointPath = checkpoint, Progress = ProgressStyle.None };

    [Fact]
    public void Given_the_same_seeds_When_trained_twice_Then_every_epochs_loss_is_identical_and_falls()
    {
        var (a, trainerA) = Fresh();
        var first = trainerA.Fit(X, null, Options(3)).Metrics["train_loss"];
        var (b, trainerB) = Fresh();
        var second = trainerB.Fit(X, null, Options(3)).Metrics["train_loss"];
        a.Dispose();
        b.Dispose();

        Assert.Equal(first, second);
        Assert.True(first[2] < first[0], $"loss {first[0]:F4} → {first[2]:F4}");
    }

    [Fact]
    public void Given_a_run_stopped_after_two_epochs_When_resumed_from_its_checkpoint_Then_it_ends_exactly_where_an_unbroken_run_does()
    {
        var (whole, trainer) = Fresh();
        var unbroken = trainer.Fit(X, null, Options(4)).Metrics["train_loss"];

        var checkpoint = _dir["run.ckpt"];
        var (part, firstHalf) = Fresh();
        firstHalf.Fit(X, null, Options(2, checkpoint));
        // A new process would start from scratch: new model, new optimizer, then resume from the file.
        var (resumedModel, secondHalf) = Fresh();
        var resumed = secondHalf.Fit(X, null, Options(4, checkpoint));

        Assert.Equal(4, resumed.Epochs);
        // Same weights, same Adam moments, same batch order: the same numbers as the unbroken run.
        Assert.Equal(unbroken, resumed.Metrics["train_loss"]);
        Assert.Equal(whole.parameters().Select(p => p.data<float>().ToArray()).SelectMany(v => v), resumedModel.parameters().Select(p => p.data<float>().ToArray()).SelectMany(v => v));
        foreach (var m in new[] { whole, part, resumedModel }) m.Dispose();
    }

    [Fact]
    public void Given_a_finished_checkpoint_When_load_or_train_is_called_Then_it_loads_instead_of_training()
    {
        var path = _dir["lecture.ckpt"];
        var (trained, first) = Fresh();
        var (history, loaded) = first.LoadOrTrain(path, X, null, Options(2));
        Assert.False(loaded);

        var (model, second) = Fresh();
        var (again, loadedNow) = second.LoadOrTrain(path, X, null, Options(2));

        Assert.True(loadedNow);
        Assert.Equal(history.Metrics["train_loss"], again.Metrics["train_loss"]);
        Assert.Equal(trained.parameters().SelectMany(p => p.data<float>().ToArray()), model.parameters().SelectMany(p => p.data<float>().ToArray()));
        trained.Dispose();
        model.Dispose();
    }

    [Fact]
    public void Given_a_validation_value_that_stops_improving_When_patience_runs_out_Then_training_stops_early()
    {
        double[] values = [1.0, 0.9, 0.95, 0.96, 0.97, 0.5];   // best at epoch 2, then two worse epochs
        int call = 0;
        var (model, trainer) = Fresh(() => values[call++]);
        var calls = new List<int>();

        var history = trainer.Fit(X, null, Options(6) with { Patience = 2, CallbackEvery = 2 }, h => calls.Add(h.Epochs));
        model.Dispose();

        Assert.True(history.StoppedEarly);
        Assert.Equal(4, history.Epochs);
        Assert.Equal([1.0, 0.9, 0.95, 0.96], history.Metrics["validation"]);
        Assert.Equal([2, 4], calls);
    }

    [Fact]
    public void Given_a_validation_that_makes_tensors_When_trained_Then_they_are_freed_after_each_epoch()
    {
        var made = new List<Tensor>();
        var model = new DenseAutoencoder(784, [16], latentDim: 4);
        var trainer = new Trainer(model, optim.Adam(model.parameters(), lr: 1e-3), (x, _) => Losses.Reconstruction.BcePerPixel(model.forward(x), x), () =>
        {
            var reconstruction = model.forward(X).sigmoid();   // [256, 784], as a validation over a test set makes
            made.Add(reconstruction);
            return Losses.Reconstruction.MsePerPixel(reconstruction, X).item<float>();
        });
        var history = trainer.Fit(X, null, Options(epochs: 3));
        Assert.Equal(3, made.Count);
        Assert.All(made, t => Assert.True(t.IsInvalid, "a validation tensor outlived its epoch"));
        Assert.Equal(3, history.Metrics["validation"].Count);
        Assert.All(history.Metrics["validation"], v => Assert.InRange(v, 0, 1));
    }

    [Fact]
    public void Given_lines_progress_When_trained_Then_the_log_gets_exactly_one_line_per_epoch_with_its_metrics()
    {
        var (model, trainer) = Fresh(validate: () => 0.5);
        var log = new StringWriter();
        var history = trainer.Fit(X, null, Options(3) with { Progress = ProgressStyle.Lines, Log = log });
        model.Dispose();

        var lines = log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Matches(@"^epoch 3: train_loss [0-9.]+, validation 0.5, seconds [0-9.]+", lines[2]);
        Assert.Equal(history.ToString(), lines[2].TrimEnd('\r'));
    }

    [Fact]
    public void Given_a_run_in_progress_When_shown_Then_fraction_and_time_left_follow_from_epoch_batch_and_elapsed_time()
    {
        // Epoch 2 of 4, batch 5 of 10: 1.5 of 4 epochs done = 37.5%; 30 s so far → 30·(0.625/0.375) = 50 s left.
        var state = new TrainingProgress(2, 4, 5, 10, TimeSpan.FromSeconds(30), new Dictionary<string, double> { ["train_loss"] = 0.25, ["seconds"] = 3 });
        Assert.Equal(0.375, state.Fraction, 12);
        Assert.Equal(50, state.Remaining!.Value.TotalSeconds, 9);
        Assert.Equal("[#########---------------] epoch 2/4 batch 5/10 train_loss 0.25 30 s, ~50 s left", state.ToString());
        Assert.Contains("<progress max=\"1\" value=\"0.3750\"></progress> epoch 2 of 4, batch 5 of 10", state.ToHtml());
        Assert.Null(new TrainingProgress(1, 4, 0, 10, TimeSpan.Zero, new Dictionary<string, double>()).Remaining);   // nothing measured yet
    }
}
