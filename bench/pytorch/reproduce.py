#!/usr/bin/python3
"""PyTorch twins of `aecourse reproduce`: the reference setups of docs/results.md, written independently in PyTorch.

    python3 bench/pytorch/reproduce.py --list
    python3 bench/pytorch/reproduce.py NAME [--epochs N] [--full] [--data DIR]

Prints one line per metric, `NAME METRIC VALUE` (4 significant digits), the headline metric last, as the kit does;
progress (epoch, loss, seconds) goes to stderr. CPU only, seed 0, 2 threads (the reference machine has 2 cores).
"""
import argparse
import gzip
import math
import os
import sys
import time
import zlib

# Thread pools on 2 cores, set before numpy and torch load (both can be overridden from the environment):
# - OpenMP threads that wait by spinning (libgomp's default) lose whole time slices when another process holds a
#   core: on a busy 2-core machine a dense-ae-32 epoch took 14 s instead of 0.4 s. Passive waiting sleeps instead.
# - Debian's torch runs its OpenMP pool beside OpenBLAS's pthreads; the two spinning against each other once made
#   one SVD many times slower, so OpenBLAS keeps to the calling thread.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BATCH = 128          # training batch of every setup
TEST_BATCH = 500     # evaluation batch (as the kit's ExperimentRun.MeansOverTest)


# ---------------------------------------------------------------- data

def fail(path, why):
    """Stops with exit status 2, as the kit does for missing or bad data, naming the file."""
    print(f"{path}: {why}", file=sys.stderr)
    sys.exit(2)


def read_idx(path, kind):
    """The uint8 content of a gzip IDX file: images [N, 28, 28] (magic 2051) or labels [N] (magic 2049)."""
    try:
        with gzip.open(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError, zlib.error) as e:         # missing file, not gzip, truncated or corrupt stream
        fail(path, f"cannot read: {e}")
    magic, rank = (2051, 3) if kind == "images" else (2049, 1)
    header = 4 + 4 * rank
    if len(raw) < header:
        fail(path, f"truncated: {len(raw)} bytes, the header alone needs {header}")
    if int.from_bytes(raw[:4], "big") != magic:
        fail(path, f"magic number {raw[:4].hex()} is not {magic:08x} (IDX {kind})")
    shape = [int.from_bytes(raw[4 + 4 * d:8 + 4 * d], "big") for d in range(rank)]
    if kind == "images" and shape[1:] != [28, 28]:
        fail(path, f"images of {shape[1]}x{shape[2]} pixels, not 28x28")
    if len(raw) - header != math.prod(shape):
        fail(path, f"the header counts {shape[0]} {kind} of shape {shape}, i.e. {math.prod(shape)} bytes, "
                   f"but {len(raw) - header} bytes follow")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def load(data_dir, full):
    """x_train, y_train, x_test, y_test: x float32 [N, 1, 28, 28] = byte / 255, y int64 [N]."""
    folder = os.path.join(data_dir, "full" if full else "embedded", "fashion-mnist")
    if not os.path.isdir(folder):
        fail(folder, "no such folder" + ("; `aecourse data fetch fashion-mnist` puts the full set there" if full else ""))
    def split(prefix):
        images_path = os.path.join(folder, f"{prefix}-images-idx3-ubyte.gz")
        labels_path = os.path.join(folder, f"{prefix}-labels-idx1-ubyte.gz")
        images, labels = read_idx(images_path, "images"), read_idx(labels_path, "labels")
        if len(labels) != len(images):
            fail(labels_path, f"{len(labels)} labels for the {len(images)} images of {images_path}")
        if labels.max() > 9:
            fail(labels_path, f"label {labels.max()} outside 0..9")
        x = torch.from_numpy(images.astype(np.float32) / 255).unsqueeze(1)       # [N, 1, 28, 28]
        return x, torch.from_numpy(labels.astype(np.int64))
    return (*split("train"), *split("t10k"))


# ---------------------------------------------------------------- training and evaluation

def log(message):
    print(message, file=sys.stderr, flush=True)


def batches(x, y, order):
    """One epoch of shuffled batches of 128 (the last smaller), drawn from the generator `order`."""
    for idx in torch.randperm(len(x), generator=order).split(BATCH):
        yield x[idx], (None if y is None else y[idx])


def batch_order():
    """A generator seeded 0 of its own for the batch order, as the kit's BatchIterator: every training run sees the
    same orders, whatever the weight initialisation and noise drew from the global generator."""
    return torch.Generator().manual_seed(0)


