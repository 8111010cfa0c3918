using System.Globalization;
using static TorchSharp.torch;

namespace AeCourse.Grading;

/// <summary>A check of an exercise failed; the message tells the student what was expected and what was found.</summary>
public sealed class CheckFailedException(string message) : Exception(message);

/// <summary>
/// Checks for the test cells that follow exercises. Each passes silently or throws <see cref="CheckFailedException"/>
/// with a sentence a student understands ("expected z of shape [64, 20], got [64, 2]").
/// </summary>
public static class Check
{
    /// <summary>The value exists: the exercise was done (a stub left in place throws before this).</summary>
    public static void NotNull(object? value, string name)
    {
        if (value is null) throw new CheckFailedException($"{name} is null: assign it in the exercise cell above.");
    }

    /// <summary>The tensor has exactly this shape.</summary>
    public static void Shape(Tensor? tensor, long[] expected, string name)
    {
        NotNull(tensor, name);
        if (!tensor!.shape.SequenceEqual(expected))
            throw new CheckFailedException($"expected {name} of shape {Format(expected)}, got {Format(tensor.shape)}.");
    }

    /// <summary>|actual − expected| ≤ tolerance.</summary>
    public static void Close(double actual, double expected, double tolerance, string name)
    {
        if (double.IsNaN(actual) || Math.Abs(actual - expected) > tolerance)
            throw new CheckFailedException(Invariant($"expected {name} within {tolerance:G3} of {expected:G6}, got {actual:G6}."));
    }

    /// <summary>Every element of <paramref name="actual"/> within <paramref name="tolerance"/> of <paramref name="expected"/> (same shape).</summary>
    public static void Close(Tensor? actual, Tensor expected, double tolerance, string name)
    {
        Shape(actual, expected.shape, name);
        using var scope = NewDisposeScope();
        var difference = (actual!.detach().to(ScalarType.Float64).cpu() - expected.detach().to(ScalarType.Float64).cpu()).abs();
        double worst = difference.max().item<double>();
        if (double.IsNaN(worst) || worst > tolerance)
        {
            long at = difference.flatten().argmax().item<long>();
            throw new CheckFailedException(Invariant($"{name} differs from the expected values by up to {worst:G3} (at flat index {at}); allowed {tolerance:G3}."));
        }
    }

    /// <summary>The value lies in [low, high].</summary>
    public static void InRange(double actual, double low, double high, string name)
    {
        if (double.IsNaN(actual) || actual < low || actual > high)
            throw new CheckFailedException(Invariant($"expected {name} between {low:G6} and {high:G6}, got {actual:G6}."));
    }

    /// <summary>The condition holds; <paramref name="explanation"/> says what was expected.</summary>
    public static void That(bool condition, string explanation)
    {
        if (!condition) throw new CheckFailedException(explanation);
    }

    /// <summary>Each value is below the one before it, allowing <paramref name="slack"/> (e.g. noise in a loss curve).</summary>
    public static void Decreasing(IReadOnlyList<double> values, string name, double slack = 0)
    {
        if (values.Count < 2) throw new CheckFailedException($"{name} needs at least two values to fall; it has {values.Count}.");
        for (int i = 1; i < values.Count; i++)
            if (!(values[i] < values[i - 1] + slack))
                throw new CheckFailedException(Invariant($"expected {name} to fall, but it went from {values[i - 1]:G4} to {values[i]:G4} at step {i + 1}."));
    }

    static string Format(IEnumerable<long> shape) => $"[{string.Join(", ", shape)}]";

    static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
