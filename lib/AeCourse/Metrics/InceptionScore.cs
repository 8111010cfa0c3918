using static TorchSharp.torch;

namespace AeCourse.Metrics;

/// <summary>
/// The Inception Score (Salimans et al. 2016), exp(E_x KL(p(y | x) ‖ p(y))), from a classifier's probabilities.
/// It equals exp(H(p(y)) − E_x H(p(y | x))): high when the marginal p(y) is spread (diversity) and each p(y | x) is
/// peaked (confidence). Between 1 (every row the same) and the number of classes (each row certain, classes equally
/// used). With a classifier other than Inception-v3 (as in this kit) the numbers are on that classifier's scale only.
/// </summary>
public static class InceptionScore
{
    /// <summary>The score of a table of probabilities [N, K] whose rows are p(y | x); computed in float64, 0 · ln 0 = 0.</summary>
    public static double Compute(Tensor probabilities)
    {
        var (marginalEntropy, conditionalEntropy) = Terms(probabilities);
        return Math.Exp(marginalEntropy - conditionalEntropy);
    }

    /// <summary>
    /// Both terms in nats: H(p(y)), the entropy of the mean row (diversity), and E_x H(p(y | x)), the mean entropy of
    /// the rows (low when the classifier is confident). The score is exp of their difference.
    /// </summary>
    public static (double MarginalEntropy, double ConditionalEntropy) Terms(Tensor probabilities)
    {
        if (probabilities.dim() != 2 || probabilities.shape[0] == 0) throw new ArgumentException($"expected a non-empty table [N, K] of probabilities, got [{string.Join(", ", probabilities.shape)}]", nameof(probabilities));
        using var scope = NewDisposeScope();
        var p = probabilities.to(ScalarType.Float64);                      // [N, K]
        var marginal = p.mean([0]);                                        // [K]
        double marginalEntropy = -(marginal * marginal.clamp_min(1e-300).log()).sum().item<double>();
        double conditionalEntropy = -(p * p.clamp_min(1e-300).log()).sum(1).mean().item<double>();
        return (marginalEntropy, conditionalEntropy);
    }
}