class Run:
    """One experiment: its data, epochs and the `NAME METRIC VALUE` lines (the kit's ExperimentRun)."""

    def __init__(self, name, epochs, data):
        self.name, self.epochs = name, epochs
        self.x_train, self.y_train, self.x_test, self.y_test = data

    def report(self, metric, value):
        print(f"{self.name} {metric} {float(value):.4g}", flush=True)

    def fit(self, model, loss_of, y=None, epochs=None):
        """Adam (lr 1e-3) on the training images; loss_of(x, y) is a batch's loss. Leaves the model in eval mode."""
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        order = batch_order()
        for epoch in range(1, (epochs or self.epochs) + 1):
            model.train()
            clock, total = time.time(), 0.0
            for xb, yb in batches(self.x_train, y, order):
                loss = loss_of(xb, yb)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                total += loss.item() * len(xb)
            log(f"epoch {epoch}: train_loss {total / len(self.x_train):.4g}, seconds {time.time() - clock:.1f}")
        model.eval()

    @torch.no_grad()
    def means_over_test(self, sums_of_batch):
        """Means over test images of per-batch sums; sums_of_batch(x, y) gets the test split in order, 500 at a time."""
        totals = 0
        for start in range(0, len(self.x_test), TEST_BATCH):
            sums = sums_of_batch(self.x_test[start:start + TEST_BATCH], self.y_test[start:start + TEST_BATCH])
            totals = totals + np.asarray(sums, dtype=np.float64)
        return totals / len(self.x_test)

    def test_mse_per_pixel(self, reconstruct):
        """reconstruct: x [B, 1, 28, 28] → x_hat of the same shape."""
        sums = self.means_over_test(lambda x, _: [F.mse_loss(reconstruct(x), x, reduction="sum").item()])
        return sums[0] / 784


# ---------------------------------------------------------------- models (lib/AeCourse/Models, same layer order)

class DenseAutoencoder(nn.Module):
    """x [B, 784] → hidden ReLU → z [B, latent] → hidden ReLU → logits [B, 784]."""

    def __init__(self, latent_dim=32, hidden=256):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(784, hidden), nn.ReLU(), nn.Linear(hidden, latent_dim))
        self.decoder = nn.Sequential(nn.Linear(latent_dim, hidden), nn.ReLU(), nn.Linear(hidden, 784))

    def forward(self, x):
        return self.decoder(self.encoder(x))


class ConvAutoencoder(nn.Module):
    def __init__(self, latent_dim=32, c=32):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(1, c, 4, stride=2, padding=1), nn.ReLU(),            # [B, 1, 28, 28] → [B, c, 14, 14]
            nn.Conv2d(c, 2 * c, 4, stride=2, padding=1), nn.ReLU(),        # → [B, 2c, 7, 7]
            nn.Flatten(), nn.Linear(2 * c * 49, latent_dim))               # → [B, latent]
        self.decoder = nn.Sequential(
            nn.Linear(latent_dim, 2 * c * 49), nn.ReLU(), nn.Unflatten(1, (2 * c, 7, 7)),
            nn.ConvTranspose2d(2 * c, c, 4, stride=2, padding=1), nn.ReLU(),   # → [B, c, 14, 14]
            nn.ConvTranspose2d(c, 1, 4, stride=2, padding=1))                  # → [B, 1, 28, 28] logits

    def forward(self, x):
        return self.decoder(self.encoder(x))


class DenseVae(nn.Module):
    """q(z|x) = N(mu, exp(log_var)) from 784 → hidden ReLU → two heads; decoder latent → hidden ReLU → 784 logits."""

    def __init__(self, latent_dim=20, hidden=400):
        super().__init__()
        # Created in the kit's order (body and decoder are arguments of GaussianVae's constructor, which then makes
        # the heads), so the default initialisation draws from the seeded generator in the same sequence.
        self.body = nn.Sequential(nn.Linear(784, hidden), nn.ReLU())
        self.decoder = nn.Sequential(nn.Linear(latent_dim, hidden), nn.ReLU(), nn.Linear(hidden, 784))
        self.mu_head = nn.Linear(hidden, latent_dim)
        self.log_var_head = nn.Linear(hidden, latent_dim)

    def encode(self, x):
        h = self.body(x)
        return self.mu_head(h), self.log_var_head(h)


