using System.Globalization;
using System.Text.RegularExpressions;

namespace AeCourse.Tests;

public sealed partial class LectureTests
{
    [Fact]
    public void Given_lecture_04_When_run_quick_Then_denoising_raises_psnr_reconstruction_error_finds_held_out_classes_and_the_penalties_do_what_they_say()
    {
        var cells = RunQuick("04-denoising.ipynb");
        var stdout = Stdout(cells);

        // Denoising, Gaussian noise. The test noise comes from a fixed generator, so the noisy PSNR is the same on every
        // run ("about 9.3 dB"; 9.30 on the full set). The text says quick mode ends near 16.2 dB: a band of ±1 dB
        // allows for other libtorch builds and thread counts. The key claim: well above the noisy input (measured
        // +6.9 dB; 4 dB leaves room) and above the ordinary autoencoder (measured +3.1 dB; "3 dB better").
        double gaussNoisy = Number(stdout, @"Gaussian noise: noisy (\d+\.\d+) dB");
        double gaussOrdinary = Number(stdout, @"Gaussian noise: .*ordinary autoencoder (\d+\.\d+) dB");
        double gaussDenoised = Number(stdout, @"Gaussian noise: .*denoising autoencoder (\d+\.\d+) dB");
        Assert.InRange(gaussNoisy, 9.1, 9.5);
        Assert.InRange(gaussDenoised, 15.2, 17.2);
        Assert.True(gaussDenoised > gaussNoisy + 4, $"denoised {gaussDenoised} dB against noisy {gaussNoisy} dB");
        Assert.True(gaussDenoised > gaussOrdinary + 1.5, $"denoising {gaussDenoised} dB against ordinary {gaussOrdinary} dB");

        // Masking noise: "about 10.7 dB to 16.6 dB" (measured +5.9 dB; 3.5 dB leaves room), and the swap: the masking
        // model on Gaussian noise does worse than the noisy input itself (8.1 against 9.3 dB, measured).
        double maskNoisy = Number(stdout, @"masking noise: noisy (\d+\.\d+) dB");
        double maskDenoised = Number(stdout, @"masking noise: .*denoising autoencoder (\d+\.\d+) dB");
        Assert.True(maskDenoised > maskNoisy + 3.5, $"denoised {maskDenoised} dB against masked {maskNoisy} dB");
        Assert.True(Number(stdout, @"the masking model on Gaussian noise (\d+\.\d+) dB") < gaussNoisy);

        // Anomalies: "about 0.86" (measured 0.857 on 200 held-out and 800 normal test images); above 0.75 is far from
        // chance (0.5) whatever the drift, and the ordinary autoencoder, which saw those classes, ranks them clearly
        // worse (measured 0.643: a margin of 0.1).
        double auc = Number(stdout, @"held-out classes against the rest (\d\.\d+)");
        double ordinaryAuc = Number(stdout, @"which saw every class: ROC-AUC (\d\.\d+)");
        Assert.InRange(auc, 0.75, 1.0);
        Assert.True(auc > ordinaryAuc + 0.1, $"held-out model {auc} against ordinary {ordinaryAuc}");

        // The overcomplete models. "Does not copy": the gain is about 0.12 where the identity's is 1 (below 0.5 is
        // far from copying). The contractive penalty cuts the Jacobian norm (38 → 1.6, measured: a factor 5 is
        // asserted) and the gain (0.117 → 0.055); both sparsity penalties cut the mean activation (0.41 → 0.05 and
        // 0.09: a factor 3 is asserted).
        double Field(string model, string field) => Number(stdout, $@"{model} +test MSE .*{field} +(\d+\.\d+)");
        Assert.InRange(Field("none", "gain"), 0, 0.5);
        // "But the gain rises as it trains": measured 0.054 after the first epoch and 0.117 after the fifth (a factor 1.5
        // is asserted; in a 30-epoch run it kept rising to 0.26).
        var byEpoch = Regex.Match(stdout, @"unregularised model by epoch: (.+)").Groups[1].Value.Split(", ").Select(g => double.Parse(g, CultureInfo.InvariantCulture)).ToList();
        Assert.True(byEpoch.Count >= 2 && byEpoch[^1] > 1.5 * byEpoch[0], $"gain by epoch: {string.Join(", ", byEpoch)}");
        Assert.True(Field("contractive", "‖J‖²") < Field("none", "‖J‖²") / 5);
        Assert.True(Field("contractive", "gain") < Field("none", "gain"));
        Assert.True(Field("sparse, L1", "mean activation") < Field("none", "mean activation") / 3);
        Assert.True(Field("sparse, KL", "mean activation") < Field("none", "mean activation") / 3);

        // Inpainting: inside the hidden block, "about 0.035 against 0.14" for the ordinary autoencoder (a factor 4,
        // measured; 2 is asserted). The probe: both pretrained encoders beat the untrained one ("about 6 points",
        // measured 79.0 and 79.9 against 73.2%; 2 points is above the test set's noise, about 1.4 points for 1,000
        // images). The text claims no order between the ordinary and the inpainting encoder, so neither does the test.
        double inpainted = Number(stdout, @"hidden block: .*inpainting autoencoder (\d\.\d+)");
        double ordinaryInBlock = Number(stdout, @"hidden block: .*ordinary autoencoder (\d\.\d+)");
        Assert.True(inpainted < ordinaryInBlock / 2, $"inpainting {inpainted} against ordinary {ordinaryInBlock} inside the block");
        double Probe(string encoder) => Number(stdout, $@"{encoder} +encoder: (\d+\.\d) ?%");
        Assert.True(Probe("ordinary") > Probe("untrained") + 2 && Probe("inpainting") > Probe("untrained") + 2,
            $"untrained {Probe("untrained")}%, ordinary {Probe("ordinary")}%, inpainting {Probe("inpainting")}%");
    }
}
