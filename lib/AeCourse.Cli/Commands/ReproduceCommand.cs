using System.CommandLine;
using System.Diagnostics;
using AeCourse.Cli.Reproduce;
using AeCourse.Data;
using AeCourse.Runtime;

namespace AeCourse.Cli.Commands;

/// <summary>
/// <c>aecourse reproduce NAME</c>: trains one reference setup of docs/results.md and prints its test metrics, the
/// headline last, as <c>NAME METRIC VALUE</c>. Exit 2 for an unknown name, a bad option or missing data.
/// </summary>
static class ReproduceCommand
{
    public static Command Create()
    {
        var name = new Argument<string?>("name") { Description = "The experiment (see --list)", Arity = ArgumentArity.ZeroOrOne };
        var list = new Option<bool>("--list") { Description = "Name every experiment" };
        var epochs = new Option<int?>("--epochs") { Description = "Epochs of the main training (default: the experiment's, as in docs/results.md)" };
        var full = new Option<bool>("--full") { Description = "Full Fashion-MNIST (aecourse data fetch fashion-mnist) instead of the embedded subset" };
        var command = new Command("reproduce", "Train a reference setup and print its test metrics; the last line is NAME METRIC VALUE")
            { name, list, epochs, full };
        command.SetAction(result =>
        {
            if (result.GetValue(list))
            {
                foreach (var e in Experiments.All) Console.WriteLine($"{e.Name,-18} {e.Summary}");
                return 0;
            }
            var asked = result.GetValue(name);
            if (asked is null) { Console.Error.WriteLine("name an experiment; `aecourse reproduce --list` names them"); return 2; }
            if (Experiments.Find(asked) is not { } experiment)
            {
                Console.Error.WriteLine($"no experiment named '{asked}'; there are: {string.Join(", ", Experiments.All.Select(e => e.Name))}");
                return 2;
            }
            int n = result.GetValue(epochs) ?? experiment.DefaultEpochs;
            if (n < 1 && experiment.DefaultEpochs > 0) { Console.Error.WriteLine($"--epochs {n}: train at least 1 epoch"); return 2; }

            var store = CommonOptions.Store(result);
            var variant = result.GetValue(full) ? DatasetVariant.Full : DatasetVariant.Embedded;
            if (!store.Has("fashion-mnist", variant))
            {
                Console.Error.WriteLine(variant == DatasetVariant.Full
                    ? $"--full needs the full Fashion-MNIST in {store.FullFolder("fashion-mnist")}; run `aecourse data fetch fashion-mnist` first"
                    : $"the embedded Fashion-MNIST is missing from {store.EmbeddedFolder("fashion-mnist")}");
                return 2;
            }

            Console.Error.WriteLine(Setup.Initialize(seed: 0, quiet: true));
            using var data = ImageDataset.Load("fashion-mnist", variant, store: store);
            Console.Error.WriteLine($"{experiment.Name}: {data}; {(experiment.DefaultEpochs == 0 ? "nothing to train" : $"{n} epochs")}");
            var clock = Stopwatch.StartNew();
            experiment.Run(new ExperimentRun(experiment.Name, data, n, Console.Out, Console.Error));
            Console.Error.WriteLine($"{experiment.Name}: {clock.Elapsed.TotalSeconds:F1} s");
            Console.Out.Flush();
            return 0;
        });
        return command;
    }
}