def sample(mu, log_var, generator=None):
    """z = mu + exp(log_var / 2) · eps, eps ~ N(0, I) (the reparameterisation trick)."""
    return mu + (0.5 * log_var).exp() * torch.randn(mu.shape, generator=generator)


def elbo_terms(vae, x, generator=None):
    """(distortion, rate) in nats per image, batch means: BCE summed over pixels with one z sample, closed-form KL."""
    mu, log_var = vae.encode(x)
    logits = vae.decoder(sample(mu, log_var, generator))
    distortion = F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(1).mean()
    rate = (0.5 * (mu.pow(2) + log_var.exp() - 1 - log_var)).sum(1).mean()
    return distortion, rate


class Classifier(nn.Module):
    """The kit's ImageClassifier: its 128 features play Inception's part in the domain Fréchet distance."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),     # [B, 32, 14, 14]
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),    # [B, 64, 7, 7]
            nn.Flatten(), nn.Linear(64 * 49, 128), nn.ReLU())               # [B, 128]
        self.head = nn.Linear(128, 10)

    def forward(self, x):
        return self.head(self.features(x))


class RotationClassifier(nn.Module):
    """The kit's RotationClassifier: ConvAutoencoder's encoder shape → features [B, latent]; a ReLU and a linear head
    to the 4 quarter turns."""

    def __init__(self, latent_dim=32, c=32, rotations=4):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(1, c, 4, stride=2, padding=1), nn.ReLU(),            # [B, 1, 28, 28] → [B, c, 14, 14]
            nn.Conv2d(c, 2 * c, 4, stride=2, padding=1), nn.ReLU(),        # → [B, 2c, 7, 7]
            nn.Flatten(), nn.Linear(2 * c * 49, latent_dim))               # → [B, latent]
        self.head = nn.Sequential(nn.ReLU(), nn.Linear(latent_dim, rotations))

    def forward(self, x):
        return self.head(self.encoder(x))


def rotation_batch(x):
    """Every image [B, 1, H, H] in its four counter-clockwise quarter turns (numpy.rot90's direction), rotation-major:
    [4B, 1, H, H] and the turn k of each row [4B] (0…0 1…1 2…2 3…3), as the kit's RotationPretext.Batch."""
    turned = torch.cat([torch.rot90(x, k, (2, 3)) for k in range(4)])
    return turned, torch.arange(4).repeat_interleave(len(x))


def dcgan_generator(latent_dim=64, c=64):
    """z [B, latent] → image logits [B, 1, 28, 28]."""
    return nn.Sequential(
        nn.Linear(latent_dim, 2 * c * 49), nn.BatchNorm1d(2 * c * 49), nn.ReLU(), nn.Unflatten(1, (2 * c, 7, 7)),
        nn.ConvTranspose2d(2 * c, c, 4, stride=2, padding=1), nn.BatchNorm2d(c), nn.ReLU(),    # [B, c, 14, 14]
        nn.ConvTranspose2d(c, 1, 4, stride=2, padding=1))


class ConditionalDcganGenerator(nn.Module):
    """The kit's ConditionalDcganGenerator: [z, one-hot y] → DCGAN's generator → image logits [B, 1, 28, 28]."""

    def __init__(self, latent_dim=64, classes=10, c=64):
        super().__init__()
        self.classes = classes
        self.project = nn.Linear(latent_dim + classes, 2 * c * 49)
        self.layers = nn.Sequential(
            nn.BatchNorm1d(2 * c * 49), nn.ReLU(), nn.Unflatten(1, (2 * c, 7, 7)),
            nn.ConvTranspose2d(2 * c, c, 4, stride=2, padding=1), nn.BatchNorm2d(c), nn.ReLU(),    # [B, c, 14, 14]
            nn.ConvTranspose2d(c, 1, 4, stride=2, padding=1))

    def forward(self, z, y):
        return self.layers(self.project(torch.cat([z, F.one_hot(y, self.classes).to(z.dtype)], 1)))


class ConditionalDcganDiscriminator(nn.Module):
    """The kit's ConditionalDcganDiscriminator: the one-hot y repeated over the image as extra channels → one logit [B]."""

    def __init__(self, classes=10, c=64):
        super().__init__()
        self.classes = classes
        self.layers = nn.Sequential(
            nn.Conv2d(1 + classes, c, 4, stride=2, padding=1), nn.LeakyReLU(0.2),                  # [B, c, 14, 14]
            nn.Conv2d(c, 2 * c, 4, stride=2, padding=1), nn.BatchNorm2d(2 * c), nn.LeakyReLU(0.2),  # [B, 2c, 7, 7]
            nn.Flatten(), nn.Linear(2 * c * 49, 1))

    def forward(self, x, y):
        maps = F.one_hot(y, self.classes).to(x.dtype)[:, :, None, None].expand(-1, -1, x.shape[2], x.shape[3])
        return self.layers(torch.cat([x, maps], 1)).squeeze(1)


def dcgan_discriminator(c=64):
    """Images [B, 1, 28, 28] → one logit each [B, 1] (squeezed by the caller, as the kit's forward does)."""
    return nn.Sequential(
        nn.Conv2d(1, c, 4, stride=2, padding=1), nn.LeakyReLU(0.2),                            # [B, c, 14, 14]
        nn.Conv2d(c, 2 * c, 4, stride=2, padding=1), nn.BatchNorm2d(2 * c), nn.LeakyReLU(0.2),  # [B, 2c, 7, 7]
        nn.Flatten(), nn.Linear(2 * c * 49, 1))


# ---------------------------------------------------------------- metrics (lib/AeCourse/Metrics)

def psnr(x_hat, x):
    """Mean over images of 10 · log10(1 / MSE of the image), float64, images in [0, 1]."""
    mse = (x_hat - x).double().pow(2).flatten(1).mean(1)
    return (-10 * mse.log10()).mean().item()


@torch.no_grad()
def iw_nll(vae, x, k, generator):
    """Mean over the batch x [B, 784] of −log (1/k) Σ_i p(x|z_i) p(z_i) / q(z_i|x), z_i ~ q(z|x) (Burda et al.)."""
    log_two_pi = math.log(2 * math.pi)
    mu, log_var = vae.encode(x)                                                          # [B, D]
    z = mu + (0.5 * log_var).exp() * torch.randn((k, *mu.shape), generator=generator)   # [k, B, D]
    logits = vae.decoder(z.view(k * len(x), -1))                                         # [k·B, 784]
    target = x.unsqueeze(0).expand(k, *x.shape).reshape(logits.shape)
    log_px_z = -F.binary_cross_entropy_with_logits(logits, target, reduction="none").view(k, len(x), -1).sum(2)
    log_pz = -0.5 * (z.pow(2) + log_two_pi).sum(2)
    log_qz = -0.5 * ((z - mu).pow(2) / log_var.exp() + log_var + log_two_pi).sum(2)
    log_w = (log_px_z + log_pz - log_qz).double()                                        # [k, B]; float64 for the sum
    return -(torch.logsumexp(log_w, 0) - math.log(k)).mean().item()


def frechet_distance(a, b):
    """‖mu_a − mu_b‖² + Tr(S_a + S_b − 2 (S_a S_b)^½) between Gaussians fitted to features a [N, d] and b [M, d]."""
    a, b = a.double().numpy(), b.double().numpy()
    s_a, s_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)      # unbiased, as the kit's
    try:
        # scipy's sqrtm of the product (the reference FID code's way); round-off can leave a tiny imaginary part.
        from scipy.linalg import sqrtm
        cross = sqrtm(s_a @ s_b).real
        route = "scipy.linalg.sqrtm"
    except ImportError:
        # Without scipy: (S_a^½ S_b S_a^½)^½ has the same trace and is symmetric, so two eigendecompositions do it
        # (the kit's own route); round-off's tiny negative eigenvalues are clipped.
        def sqrt_psd(m):
            w, v = np.linalg.eigh((m + m.T) / 2)
            return (v * np.sqrt(np.clip(w, 0, None))) @ v.T
        root_a = sqrt_psd(s_a)
        cross = sqrt_psd(root_a @ s_b @ root_a)
        route = "eigendecomposition (no scipy)"
    log(f"frechet distance: covariance square root by {route}")
    mean_term = ((a.mean(0) - b.mean(0)) ** 2).sum()
    return float(mean_term + np.trace(s_a) + np.trace(s_b) - 2 * np.trace(cross))


