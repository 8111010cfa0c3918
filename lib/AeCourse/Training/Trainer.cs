using System.Diagnostics;
using System.Globalization;
using AeCourse.Data;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AeCourse.Training;

/// <summary>How <see cref="Trainer"/> trains. Every default is the course's usual choice.</summary>
public sealed record TrainerOptions
{
    /// <summary>Passes over the training data.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Examples per batch.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Seed of the batch order (with <c>Setup.Initialize(seed)</c> for the weights, a run is repeatable).</summary>
    public long Seed { get; init; }

    /// <summary>Stop after this many epochs without a better validation value; null trains every epoch.</summary>
    public int? Patience { get; init; }

    /// <summary>Where to save a checkpoint after every epoch (atomically); null for none. An existing one is resumed.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>Call the epoch callback every this many epochs (e.g. to show reconstructions).</summary>
    public int CallbackEvery { get; init; } = 1;

    /// <summary>How progress is shown: by default an updating display in a notebook, a bar on a console, else a line per epoch.</summary>
    public ProgressStyle Progress { get; init; } = ProgressStyle.Auto;

    /// <summary>Where progress lines and the bar go; null for standard output.</summary>
    public TextWriter? Log { get; init; }
}

/// <summary>Metrics recorded per epoch ("train_loss", "validation", …), and how the run ended.</summary>
public sealed class TrainingHistory
{
    /// <summary>Metric name → one value per epoch, in order.</summary>
    public Dictionary<string, List<double>> Metrics { get; } = new();

    /// <summary>Epochs trained, resumed ones included.</summary>
    public int Epochs { get; internal set; }

    /// <summary>Whether early stopping ended the run.</summary>
    public bool StoppedEarly { get; internal set; }

    internal void Add(string name, double value)
    {
        if (!Metrics.TryGetValue(name, out var values)) Metrics[name] = values = [];
        values.Add(value);
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"epoch {Epochs}: " + string.Join(", ", Metrics.Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Key} {m.Value[^1]:G4}")));
}

/// <summary>
/// Trains a model by mini-batches: each step runs in a TorchSharp dispose scope (no tensor outlives its step), the
/// model is in train mode for steps and eval mode (without gradients) for validation, metrics are recorded per epoch,
/// and with a checkpoint path every epoch is saved atomically so an interrupted run resumes where it stopped.
/// An interrupt of the notebook cell (<see cref="Runtime.Interrupts"/>) stops it after the batch being trained.
/// </summary>
/// <param name="model">The model; its parameters are what the optimizer updates.</param>
/// <param name="optimizer">The optimizer over the model's parameters.</param>
/// <param name="loss">The loss of one batch (x, y), built from the model; the trainer calls backward and step.</param>
/// <param name="validate">A validation value computed after each epoch (lower is better), or null; the tensors it
/// makes are freed when it returns.</param>
public sealed class Trainer(nn.Module model, OptimizerHelper optimizer, Func<Tensor, Tensor, Tensor> loss, Func<double>? validate = null)
{
    /// <summary>Trains on <paramref name="x"/> (and labels <paramref name="y"/>, if the loss needs them).</summary>
    /// <param name="x">Training inputs, first dimension = examples, on the model's device.</param>
    /// <param name="y">Labels, or null.</param>
    /// <param name="options">Epochs, batch size, seed, early stopping, checkpoint.</param>
    /// <param name="onEpoch">Called every <see cref="TrainerOptions.CallbackEvery"/> epochs with the history so far.</param>
    public TrainingHistory Fit(Tensor x, Tensor? y, TrainerOptions options, Action<TrainingHistory>? onEpoch = null)
    {
        var history = new TrainingHistory();
        int start = Resume(options.CheckpointPath, history);
        using var batches = new BatchIterator(x, y, options.BatchSize, shuffle: true, seed: options.Seed);
        // Skip the batch orders of the epochs already trained, so a resumed run sees the batches an unbroken one would.
        for (int skipped = 0; skipped < start; skipped++) foreach (var _ in batches) { }
        double best = history.Metrics.TryGetValue("validation", out var seen) ? seen.Min() : double.PositiveInfinity;
        int sinceBest = history.Metrics.TryGetValue("validation", out var values) ? values.Count - 1 - values.IndexOf(best) : 0;

        var progress = new ProgressReporter(options.Progress, options.Epochs, options.Log);
        for (int epoch = start + 1; epoch <= options.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            history.Add("train_loss", TrainEpoch(batches, epoch, (batch, count) => progress.Batch(epoch, batch, count)));
            if (validate is not null)
            {
                model.eval();
                double value;
                // Whatever tensors the validation makes (a forward pass over the whole test set, often) are freed here:
                // left to the collector, which cannot see libtorch's memory, they piled up to gigabytes in full runs.
                using (NewDisposeScope())
                using (no_grad()) value = validate();
                history.Add("validation", value);
                if (value < best) { best = value; sinceBest = 0; } else sinceBest++;
            }
            history.Add("seconds", clock.Elapsed.TotalSeconds);
            history.Epochs = epoch;
            if (options.CheckpointPath is { } path)
                Checkpoint.Save(model, path, new CheckpointInfo(model.GetType().Name, epoch, history.Metrics.ToDictionary(m => m.Key, m => m.Value.ToArray())), optimizer);
            progress.Epoch(history);
            if (onEpoch is not null && epoch % options.CallbackEvery == 0) onEpoch(history);
            if (options.Patience is { } patience && sinceBest >= patience)
            {
                history.StoppedEarly = true;
                break;
            }
        }
        progress.Finish();
        return history;
    }

