// Speed measurements of the data path; results and the command that produced them go to docs/benchmarks.md.
//   dotnet run -c Release --project bench/AeCourse.Bench -- [load|batches|engine|output|all] [repeats]
// and the training measurements bench/training.sh runs (TrainingBench.cs):
//   ... -- matmul [M K N] | flops | train SETUP trainer|loop EPOCHS [--full]
// Needs the full Fashion-MNIST (output alone does not): dotnet run --project lib/AeCourse.Cli -- data fetch fashion-mnist
using System.Diagnostics;
using AeCourse.Data;
using AeCourse.Models;
using AeCourse.Runtime;
using AeCourse.Training;
using TorchSharp;
using static TorchSharp.torch;

var what = args.Length > 0 ? args[0] : "all";
switch (what)
{
    case "matmul" when args.Length == 4:
        Console.WriteLine(FormattableString.Invariant($"matmul_gflops {TrainingBench.MatmulGflops(int.Parse(args[1]), int.Parse(args[2]), int.Parse(args[3])):F1}"));
        return 0;
    case "matmul":
        Console.WriteLine(FormattableString.Invariant($"matmul_gflops {TrainingBench.MatmulGflops():F1}"));
        return 0;
    case "flops":
        foreach (var name in TrainingBench.Names)
            Console.WriteLine(FormattableString.Invariant($"{name} training_mflop_per_image {TrainingBench.TrainingFlopsPerImage(name) / 1e6:F3}"));
        return 0;
    case "train" when args.Length >= 4:
        return TrainingBench.Train(args[1], args[2], int.Parse(args[3]), args.Contains("--full") ? DatasetVariant.Full : DatasetVariant.Embedded);
}
int repeats = args.Length > 1 ? int.Parse(args[1]) : 5;
// The engine's first cell must pay for loading TorchSharp itself: measure it before anything else loads it.
if (what is "engine" or "all") await Engine();
if (what is "output" or "all") await Output();
if (what is "output") return 0;
var info = Setup.Initialize(seed: 0, device: "cpu");
Console.WriteLine($"{Environment.ProcessorCount} cores; {repeats} repeats; median (min..max)");
var store = DataStore.Locate();

if (what is "load" or "all") Load();
if (what is "batches" or "all") Batches();
return 0;

// A notebook of one set-up cell and 60 trivial cells, run by the engine; times from the runner's per-cell log.
async Task Engine()
{
    var notebook = AeCourse.Notebooks.Format.Notebook.CreatePolyglot(Path.Combine(Path.GetTempPath(), "engine-bench.ipynb"));
    notebook.Cells.Add(AeCourse.Notebooks.Format.NotebookCell.Code("#r \"nuget: AeCourse, 0.1.0\"\nAeCourse.Runtime.Setup.Initialize(seed: 0, quiet: true);\nTorchSharp.torch.ones(2, 2).sum().item<float>()"));
    for (int i = 0; i < 60; i++) notebook.Cells.Add(AeCourse.Notebooks.Format.NotebookCell.Code($"var v{i} = {i} + 1;\nv{i}"));
    var starts = new List<double>();
    var clock = Stopwatch.StartNew();
    var run = await AeCourse.Notebooks.Execution.NotebookRunner.RunAsync(notebook, new() { Packages = AeCourse.Cli.Hosting.KitPackages.Instance, Events = e => { if (e is AeCourse.Notebooks.Execution.CellStarted) starts.Add(clock.Elapsed.TotalSeconds); } });
    starts.Add(run.Elapsed.TotalSeconds);
    if (!run.Succeeded) throw new InvalidOperationException(string.Join("\n", run.Failures));
    var cellTimes = starts.Zip(starts.Skip(1), (a, b) => (b - a) * 1000).ToList();
    var trivial = cellTimes.Skip(11).ToList();   // after ten trivial cells of warm-up
    Console.WriteLine($"engine: start-up (Roslyn) + first cell (loads TorchSharp, one tensor op): {starts[1]:F2} s");
    Console.WriteLine($"engine: trivial cells after warm-up, per cell: median {Median(trivial):F1} ms (min {trivial.Min():F1}, max {trivial.Max():F1}) over {trivial.Count} cells");
}

// Cells that print and display far past the engine's output limits, and one that prints 256 MiB with no limit (the
// stream accumulation alone), each run on one ExecutionSession into a notebook's outputs; times are whole cells
// (Roslyn's compile of the cell, tens of milliseconds, included).
async Task Output()
{
    var folder = Path.GetTempPath();
    var limited = new AeCourse.Notebooks.Execution.ExecutionSession(folder, "output-bench.ipynb");
    var unlimited = new AeCourse.Notebooks.Execution.ExecutionSession(folder, "output-bench.ipynb", outputLimits: new() { MaxStreamCharacters = long.MaxValue });
    await limited.StartAsync();
    await unlimited.StartAsync();
    var cells = new (string What, AeCourse.Notebooks.Execution.ExecutionSession Session, string Code)[]
    {
        ("300 MiB in 1 MiB writes (default limit: 1 MiB shown)", limited, "for (int i = 0; i < 300; i++) Console.Write(new string('x', 1 << 20));"),
        ("the same 300 strings made and not printed (reference)", limited, "for (int i = 0; i < 300; i++) GC.KeepAlive(new string('x', 1 << 20));"),
        ("10,000,000 one-character writes (1 MiB shown)", limited, "for (int i = 0; i < 10_000_000; i++) Console.Write('x');"),
        ("1 Mi one-character writes on one line (all shown)", limited, "for (int i = 0; i < 1 << 20; i++) Console.Write('x');"),
        ("1,000,000 displays, each updated once (1,000 shown)", limited, "for (int i = 0; i < 1_000_000; i++) display(i).Update(-i);"),
        ("no limit: 64 MiB in 1 MiB writes", unlimited, "for (int i = 0; i < 64; i++) Console.Write(new string('x', 1 << 20));"),
        ("no limit: 256 MiB in 1 MiB writes", unlimited, "for (int i = 0; i < 256; i++) Console.Write(new string('x', 1 << 20));"),
    };
    int number = 0;
    foreach (var (what, session, code) in cells)
    {
        var times = new List<double>();
        for (int r = 0; r < repeats; r++)
        {
            var outputs = new System.Text.Json.Nodes.JsonArray();
            var clock = Stopwatch.StartNew();
            var outcome = await session.ExecuteAsync(new(code, ++number, number), new AeCourse.Notebooks.Execution.CellOutputs(outputs));
            times.Add(clock.Elapsed.TotalSeconds);
            if (!outcome.Succeeded) throw new InvalidOperationException(outcome.Failure!.Message);
        }
        Console.WriteLine($"output: {what}: {Summary(times)} s");
        GC.Collect();
    }
}