def probe_accuracy(run, features, per_class=100, steps=300, lr=1e-2, seed=0):
    """Test accuracy of a linear classifier on features(x), trained full-batch with Adam on 100 labelled train
    images per class (chosen with a seeded numpy generator; the kit uses .NET's Random, so the images differ)."""
    rng = np.random.default_rng(seed)
    y = run.y_train.numpy()
    chosen = np.concatenate([np.sort(rng.choice(np.flatnonzero(y == c), per_class, replace=False)) for c in range(10)])
    chosen = torch.from_numpy(chosen)
    with torch.no_grad():                                            # the representation is frozen: compute it once
        f_train = features(run.x_train[chosen])                      # [1000, F]
        f_test = torch.cat([features(x) for x in run.x_test.split(1000)])
    head = nn.Linear(f_train.shape[1], 10)
    optimizer = torch.optim.Adam(head.parameters(), lr=lr)
    for _ in range(steps):
        loss = F.cross_entropy(head(f_train), run.y_train[chosen])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        return (head(f_test).argmax(1) == run.y_test).double().mean().item()


# ---------------------------------------------------------------- experiments (docs/results.md, "Setups")

def pca_32(run):
    train = run.x_train.flatten(1).double()                          # [N, 784]
    mean = train.mean(0)
    _, _, vh = torch.linalg.svd(train - mean, full_matrices=False)
    components = vh[:32]                                             # [32, 784], orthonormal rows
    test = run.x_test.flatten(1).double() - mean
    run.report("test_mse_per_pixel", (test @ components.T @ components - test).pow(2).mean().item())