    /// <summary>
    /// Load-or-train, for notebooks that must not retrain on every run: when <paramref name="path"/> holds a
    /// checkpoint of a run that finished (its epoch count reached <see cref="TrainerOptions.Epochs"/>), load it;
    /// otherwise train (resuming whatever part is there) and keep the checkpoint at that path.
    /// </summary>
    /// <returns>The history, and whether it was loaded without training.</returns>
    public (TrainingHistory History, bool Loaded) LoadOrTrain(string path, Tensor x, Tensor? y, TrainerOptions options, Action<TrainingHistory>? onEpoch = null)
    {
        if (File.Exists(path))
        {
            var history = new TrainingHistory();
            if (Resume(path, history) >= options.Epochs) return (history, true);
        }
        return (Fit(x, y, options with { CheckpointPath = path }, onEpoch), false);
    }

    double TrainEpoch(BatchIterator batches, int epoch, Action<int, int> afterBatch)
    {
        model.train();
        double total = 0;
        long seen = 0;
        int batch = 0, count = (int)batches.BatchesPerEpoch;
        foreach (var (xb, yb) in batches)
        {
            // The iterator's batches are new tensors that belong to no scope: free them with their step, not when the
            // garbage collector gets round to it (libtorch's memory is invisible to it, so a long run would pile up).
            using var batchX = xb;
            using var batchY = yb;
            using var scope = NewDisposeScope();
            var value = loss(xb, yb);
            optimizer.zero_grad();
            value.backward();
            optimizer.step();
            total += value.item<float>() * xb.shape[0];
            seen += xb.shape[0];
            afterBatch(++batch, count);
            // Checked after the step, so an interrupt never leaves a half-applied update behind.
            Runtime.Interrupts.ThrowIfRequested(() => $"epoch {epoch}, batch {batch} of {count}; the model keeps the weights trained so far");
        }
        return total / seen;
    }

    /// <summary>Loads the checkpoint if there is one; returns the epochs it had trained.</summary>
    int Resume(string? path, TrainingHistory history)
    {
        if (path is null || !File.Exists(path)) return 0;
        var info = Checkpoint.Load(model, path, optimizer);
        foreach (var (name, series) in info.Metrics)
            foreach (var value in series) history.Add(name, value);
        history.Epochs = info.Epoch;
        return info.Epoch;
    }
}
