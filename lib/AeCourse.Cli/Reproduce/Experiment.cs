using System.Globalization;
using AeCourse.Data;
using AeCourse.Training;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace AeCourse.Cli.Reproduce;

/// <summary>
/// One reference setup of docs/results.md: trains on the training split and reports test metrics, each as a line
/// <c>NAME METRIC VALUE</c> on standard output, the headline metric last. Progress goes to the log (standard error).
/// </summary>
/// <param name="Name">What <c>aecourse reproduce NAME</c> calls it.</param>
/// <param name="Summary">One line for <c>--list</c>.</param>
/// <param name="DefaultEpochs">Epochs of the main training when --epochs is not given.</param>
/// <param name="Run">The experiment.</param>
sealed record Experiment(string Name, string Summary, int DefaultEpochs, Action<ExperimentRun> Run);

/// <summary>What an experiment runs with, and where it reports.</summary>
sealed class ExperimentRun(string name, ImageDataset data, int epochs, TextWriter results, TextWriter log)
{
    /// <summary>The dataset (embedded subset or full set), on the kit's device.</summary>
    public ImageDataset Data { get; } = data;

    /// <summary>Epochs of the main training.</summary>
    public int Epochs { get; } = epochs;

    /// <summary>Where progress goes.</summary>
    public TextWriter Log { get; } = log;

    /// <summary>Writes the line <c>NAME METRIC VALUE</c> (4 significant digits, invariant culture).</summary>
    public void Report(string metric, double value) =>
        results.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name} {metric} {value:G4}"));

    /// <summary>The course's training options: batch 128, seed 0, this run's epochs, progress lines on the log.</summary>
    public TrainerOptions Options(int? epochs = null) =>
        new() { Epochs = epochs ?? Epochs, BatchSize = 128, Seed = 0, Progress = ProgressStyle.Lines, Log = Log };

    /// <summary>Mean squared error per pixel over the test split of images reconstructed by <paramref name="reconstruct"/>.</summary>
    public double TestMsePerPixel(Func<Tensor, Tensor> reconstruct) =>
        MeanOverTest((x, _) => mse_loss(reconstruct(x), x, TorchSharp.torch.nn.Reduction.Sum).item<float>()) / Data.Test.X[0].numel();

    /// <summary>Mean over test images of one per-batch sum; see <see cref="MeansOverTest"/>.</summary>
    public double MeanOverTest(Func<Tensor, Tensor, double> sumOfBatch) => MeansOverTest((x, y) => [sumOfBatch(x, y)])[0];

    /// <summary>
    /// Means over test images of per-batch sums: <paramref name="sumsOfBatch"/> gets the test split in order, as
    /// (x, y) batches of 500, without gradients and in a dispose scope of its own.
    /// </summary>
    public double[] MeansOverTest(Func<Tensor, Tensor, double[]> sumsOfBatch)
    {
        using var noGrad = no_grad();
        double[]? totals = null;
        using var batches = new BatchIterator(Data.Test.X, Data.Test.Y, 500, shuffle: false);
        foreach (var (x, y) in batches)
        {
            using var scope = NewDisposeScope();
            var sums = sumsOfBatch(x, y);
            totals ??= new double[sums.Length];
            for (int i = 0; i < sums.Length; i++) totals[i] += sums[i];
        }
        return totals!.Select(t => t / Data.Test.Count).ToArray();
    }
}
