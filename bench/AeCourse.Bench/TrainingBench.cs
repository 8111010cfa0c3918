using System.Diagnostics;
using System.Globalization;
using AeCourse.Data;
using AeCourse.Losses;
using AeCourse.Models;
using AeCourse.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

/// <summary>
/// The training side of bench/training.sh: the setups of <c>aecourse reproduce</c> (dense-ae-32, conv-ae-32, vae-20,
/// dcgan), rebuilt from the library's parts and trained either by the kit's <see cref="Trainer"/> in this bare program
/// or by a hand-written TorchSharp loop, printing <c>epoch K seconds S</c> per epoch; the peak of a large matmul; and
/// the FLOPs each setup's training step does per image.
/// </summary>
static class TrainingBench
{
    const int BatchSize = 128;

    /// <summary>One setup: its models, and the loss of a batch for the autoencoders (the DCGAN has its own step).</summary>
    sealed class Setup(string name, IReadOnlyList<nn.Module> models, Func<Tensor, Tensor>? loss) : IDisposable
    {
        public string Name { get; } = name;
        public IReadOnlyList<nn.Module> Models { get; } = models;
        public Func<Tensor, Tensor>? Loss { get; } = loss;
        public void Dispose() { foreach (var m in Models) m.Dispose(); }
    }

    public static readonly string[] Names = ["dense-ae-32", "conv-ae-32", "vae-20", "dcgan"];
    const int DcganLatentDim = 64;

    static Setup Make(string name)
    {
        var device = AeCourse.Runtime.Setup.Device;
        switch (name)
        {
            case "dense-ae-32":
            {
                var ae = new DenseAutoencoder(latentDim: 32).to(device);
                return new(name, [ae], x => binary_cross_entropy_with_logits(ae.forward(x.flatten(1)), x.flatten(1)));
            }
            case "conv-ae-32":
            {
                var ae = new ConvAutoencoder(latentDim: 32).to(device);
                return new(name, [ae], x => binary_cross_entropy_with_logits(ae.forward(x), x));
            }
            case "vae-20":
            {
                var vae = new DenseVae(latentDim: 20).to(device);
                return new(name, [vae], x =>
                {
                    var (logits, mu, logVar) = vae.forward(x.flatten(1));
                    return Elbo.Negative(logits, x.flatten(1), mu, logVar, 1).Loss;
                });
            }
            case "dcgan":
                return new(name, [new DcganGenerator(DcganLatentDim).to(device), new DcganDiscriminator().to(device)], null);
            default:
                throw new ArgumentException($"unknown setup '{name}'; known: {string.Join(", ", Names)}");
        }
    }

