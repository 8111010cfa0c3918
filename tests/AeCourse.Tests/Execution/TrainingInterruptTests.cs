using System.Diagnostics;
using AeCourse.Cli.Hosting;
using AeCourse.Notebooks.Execution;
using AeCourse.Tests.Support;
using AeCourse.Training;

namespace AeCourse.Tests.Execution;

/// <summary>An interrupt during real training, through the execution core with the kit's packages, as a front end sends it.</summary>
public sealed class TrainingInterruptTests : IDisposable
{
    readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Given_a_long_training_When_interrupted_mid_epoch_Then_it_stops_within_2_s_and_the_next_cell_has_the_partly_trained_model()
    {
        var session = new ExecutionSession(_dir.Path, "interrupt.ipynb", KitPackages.Instance);
        var setup = await session.ExecuteAsync(new CellRequest("""
            #r "nuget: AeCourse"
            using AeCourse.Models;
            using AeCourse.Training;
            using static TorchSharp.torch;
            AeCourse.Runtime.Setup.Initialize(seed: 1, device: "cpu", quiet: true);
            var x = rand(4096, 784);
            var model = new DenseAutoencoder(784, [64], latentDim: 8);
            var before = model.parameters().First().detach().clone();
            var trainer = new Trainer(model, optim.Adam(model.parameters(), lr: 1e-3),
                                      (xb, _) => AeCourse.Losses.Reconstruction.BcePerPixel(model.forward(xb), xb));
            """, 1, 1), new RecordingSink());
        Assert.True(setup.Succeeded, setup.Failure?.Message);

        // 100 epochs of 128 batches would take minutes: interrupt once the progress display shows batch 5 of epoch 1.
        using var interrupt = new CancellationTokenSource();
        var sink = new RecordingSink();
        var interruptedAt = new TaskCompletionSource<Stopwatch>();
        sink.Recorded += e =>
        {
            if (e.Value is TrainingProgress { Epoch: 1, Batch: >= 5 } && interruptedAt.TrySetResult(Stopwatch.StartNew())) interrupt.Cancel();
        };
        var outcome = await session.ExecuteAsync(new CellRequest(
            "var history = trainer.Fit(x, null, new TrainerOptions { Epochs = 100, BatchSize = 32 });", 2, 2) { Interrupt = interrupt.Token }, sink);
        var sinceInterrupt = (await interruptedAt.Task).Elapsed;

        Assert.Equal("interrupted", outcome.Failure!.Kind);
        Assert.Matches(@"^cell 2: interrupted after epoch 1, batch \d+ of 128; the model keeps the weights trained so far$", outcome.Failure.Message);
        // One batch of 32 takes milliseconds; 2 s is the issue's bound for a student's interrupt to take effect.
        Assert.True(sinceInterrupt < TimeSpan.FromSeconds(2), $"the cell ended {sinceInterrupt.TotalSeconds:0.00} s after the interrupt");
        Assert.Contains("interrupted after epoch 1", sink.Events.Last(e => e.Kind == "error").Text);

        var after = new RecordingSink();
        var next = await session.ExecuteAsync(new CellRequest("(model.parameters().First() - before).abs().max().item<float>() > 0", 3, 3), after);
        Assert.True(next.Succeeded, next.Failure?.Message);
        Assert.Equal("True", after.Events.Single(e => e.Kind == "result").Text);   // the weights moved: the steps taken were kept
    }
}