def linear_ae_32(run):
    model = nn.Sequential(nn.Linear(784, 32), nn.Linear(32, 784))   # no activation: linear end to end
    run.fit(model, lambda x, _: F.mse_loss(model(x.flatten(1)), x.flatten(1)))
    run.report("test_mse_per_pixel", run.test_mse_per_pixel(lambda x: model(x.flatten(1)).view_as(x)))


def train_on_bce(run, model, flat):
    """Trains an autoencoder without labels, BCE with logits per pixel; returns x → sigmoid(logits) shaped like x."""
    shape = (lambda x: x.flatten(1)) if flat else (lambda x: x)
    run.fit(model, lambda x, _: F.binary_cross_entropy_with_logits(model(shape(x)), shape(x)))
    return lambda x: torch.sigmoid(model(shape(x))).view_as(x)


def dense_ae_32(run):
    run.report("test_mse_per_pixel", run.test_mse_per_pixel(train_on_bce(run, DenseAutoencoder(32), flat=True)))


def conv_ae_32(run):
    run.report("test_mse_per_pixel", run.test_mse_per_pixel(train_on_bce(run, ConvAutoencoder(32), flat=False)))


def probe_100(run):
    # Raw pixels first, then the autoencoder (the kit's order, which also fixes the order of the seeded draws).
    run.report("test_accuracy_raw_pixels", probe_accuracy(run, lambda x: x.flatten(1)))
    ae = DenseAutoencoder(32)
    train_on_bce(run, ae, flat=True)                                 # every training image, no label
    run.report("test_accuracy_frozen_encoder", probe_accuracy(run, lambda x: ae.encoder(x.flatten(1))))


def rotation_probe_100(run):
    run.report("test_accuracy_raw_pixels", probe_accuracy(run, lambda x: x.flatten(1)))
    model = RotationClassifier(32, 32)
    def loss(x, _):
        turned, k = rotation_batch(x)
        return F.cross_entropy(model(turned), k)
    run.fit(model, loss)                                             # every training image, no class label
    def right(x, _):
        turned, k = rotation_batch(x)
        return [(model(turned).argmax(1) == k).double().mean().item() * len(x)]
    run.report("test_rotation_accuracy", run.means_over_test(right)[0])
    run.report("test_accuracy_rotation_encoder", probe_accuracy(run, lambda x: model.encoder(x)))


def denoise_gauss_05(run, sigma=0.5):
    def noisy(x, generator=None):
        return (x + sigma * torch.randn(x.shape, generator=generator)).clamp(0, 1)
    model = DenseAutoencoder(64)
    # New noise every batch from the global generator; the loss is against the clean image.
    run.fit(model, lambda x, _: F.binary_cross_entropy_with_logits(model(noisy(x.flatten(1))), x.flatten(1)))
    # Two generators seeded alike: both measurements see the same noisy test images, on every run.
    for_noisy, for_denoised = torch.Generator().manual_seed(1), torch.Generator().manual_seed(1)
    noisy_db = run.means_over_test(lambda x, _: [psnr(noisy(x, for_noisy), x) * len(x)])[0]
    denoised_db = run.means_over_test(
        lambda x, _: [psnr(torch.sigmoid(model(noisy(x, for_denoised).flatten(1))).view_as(x), x) * len(x)])[0]
    run.report("test_psnr_noisy_db", noisy_db)
    run.report("test_psnr_denoised_db", denoised_db)