void Load()
{
    var folder = store.FolderOf("fashion-mnist", DatasetVariant.Full);
    var parse = new List<double>();
    var total = new List<double>();
    for (int r = 0; r < repeats; r++)
    {
        var clock = Stopwatch.StartNew();
        var images = IdxFile.Read(Path.Combine(folder, SplitFiles.TrainImages));
        IdxFile.Read(Path.Combine(folder, SplitFiles.TrainLabels));
        parse.Add(clock.Elapsed.TotalSeconds);
        GC.KeepAlive(images);
        clock.Restart();
        using var data = ImageDataset.Load("fashion-mnist", DatasetVariant.Full, CPU, store);
        total.Add(clock.Elapsed.TotalSeconds);
    }
    Console.WriteLine($"load: gunzip + parse 60,000 train images and labels: {Summary(parse)} s");
    Console.WriteLine($"load: ImageDataset.Load full Fashion-MNIST (70,000 images → float32 tensor [N,1,28,28]): {Summary(total)} s");
}

void Batches()
{
    using var data = ImageDataset.Load("fashion-mnist", DatasetVariant.Full, CPU, store);
    const int batchSize = 128;
    var iterator = new List<double>();
    var byHand = new List<double>();
    using var model = new DenseAutoencoder(784, [256], latentDim: 32);
    using var optimizer = optim.Adam(model.parameters(), lr: 1e-3);
    var batches = new BatchIterator(data.Train.X, data.Train.Y, batchSize, seed: 1);
    var generator = new Generator(1, CPU);
    Epoch(() => batches.Select(b => b.X));   // warm-up
    for (int r = 0; r < repeats; r++)
    {
        // Alternate the two so that drift (heat, other load) hits both alike.
        iterator.Add(Epoch(() => batches.Select(b => b.X)));
        byHand.Add(Epoch(() => HandBatches(data.Train.X, data.Train.Y, batchSize, generator)));
    }
    double overhead = Median(iterator) / Median(byHand) - 1;
    Console.WriteLine($"batches: epoch of a 784-256-32 dense autoencoder, 60,000 images, batch {batchSize}");
    Console.WriteLine($"batches:   BatchIterator {Summary(iterator)} s; indexing by hand {Summary(byHand)} s; overhead {overhead:+0.0%;-0.0%}");

    // The same batches with no training step: what the iterator itself costs, free of the training's noise.
    var iterateOnly = new List<double>();
    var handOnly = new List<double>();
    for (int r = 0; r < repeats * 4; r++)
    {
        iterateOnly.Add(Drain(batches.Select(b => b.X)));
        handOnly.Add(Drain(HandBatches(data.Train.X, data.Train.Y, batchSize, generator)));
    }
    double extra = Median(iterateOnly) - Median(handOnly);
    Console.WriteLine($"batches:   drawing the batches alone: BatchIterator {Summary(iterateOnly)} s; by hand {Summary(handOnly)} s; " +
                      $"difference {extra * 1000:F1} ms = {extra / Median(byHand):+0.00%;-0.00%} of an epoch");

    double Epoch(Func<IEnumerable<Tensor>> source)
    {
        var clock = Stopwatch.StartNew();
        foreach (var x in source()) ReconstructionSteps.TrainStep(model, optimizer, x);
        return clock.Elapsed.TotalSeconds;
    }
}

static double Drain(IEnumerable<Tensor> batches)
{
    var clock = Stopwatch.StartNew();
    foreach (var x in batches) GC.KeepAlive(x);
    return clock.Elapsed.TotalSeconds;
}

// The reference: a permutation per epoch and index_select of images and labels per batch, written out inline.
static IEnumerable<Tensor> HandBatches(Tensor x, Tensor y, int batchSize, Generator generator)
{
    using var order = randperm(x.shape[0], generator: generator);
    for (long start = 0; start < x.shape[0]; start += batchSize)
    {
        using var index = order.narrow(0, start, Math.Min(batchSize, x.shape[0] - start));
        using var batchX = x.index_select(0, index);
        using var batchY = y.index_select(0, index);
        yield return batchX;
    }
}

static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

static string Summary(List<double> values) => FormattableString.Invariant($"{Median(values):F3} ({values.Min():F3}..{values.Max():F3})");
