namespace AeCourse.Runtime;

/// <summary>
/// Whether the notebook cell running the kit's code was asked to stop (the front end's interrupt, or the cell's time
/// limit). The kit's long loops — training, t-SNE, probes — check at every step and stop cleanly with a
/// <see cref="CellInterruptedException"/> that says how far they got; the model keeps what it learned until then.
/// Notebook code with loops of its own can do the same: <c>Interrupts.ThrowIfRequested(() => $"epoch {epoch}")</c>.
/// </summary>
public static class Interrupts
{
    static Func<CancellationToken> cellInterrupt = () => CancellationToken.None;

    /// <summary>Connects the kit to its host's interrupts; the kit's engine does this itself (nothing to call in a notebook).</summary>
    public static void Connect(Func<CancellationToken> interruptOfRunningCell) => cellInterrupt = interruptOfRunningCell;

    /// <summary>The running cell's interrupt; never cancelled outside a host that interrupts.</summary>
    public static CancellationToken Current => cellInterrupt();

    /// <summary>Whether the running cell was asked to stop.</summary>
    public static bool Requested => cellInterrupt().IsCancellationRequested;

    /// <summary>Stops here if the cell was asked to: throws "interrupted after <paramref name="progress"/>".</summary>
    /// <param name="progress">How far the work got, e.g. "epoch 3, batch 120 of 469"; only built when stopping.</param>
    /// <exception cref="CellInterruptedException">The cell was interrupted or ran out of time.</exception>
    public static void ThrowIfRequested(Func<string> progress)
    {
        if (Requested) throw new CellInterruptedException($"interrupted after {progress()}");
    }
}

/// <summary>The kit's code stopped because its cell was interrupted; the message says how far it got.</summary>
/// <param name="message">E.g. "interrupted after epoch 3, batch 120 of 469; the model keeps the weights trained so far".</param>
public sealed class CellInterruptedException(string message) : OperationCanceledException(message);