def train_vae(run, latent_dim, beta):
    """Trains a DenseVae on BCE per image + beta · KL; returns it with its test (distortion, rate), one z sample each."""
    torch.manual_seed(0)                                             # each model of a sweep starts from the same seed
    vae = DenseVae(latent_dim)
    def loss(x, _):
        distortion, rate = elbo_terms(vae, x.flatten(1))
        return distortion + beta * rate
    run.fit(vae, loss)
    sampling = torch.Generator().manual_seed(1)
    distortion, rate = run.means_over_test(
        lambda x, _: [t.item() * len(x) for t in elbo_terms(vae, x.flatten(1), sampling)])
    return vae, distortion, rate


def vae_20(run):
    vae, distortion, rate = train_vae(run, 20, beta=1)
    run.report("test_neg_elbo_nats", distortion + rate)
    # k = 100 samples per image, 100 images at a time: 10,000 decodes per batch, a few tens of MB.
    samples = torch.Generator().manual_seed(2)
    x = run.x_test.flatten(1)
    nll = sum(iw_nll(vae, batch, 100, samples) * len(batch) for batch in x.split(100))
    run.report("test_iw_nll_nats", nll / len(x))


def beta_vae(run):
    for beta in (1, 4, 16):
        log(f"beta {beta}:")
        vae, distortion, rate = train_vae(run, 10, beta)
        with torch.no_grad():
            mu, _ = vae.encode(run.x_test.flatten(1))                # [N_test, 10]
        run.report(f"test_rate_nats_beta{beta}", rate)
        run.report(f"test_distortion_nats_beta{beta}", distortion)
        # Active units (Burda et al.): dimensions whose posterior mean varies over the test set by more than 0.01.
        run.report(f"active_units_beta{beta}", int((mu.double().var(0) > 0.01).sum()))


def gan_classifier(run):
    """The classifier whose features the Fréchet distance uses: cross-entropy, 3 epochs (fewer if --epochs is lower)."""
    log("classifier:")
    classifier = Classifier()
    run.fit(classifier, lambda x, y: F.cross_entropy(classifier(x), y), y=run.y_train, epochs=min(3, run.epochs))
    run.report("classifier_test_accuracy",
               run.means_over_test(lambda x, y: [(classifier(x).argmax(1) == y).double().sum().item()])[0])
    return classifier


def fit_gan(run, gen, disc, labels, generate, judge, latent_dim=64):
    """Both GANs' training: Adam 2e-4, beta1 0.5; one discriminator step (real towards 0.9, one-sided smoothing; fake
    towards 0, no gradient into the generator), then one non-saturating generator step, −log D(G(z)) = BCE(D(G(z)), 1).
    generate(z, y) gives images in [0, 1], judge(x, y) logits [B]; y is None unless labels are given."""
    g_optimizer = torch.optim.Adam(gen.parameters(), lr=2e-4, betas=(0.5, 0.999))
    d_optimizer = torch.optim.Adam(disc.parameters(), lr=2e-4, betas=(0.5, 0.999))
    order = batch_order()
    for epoch in range(1, run.epochs + 1):
        gen.train()
        disc.train()
        clock, d_total, g_total = time.time(), 0.0, 0.0
        for real, y in batches(run.x_train, labels, order):
            fake = generate(torch.randn(len(real), latent_dim), y)                 # a conditional G: the batch's own classes
            real_logits, fake_logits = judge(real, y), judge(fake.detach(), y)
            d_loss = (F.binary_cross_entropy_with_logits(real_logits, torch.full_like(real_logits, 0.9))
                      + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits)))
            d_optimizer.zero_grad()
            d_loss.backward()
            d_optimizer.step()
            g_logits = judge(fake, y)
            g_loss = F.binary_cross_entropy_with_logits(g_logits, torch.ones_like(g_logits))
            g_optimizer.zero_grad()
            g_loss.backward()
            g_optimizer.step()
            d_total += d_loss.item() * len(real)
            g_total += g_loss.item() * len(real)
        n = len(run.x_train)
        log(f"epoch {epoch}: discriminator_loss {d_total / n:.4g}, generator_loss {g_total / n:.4g}, "
            f"seconds {time.time() - clock:.1f}")
    gen.eval()


