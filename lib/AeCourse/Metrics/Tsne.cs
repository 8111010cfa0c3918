using static TorchSharp.torch;

namespace AeCourse.Metrics;

/// <summary>
/// Exact t-SNE (van der Maaten and Hinton, 2008) for up to a few thousand points: Gaussian affinities with a
/// per-point bandwidth found by bisection to match the perplexity, symmetrised; Student-t similarities in 2-D; gradient
/// descent with momentum and per-coordinate gains (as in the reference implementation), early exaggeration for the
/// first 250 steps, and a fixed seed. O(N²) memory and time.
/// </summary>
public static class Tsne
{
    /// <summary>2-D embedding [N, 2] of <paramref name="data"/> [N, features].</summary>
    /// <param name="data">Points, one per row (N up to ~3,000).</param>
    /// <param name="perplexity">Effective number of neighbours (5–50).</param>
    /// <param name="steps">Gradient steps.</param>
    /// <param name="seed">Seed of the initial layout.</param>
    public static Tensor Embed(Tensor data, double perplexity = 30, int steps = 1000, long seed = 0)
    {
        long n = data.shape[0];
        if (n > 5000) throw new ArgumentException($"exact t-SNE needs N² memory; {n} points is too many (use at most ~3,000).", nameof(data));
        if (perplexity >= n) throw new ArgumentOutOfRangeException(nameof(perplexity), perplexity, $"perplexity must be below the number of points ({n})");
        using var scope = NewDisposeScope();
        var x = data.flatten(1).to(ScalarType.Float64).cpu();
        var p = Affinities(x, perplexity);
        using var generator = new Generator((ulong)seed);
        var y = randn([n, 2], dtype: ScalarType.Float64, generator: generator) * 1e-4;
        var velocity = zeros_like(y);
        var gains = ones_like(y);
        var offDiagonal = 1 - eye(n, dtype: ScalarType.Float64);
        for (int step = 0; step < steps; step++)
        {
            // The step's [N, N] intermediates go with it (kept to the end, 300 steps of 1,000 points took 8 GB);
            // the layout, its velocity and gains move out to the next step.
            Runtime.Interrupts.ThrowIfRequested(() => $"t-SNE step {step} of {steps}");
            using var stepScope = NewDisposeScope();
            double exaggeration = step < 250 ? 12 : 1;
            double momentum = step < 250 ? 0.5 : 0.8;
            // In place where a [N, N] result is not needed again: four such tensors live at once instead of about a
            // dozen, the same operations in the same order, so the same numbers to the last bit.
            var numerator = SquaredDistances(y).add_(1).reciprocal_().mul_(offDiagonal);   // Student-t kernel, [N, N]
            var q = (numerator / numerator.sum()).clamp_min_(1e-12);
            // ∂C/∂y_i = 4 Σ_j (p_ij − q_ij)(y_i − y_j)(1 + |y_i − y_j|²)⁻¹
            var weights = (p * exaggeration).sub_(q).mul_(numerator);
            var gradient = (weights.sum(1, keepdim: true) * y - weights.matmul(y)) * 4;
            // Gains grow where the gradient keeps pushing the same way and shrink where it flips (delta-bar-delta).
            var sameSign = gradient.sign().eq(velocity.sign());
            gains = where(sameSign, gains * 0.8, gains + 0.2).clamp_min(0.01).MoveToOuterDisposeScope();
            velocity = (velocity * momentum - gains * gradient * 200).MoveToOuterDisposeScope();   // learning rate 200
            y = y + velocity;
            y = (y - y.mean([0])).MoveToOuterDisposeScope();
            // N² doubles a tensor: at N = 2,000 each is 32 MB, which glibc serves from its heaps once an mmapped block
            // of that size was freed, and keeps after the step frees it unless told to give it back (1,000 steps at
            // N = 2,000 peaked at 20.6 GB untrimmed, 1.7 GB trimmed every 4 steps: docs/benchmarks.md).
            if (step % 4 == 3) Runtime.NativeHeap.Trim();
        }
        return y.to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <summary>Symmetric joint probabilities p_ij from conditional Gaussians matched to the perplexity.</summary>
    static Tensor Affinities(Tensor x, double perplexity)
    {
        long n = x.shape[0];
        var distances = SquaredDistances(x);
        double targetEntropy = Math.Log(perplexity);
        var rows = new Tensor[n];
        for (long i = 0; i < n; i++)
        {
            using var rowScope = NewDisposeScope();   // the bisection's tensors go with their row
            var d = distances[i].clone();
            d[i] = double.PositiveInfinity;   // a point is not its own neighbour
            double lo = 0, hi = double.PositiveInfinity, beta = 1;
            Tensor row = d;
            for (int iteration = 0; iteration < 60; iteration++)
            {
                // Shifting by the nearest distance keeps exp() from underflowing; it cancels in the normalisation.
                var logits = -(d - d.min()) * beta;
                row = logits.softmax(0);
                double entropy = -(row * (row.clamp_min(1e-300)).log()).sum().item<double>();
                if (Math.Abs(entropy - targetEntropy) < 1e-5) break;
                if (entropy > targetEntropy) { lo = beta; beta = double.IsInfinity(hi) ? beta * 2 : (beta + hi) / 2; }
                else { hi = beta; beta = (beta + lo) / 2; }
            }
            rows[i] = row.MoveToOuterDisposeScope();
        }
        var conditional = stack(rows);
        return ((conditional + conditional.T) / (2 * n)).clamp_min(1e-12);
    }

    static Tensor SquaredDistances(Tensor x)
    {
        var norms = x.pow(2).sum(1, keepdim: true);
        var squared = norms + norms.T;
        using (var products = x.matmul(x.T)) squared.sub_(products.mul_(2));
        return squared.clamp_min_(0);
    }
}
