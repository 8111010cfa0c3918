using static TorchSharp.torch;

namespace AeCourse.Losses;

/// <summary>Penalties that make a code sparse (few active units per input).</summary>
public static class Sparsity
{
    /// <summary>L1 of the code: Σ_j |z_j| per example, averaged over the batch.</summary>
    public static Tensor L1(Tensor z) => z.abs().sum(1).mean();

    /// <summary>
    /// Σ_j KL(ρ ‖ ρ̂_j) = Σ_j [ρ log(ρ/ρ̂_j) + (1−ρ) log((1−ρ)/(1−ρ̂_j))], where ρ̂_j is hidden unit j's mean activation
    /// over the batch; activations must lie in (0, 1) (sigmoid units). Nats; 0 when every unit's mean is ρ.
    /// </summary>
    /// <param name="hidden">Sigmoid activations, [B, units].</param>
    /// <param name="rho">Target mean activation, e.g. 0.05.</param>
    public static Tensor KlToTarget(Tensor hidden, double rho)
    {
        if (rho is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(rho), rho, "the target activation must lie strictly between 0 and 1");
        // Clamped away from 0 and 1 so that a saturated unit gives a large, finite penalty instead of infinity.
        var rhoHat = hidden.mean([0]).clamp(1e-6, 1 - 1e-6);
        return (rho * (rho / rhoHat).log() + (1 - rho) * ((1 - rho) / (1 - rhoHat)).log()).sum();
    }
}