def gan_frechet_distance(run, classifier, generate, inspect=None, latent_dim=64, classes=10):
    """As many samples as test images, in the test batches, from noise seeded 3, asking for classes 0, 1, …, 9, 0, …
    in turn (an unconditional generate ignores them); inspect(fake, requested) sees each batch."""
    latent = torch.Generator().manual_seed(3)
    fake_features, real_features = [], []
    with torch.no_grad():
        for x in run.x_test.split(TEST_BATCH):
            z = torch.randn(len(x), latent_dim, generator=latent)
            requested = torch.arange(len(x)) % classes
            fake = generate(z, requested)
            if inspect:
                inspect(fake, requested)
            fake_features.append(classifier.features(fake))               # [B, 128]
            real_features.append(classifier.features(x))
    return frechet_distance(torch.cat(fake_features), torch.cat(real_features))


def dcgan(run, latent_dim=64):
    classifier = gan_classifier(run)
    gen, disc = dcgan_generator(latent_dim), dcgan_discriminator()
    log("gan:")
    fit_gan(run, gen, disc, None, lambda z, _: torch.sigmoid(gen(z)), lambda x, _: disc(x).squeeze(1))
    run.report("domain_frechet_distance", gan_frechet_distance(run, classifier, lambda z, _: torch.sigmoid(gen(z))))


def conditional_dcgan(run, latent_dim=64, classes=10):
    classifier = gan_classifier(run)
    gen, disc = ConditionalDcganGenerator(latent_dim, classes), ConditionalDcganDiscriminator(classes)
    log("conditional gan:")
    fit_gan(run, gen, disc, run.y_train, lambda z, y: torch.sigmoid(gen(z, y)), lambda x, y: disc(x, y))
    agree = []

    def count(fake, requested):
        agree.append((classifier(fake).argmax(1) == requested).sum().item())
    distance = gan_frechet_distance(run, classifier, lambda z, y: torch.sigmoid(gen(z, y)), count)
    run.report("requested_class_accuracy", sum(agree) / len(run.x_test))
    run.report("domain_frechet_distance", distance)


EXPERIMENTS = {  # name → (function, default epochs), in the kit's order
    "pca-32": (pca_32, 0),
    "linear-ae-32": (linear_ae_32, 10),
    "dense-ae-32": (dense_ae_32, 10),
    "conv-ae-32": (conv_ae_32, 10),
    "probe-100": (probe_100, 10),
    "rotation-probe-100": (rotation_probe_100, 5),
    "denoise-gauss-0.5": (denoise_gauss_05, 10),
    "vae-20": (vae_20, 10),
    "beta-vae": (beta_vae, 10),
    "dcgan": (dcgan, 5),
    "conditional-dcgan": (conditional_dcgan, 5),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", nargs="?", help="the experiment (see --list)")
    parser.add_argument("--list", action="store_true", help="name every experiment")
    parser.add_argument("--epochs", type=int, help="epochs of the main training (default: the experiment's)")
    parser.add_argument("--full", action="store_true", help="full Fashion-MNIST (DIR/full) instead of the embedded subset")
    parser.add_argument("--data", default=os.path.join(REPO, "data"), metavar="DIR", help="data folder (default: the repository's data/)")
    args = parser.parse_args()
    if args.list:
        print("\n".join(EXPERIMENTS))
        return
    if args.name not in EXPERIMENTS:
        parser.exit(2, f"{'no experiment named ' + repr(args.name) if args.name else 'name an experiment'}; "
                       f"there are: {', '.join(EXPERIMENTS)}\n")
    function, default_epochs = EXPERIMENTS[args.name]
    epochs = default_epochs if args.epochs is None else args.epochs
    if epochs < 1 and default_epochs > 0:
        parser.exit(2, f"--epochs {epochs}: train at least 1 epoch\n")

    torch.manual_seed(0)
    torch.set_num_threads(2)                                         # the reference machine has 2 cores
    data = load(args.data, args.full)
    log(f"{args.name}: {len(data[0])} train / {len(data[2])} test images ({'full' if args.full else 'embedded'}); "
        f"{f'{epochs} epochs' if default_epochs else 'nothing to train'}; torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads")
    clock = time.time()
    function(Run(args.name, epochs, data))
    log(f"{args.name}: {time.time() - clock:.1f} s")


if __name__ == "__main__":
    main()
