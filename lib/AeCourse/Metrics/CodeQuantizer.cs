using static TorchSharp.torch;

namespace AeCourse.Metrics;

/// <summary>
/// A uniform scalar quantiser for an autoencoder's code, with 2^bits levels per dimension spread evenly over the
/// range each dimension takes on a fitting set, and the empirical entropy of the resulting symbols: how many bits a
/// code really needs, as opposed to the 32 bits a float occupies when stored. Stored, a quantised code is
/// bits × latentDim bits; an entropy coder (arithmetic coding with each dimension's symbol frequencies) gets close to
/// the empirical entropy, which is never more.
/// </summary>
public sealed class CodeQuantizer : IDisposable
{
    /// <summary>The lowest level of each dimension, [latentDim].</summary>
    public Tensor Low { get; }
    /// <summary>The highest level of each dimension, [latentDim].</summary>
    public Tensor High { get; }
    /// <summary>Levels per dimension, 2^bits.</summary>
    public int Levels { get; }

    CodeQuantizer(Tensor low, Tensor high, int levels) => (Low, High, Levels) = (low, high, levels);

    /// <summary>Levels from each dimension's minimum to its maximum over <paramref name="z"/> ([N, latentDim]), 2^<paramref name="bits"/> of them.</summary>
    public static CodeQuantizer Fit(Tensor z, int bits)
    {
        if (bits < 1 || bits > 16) throw new ArgumentOutOfRangeException(nameof(bits), bits, "between 1 and 16 bits per dimension");
        using var scope = NewDisposeScope();
        var detached = z.detach();
        var low = detached.amin([0]);
        var high = maximum(detached.amax([0]), low + 1e-6);   // a constant dimension still gets a valid step
        return new CodeQuantizer(low.MoveToOuterDisposeScope(), high.MoveToOuterDisposeScope(), 1 << bits);
    }

    /// <summary>The symbol of each number, 0 to Levels − 1 (Int64, [N, latentDim]); values outside the range go to the end levels.</summary>
    public Tensor Quantize(Tensor z)
    {
        using var scope = NewDisposeScope();
        var step = (High - Low) / (Levels - 1);
        return ((z.detach() - Low) / step).round().clamp(0, Levels - 1).to(ScalarType.Int64).MoveToOuterDisposeScope();
    }

    /// <summary>The level each symbol stands for ([N, latentDim], the code's type): what the decoder receives.</summary>
    public Tensor Dequantize(Tensor symbols)
    {
        using var scope = NewDisposeScope();
        var step = (High - Low) / (Levels - 1);
        return (Low + symbols.to(Low.dtype) * step).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The empirical entropy of the symbols of each dimension, −Σ_k p_k log2 p_k with p_k the share of the N rows
    /// holding level k, summed over the dimensions: bits per code for a coder that knows each dimension's frequencies
    /// (and ignores the dependence between dimensions, so a cleverer coder could do with fewer). k bits for 2^k
    /// equally frequent levels, 0 for a constant dimension.
    /// </summary>
    /// <param name="symbols">[N, latentDim] non-negative integers.</param>
    public static double EntropyBits(Tensor symbols)
    {
        using var scope = NewDisposeScope();
        var s = symbols.to(ScalarType.Int64).cpu();
        if (s.dim() != 2) throw new ArgumentException("symbols must be [N, latentDim]", nameof(symbols));
        double n = s.shape[0], bits = 0;
        for (long d = 0; d < s.shape[1]; d++)
        {
            var counts = s.select(1, d).contiguous().bincount(null).to(ScalarType.Float64);
            var p = counts.masked_select(counts.gt(0)) / n;
            bits -= (p * p.log2()).sum().item<double>();
        }
        return bits;
    }

    /// <summary>Frees the two range tensors.</summary>
    public void Dispose()
    {
        Low.Dispose();
        High.Dispose();
    }
}
