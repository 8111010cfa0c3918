using AeCourse.Data;
using AeCourse.Metrics;
using AeCourse.Models;
using AeCourse.Training;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace AeCourse.Cli.Reproduce;

/// <summary>PCA and the autoencoders of lectures 01, 02 and 04: reconstruction error and denoising.</summary>
static class AutoencoderExperiments
{
    public static IEnumerable<Experiment> All =>
    [
        new("pca-32", "PCA with 32 components: the floor for linear maps (test MSE per pixel)", 0, PcaFloor),
        new("linear-ae-32", "linear autoencoder 784-32-784, MSE: reaches PCA's error (test MSE per pixel)", 10, LinearAe),
        new("dense-ae-32", "dense autoencoder 784-256-32, BCE (test MSE per pixel)", 10, run => Reconstruction(run, new DenseAutoencoder(latentDim: 32), flat: true)),
        new("conv-ae-32", "convolutional autoencoder, code of 32, BCE (test MSE per pixel)", 10, run => Reconstruction(run, new ConvAutoencoder(latentDim: 32), flat: false)),
        new("denoise-gauss-0.5", "denoising autoencoder 784-256-64 on Gaussian noise of sigma 0.5 (test PSNR, dB)", 10, Denoising),
    ];

    static void PcaFloor(ExperimentRun run)
    {
        using var pca = Pca.Fit(run.Data.Train.Flat, 32);
        run.Report("test_mse_per_pixel", pca.MsePerPixel(run.Data.Test.Flat));
    }

    static void LinearAe(ExperimentRun run)
    {
        using var model = new LinearAutoencoder(784, 32).to(Runtime.Setup.Device);
        using var optimizer = optim.Adam(model.parameters(), 1e-3);
        new Trainer(model, optimizer, (x, _) => mse_loss(model.forward(x.flatten(1)), x.flatten(1))).Fit(run.Data.Train.X, null, run.Options());
        model.eval();
        run.Report("test_mse_per_pixel", run.TestMsePerPixel(x => model.forward(x.flatten(1)).view_as(x)));
    }

    static void Reconstruction(ExperimentRun run, nn.Module<Tensor, Tensor> model, bool flat)
    {
        using var _ = model.to(Runtime.Setup.Device);
        Func<Tensor, Tensor> input = flat ? x => x.flatten(1) : x => x;
        TrainOnBce(run, model, input);
        run.Report("test_mse_per_pixel", run.TestMsePerPixel(x => model.forward(input(x)).sigmoid().view_as(x)));
    }

    /// <summary>Trains an autoencoder on the training images with BCE per pixel (no labels) and leaves it in eval mode.</summary>
    /// <param name="run">The run: data, epochs, log.</param>
    /// <param name="model">Maps input(x) to reconstruction logits of the same shape.</param>
    /// <param name="input">x [B, 1, 28, 28] → what the model takes (flat for dense models).</param>
    public static void TrainOnBce(ExperimentRun run, nn.Module<Tensor, Tensor> model, Func<Tensor, Tensor> input)
    {
        using var optimizer = optim.Adam(model.parameters(), 1e-3);
        new Trainer(model, optimizer, (x, _) => binary_cross_entropy_with_logits(model.forward(input(x)), input(x))).Fit(run.Data.Train.X, null, run.Options());
        model.eval();
    }

    static void Denoising(ExperimentRun run)
    {
        const double sigma = 0.5;
        using var model = new DenseAutoencoder(hiddenDims: [256], latentDim: 64).to(Runtime.Setup.Device);
        using var optimizer = optim.Adam(model.parameters(), 1e-3);
        // New noise every batch (the global generator moves on), the loss against the clean image.
        new Trainer(model, optimizer, (x, _) => binary_cross_entropy_with_logits(model.forward(Corruptions.Gaussian(x.flatten(1), sigma)), x.flatten(1)))
            .Fit(run.Data.Train.X, null, run.Options());
        model.eval();
        // The same noisy test images for both measurements and on every run: noise from a generator seeded alike.
        Tensor Noisy(Tensor x, Generator noise) => Corruptions.Gaussian(x, sigma, noise);
        using var forNoisy = new Generator(1);
        using var forDenoised = new Generator(1);
        double noisy = run.MeanOverTest((x, _) => ImageQuality.Psnr(Noisy(x, forNoisy), x) * x.shape[0]);
        double denoised = run.MeanOverTest((x, _) => ImageQuality.Psnr(model.forward(Noisy(x, forDenoised).flatten(1)).sigmoid().view_as(x), x) * x.shape[0]);
        run.Report("test_psnr_noisy_db", noisy);
        run.Report("test_psnr_denoised_db", denoised);
    }
}
