using System.CommandLine;
using System.Diagnostics;
using AeCourse.Data;
using AeCourse.Models;
using AeCourse.Runtime;
using AeCourse.Training;
using AeCourse.Visualization;
using TorchSharp;
using static TorchSharp.torch;

namespace AeCourse.Cli.Commands;

/// <summary>
/// <c>aecourse quickstart</c>: the kit's main job until the notebooks run headless — trains the first lecture's dense
/// autoencoder (784-256-32) on Fashion-MNIST and writes reconstructions and the loss per epoch to disk.
/// </summary>
static class QuickstartCommand
{
    public static Command Create()
    {
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training images", DefaultValueFactory = _ => 20 };
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder for the pictures and the loss table", DefaultValueFactory = _ => new DirectoryInfo("out/quickstart") };
        var seed = new Option<long>("--seed") { Description = "Seed of every generator", DefaultValueFactory = _ => 0 };
        var variant = new Option<DatasetVariant>("--variant") { Description = "Auto (full if fetched), Embedded or Full", DefaultValueFactory = _ => DatasetVariant.Auto };
        var command = new Command("quickstart", "Train a dense autoencoder on Fashion-MNIST and write its reconstructions to disk") { epochs, output, seed, variant };
        command.SetAction(result => Run(CommonOptions.Store(result), result.GetValue(epochs), result.GetValue(output)!.FullName, result.GetValue(seed), result.GetValue(variant)));
        return command;
    }

    static int Run(DataStore store, int epochs, string outDir, long seed, DatasetVariant variant)
    {
        Setup.Initialize(seed);
        using var data = ImageDataset.Load("fashion-mnist", variant, store: store);
        Console.WriteLine(data);
        using var model = new DenseAutoencoder(784, [256], latentDim: 32);
        model.to(Setup.Device);
        using var optimizer = optim.Adam(model.parameters(), lr: 1e-3);
        var batches = new BatchIterator(data.Train.X, data.Train.Y, batchSize: 128, seed: seed);
        Directory.CreateDirectory(outDir);

        var table = new List<string> { "epoch,train_bce_per_pixel,test_mse_per_pixel,seconds" };
        Console.WriteLine($"{"epoch",5} {"train BCE/pixel",16} {"test MSE/pixel",15} {"s",6}");
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            double train = ReconstructionSteps.TrainEpoch(model, optimizer, batches);
            double test = ReconstructionSteps.MsePerPixel(model, data.Test.X);
            Console.WriteLine($"{epoch,5} {train,16:F4} {test,15:F4} {clock.Elapsed.TotalSeconds,6:F1}");
            table.Add(FormattableString.Invariant($"{epoch},{train:F5},{test:F5},{clock.Elapsed.TotalSeconds:F2}"));
        }
        IO.AtomicFile.WriteAllText(Path.Combine(outDir, "loss.csv"), string.Join("\n", table) + "\n");

        // Row 1: ten test images, one per class; row 2: their reconstructions.
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            model.eval();
            var firstOfEach = Enumerable.Range(0, 10).Select(c => data.Test.Y.eq(c).nonzero()[0]).ToArray();
            var x = data.Test.Flat.index_select(0, cat(firstOfEach));
            var xHat = model.forward(x).sigmoid();
            ImageGrid.Save(cat([x, xHat]), Path.Combine(outDir, "reconstructions.png"), columns: 10, scale: 3);
        }
        Console.WriteLine($"wrote {Path.Combine(outDir, "reconstructions.png")} (top: test images, bottom: reconstructions) and {Path.Combine(outDir, "loss.csv")}");
        return 0;
    }
}