    /// <summary>Trains <paramref name="name"/> for <paramref name="epochs"/> epochs by <paramref name="side"/> ("trainer" or "loop").</summary>
    public static int Train(string name, string side, int epochs, DatasetVariant variant)
    {
        AeCourse.Runtime.Setup.Initialize(seed: 0, quiet: true);
        using var data = ImageDataset.Load("fashion-mnist", variant, AeCourse.Runtime.Setup.Device);
        using var setup = Make(name);
        var x = data.Train.X;
        Console.Error.WriteLine($"{name} ({side}): {x.shape[0]} training images, {epochs} epochs, batch {BatchSize}");
        if (setup.Loss is null)
        {
            if (side != "loop") { Console.Error.WriteLine($"{name}: the GAN is trained by a loop of its own; no '{side}' side"); return 2; }
            DcganLoop(setup, x, epochs);
            return 0;
        }
        using var optimizer = optim.Adam(setup.Models.SelectMany(m => m.parameters()), 1e-3);
        if (side == "trainer")
        {
            new Trainer(setup.Models[0], optimizer, (xb, _) => setup.Loss(xb))
                .Fit(x, null, new TrainerOptions { Epochs = epochs, BatchSize = BatchSize, Seed = 0, Progress = ProgressStyle.None },
                     history => EpochLine(history.Epochs, history.Metrics["seconds"][^1]));
            return 0;
        }
        if (side != "loop") throw new ArgumentException($"unknown side '{side}'; known: trainer, loop");
        setup.Models[0].train();
        using var order = new Generator(0);
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            foreach (var batch in Batches(x, order))
            {
                using var xb = batch;   // each batch is the loop's to free: made outside the step's scope
                using var scope = NewDisposeScope();
                var loss = setup.Loss(xb);
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
                GC.KeepAlive(loss.item<float>());   // the reading every loop does (it also waits for the step)
            }
            EpochLine(epoch, clock.Elapsed.TotalSeconds);
        }
        return 0;
    }

    /// <summary>The DCGAN step of <c>aecourse reproduce dcgan</c>, written out.</summary>
    static void DcganLoop(Setup setup, Tensor x, int epochs)
    {
        var (generator, discriminator) = ((DcganGenerator)setup.Models[0], (DcganDiscriminator)setup.Models[1]);
        using var gOptimizer = optim.Adam(generator.parameters(), 2e-4, beta1: 0.5, beta2: 0.999);
        using var dOptimizer = optim.Adam(discriminator.parameters(), 2e-4, beta1: 0.5, beta2: 0.999);
        generator.train();
        discriminator.train();
        using var order = new Generator(0);
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            foreach (var batch in Batches(x, order))
            {
                using var real = batch;
                using var scope = NewDisposeScope();
                var fake = generator.forward(randn(real.shape[0], DcganLatentDim, device: real.device)).sigmoid();
                var dLoss = GanLosses.Discriminator(discriminator.forward(real), discriminator.forward(fake.detach()), smoothing: 0.1);
                dOptimizer.zero_grad();
                dLoss.backward();
                dOptimizer.step();
                var gLoss = GanLosses.Generator(discriminator.forward(fake));
                gOptimizer.zero_grad();
                gLoss.backward();
                gOptimizer.step();
                GC.KeepAlive(dLoss.item<float>() + gLoss.item<float>());
            }
            EpochLine(epoch, clock.Elapsed.TotalSeconds);
        }
    }

    /// <summary>Shuffled batches of 128 (the last smaller), a new order per epoch from <paramref name="order"/>.</summary>
    static IEnumerable<Tensor> Batches(Tensor x, Generator order)
    {
        long n = x.shape[0];
        using var permutation = randperm(n, generator: order).to(x.device);
        for (long start = 0; start < n; start += BatchSize)
        {
            using var index = permutation.narrow(0, start, Math.Min(BatchSize, n - start));
            yield return x.index_select(0, index);
        }
    }

    /// <summary>
    /// An epoch's time and, as it ends, the process's resident memory (from /proc) and what glibc's heaps hold in use
    /// and free (<c>mallinfo2</c>); Linux only, elsewhere the time alone. A heap whose free part grows while its used
    /// part stays is one whose freed blocks cannot be reused (docs/benchmarks.md).
    /// </summary>
    static void EpochLine(int epoch, double seconds)
    {
        var line = string.Create(CultureInfo.InvariantCulture, $"epoch {epoch} seconds {seconds:F3}");
        if (OperatingSystem.IsLinux())
        {
            var heap = MallInfo2();
            line += string.Create(CultureInfo.InvariantCulture,
                $" rss_mb {ResidentMegabytes()} heap_used_mb {(long)heap.Used >> 20} heap_free_mb {(long)heap.Free >> 20} heap_free_blocks {heap.FreeBlocks}");
        }
        Console.Error.WriteLine(line);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "mallinfo2")]
    static extern MallInfo MallInfo2();

    /// <summary>glibc's <c>struct mallinfo2</c>, ten size_t fields in this order; the ones read here named.</summary>
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    readonly struct MallInfo
    {
        readonly nuint _arena;
        public readonly nuint FreeBlocks;   // ordblks
        readonly nuint _smblks, _hblks, _hblkhd, _usmblks, _fsmblks;
        public readonly nuint Used;         // uordblks
        public readonly nuint Free;         // fordblks
        readonly nuint _keepcost;
    }

    static long ResidentMegabytes()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    }

    /// <summary>
    /// GFLOP/s of a float32 matmul [m, k] × [k, n] (2mkn FLOPs), the median of <paramref name="repeats"/> after a
    /// warm-up, with the kit's thread settings: at 2048³ the machine's practical peak; at a layer's shape (a batch of
    /// 128 through 784 → 256) what that layer can reach at best.
    /// </summary>
    public static double MatmulGflops(int m = 2048, int k = 2048, int n = 2048, int repeats = 10)
    {
        AeCourse.Runtime.Setup.Initialize(seed: 0, quiet: true);
        using var a = randn(m, k);
        using var b = randn(k, n);
        // Small products take microseconds: time enough of them per repeat that the clock's resolution does not show.
        int inner = Math.Max(1, (int)(2e9 / (2.0 * m * k * n)));
        matmul(a, b).Dispose();
        var seconds = new List<double>();
        for (int r = 0; r < repeats; r++)
        {
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < inner; i++) matmul(a, b).Dispose();
            seconds.Add(clock.Elapsed.TotalSeconds / inner);
        }
        return 2.0 * m * k * n / seconds.Order().ElementAt(seconds.Count / 2) / 1e9;
    }

    /// <summary>
    /// FLOPs of one training step per image: each linear, convolution and transposed convolution's multiply-adds in a
    /// forward pass (counted by forward hooks on one batch, 2 FLOPs each), times 3 for a pass whose backward computes
    /// gradients for the weights and for the input (the usual estimate). The DCGAN step passes the generator once
    /// with a backward (3 G), and the discriminator three times, each with a backward (9 D). Element-wise work
    /// (activations, norms, the loss, the optimiser) is left out: it is a few percent of these layers.
    /// </summary>
    public static double TrainingFlopsPerImage(string name)
    {
        AeCourse.Runtime.Setup.Initialize(seed: 0, quiet: true);
        using var setup = Make(name);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        const int batch = 4;
        var forward = setup.Models.Select(m => ForwardMacs(m, () => _ = m switch
        {
            DcganGenerator g => g.forward(randn(batch, DcganLatentDim)),
            DcganDiscriminator d => d.forward(rand(batch, 1, 28, 28)),
            _ => setup.Loss!(rand(batch, 1, 28, 28)),
        }) * 2.0 / batch).ToArray();
        return name == "dcgan" ? 3 * forward[0] + 9 * forward[1] : 3 * forward[0];
    }

    static double ForwardMacs(nn.Module model, Action pass)
    {
        double macs = 0;
        var hooks = new List<Action>();
        foreach (var (_, module) in model.named_modules())
        {
            switch (module)
            {
                case Linear linear:
                    hooks.Add(linear.register_forward_hook((m, input, output) =>
                    {
                        macs += (double)output.numel() * linear.weight!.shape[1];
                        return output;
                    }).remove);
                    break;
                case Conv2d conv:
                    hooks.Add(conv.register_forward_hook((m, input, output) =>
                    {
                        // Every output value: Cin/groups · kh · kw multiply-adds.
                        macs += (double)output.numel() * conv.weight!.shape[1] * conv.weight.shape[2] * conv.weight.shape[3];
                        return output;
                    }).remove);
                    break;
                case ConvTranspose2d deconv:
                    hooks.Add(deconv.register_forward_hook((m, input, output) =>
                    {
                        // Every input value is scattered into Cout/groups · kh · kw outputs.
                        macs += (double)input.numel() * deconv.weight!.shape[1] * deconv.weight.shape[2] * deconv.weight.shape[3];
                        return output;
                    }).remove);
                    break;
            }
        }
        pass();
        foreach (var remove in hooks) remove();
        return macs;
    }
}
