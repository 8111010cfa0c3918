#!/usr/bin/python3
"""PyTorch twins of `aecourse reproduce`: the same setups (docs/results.md), written independently in PyTorch.

    python3 bench/pytorch/reproduce.py --list
    python3 bench/pytorch/reproduce.py NAME [--epochs N] [--full] [--data DIR]

Prints one line per metric, `NAME METRIC VALUE`, the headline last, exactly as the kit does; progress goes to stderr.
"""
import argparse
import gzip
import math
import os
import sys
import time

# Debian's torch links OpenBLAS (pthreads) beside its own OpenMP pool: both spinning on 2 cores made an SVD 60x slower.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


# ---------------------------------------------------------------- data

def read_idx(path):
    """An IDX file (gzip) as a numpy array; errors name the file."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        sys.exit(f"{path}: not an unsigned-byte IDX file (magic {raw[:4].hex()})")
    rank = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(rank))
    payload = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * rank)
    if payload.size != int(np.prod(shape)):
        sys.exit(f"{path}: {payload.size} bytes of data for shape {shape}")
    return payload.reshape(shape)


def load(data_dir, full):
    """(xTrain, yTrain, xTest, yTest): x float32 [N, 1, 28, 28] in [0, 1], y int64 [N]."""
    folder = os.path.join(data_dir, "full" if full else "embedded", "fashion-mnist")
    def split(images, labels):
        x = read_idx(os.path.join(folder, images))
        y = read_idx(os.path.join(folder, labels))
        if len(x) != len(y):
            sys.exit(f"{folder}: {len(x)} images but {len(y)} labels in {images}/{labels}")
        return torch.from_numpy(x.copy()).float().div_(255).unsqueeze(1), torch.from_numpy(y.astype(np.int64))
    return (*split("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
            *split("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"))


class Run:
    def __init__(self, name, epochs, data):
        self.name, self.epochs = name, epochs
        self.x_train, self.y_train, self.x_test, self.y_test = data

    def report(self, metric, value):
        print(f"{self.name} {metric} {float(value):.4g}", flush=True)

    def batches(self, x, y=None):
        """Shuffled batches of 128, a new order each call; the last batch is smaller."""
        order = torch.randperm(len(x))
        for start in range(0, len(x), 128):
            idx = order[start:start + 128]
            yield x[idx], (None if y is None else y[idx])

    def fit(self, model, loss_of, y=None, epochs=None, lr=1e-3):
        """Adam; loss_of(x, y) gives the batch loss; one progress line per epoch on stderr."""
        optimizer = torch.optim.Adam(model.parameters(), lr=lr)
        for epoch in range(1, (epochs or self.epochs) + 1):
            model.train()
            clock, total = time.time(), 0.0
            for xb, yb in self.batches(self.x_train, y):
                loss = loss_of(xb, yb)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                total += loss.item() * len(xb)
            print(f"epoch {epoch}: train_loss {total / len(self.x_train):.4g}, seconds {time.time() - clock:.1f}", file=sys.stderr)
        model.eval()

    @torch.no_grad()
    def mean_over_test(self, sums_of_batch):
        """Means over test images of per-batch sums (test split in order, batches of 500)."""
        totals = None
        for start in range(0, len(self.x_test), 500):
            sums = sums_of_batch(self.x_test[start:start + 500], self.y_test[start:start + 500])
            totals = sums if totals is None else [a + b for a, b in zip(totals, sums)]
        return [t / len(self.x_test) for t in totals]

    def test_mse_per_pixel(self, reconstruct):
        return self.mean_over_test(lambda x, _: [F.mse_loss(reconstruct(x), x, reduction="sum").item()])[0] / 784


# ---------------------------------------------------------------- models (as in lib/AeCourse/Models)

def dense_ae(latent_dim=32, hidden=256):
    return nn.Sequential(nn.Linear(784, hidden), nn.ReLU(), nn.Linear(hidden, latent_dim),
                         nn.Linear(latent_dim, hidden), nn.ReLU(), nn.Linear(hidden, 784))


def conv_ae(latent_dim=32, c=32):
    return nn.Sequential(
        nn.Conv2d(1, c, 4, 2, 1), nn.ReLU(), nn.Conv2d(c, 2 * c, 4, 2, 1), nn.ReLU(),   # [B, 2c, 7, 7]
        nn.Flatten(), nn.Linear(2 * c * 49, latent_dim),
        nn.Linear(latent_dim, 2 * c * 49), nn.ReLU(), nn.Unflatten(1, (2 * c, 7, 7)),
        nn.ConvTranspose2d(2 * c, c, 4, 2, 1), nn.ReLU(), nn.ConvTranspose2d(c, 1, 4, 2, 1))   # [B, 1, 28, 28] logits


class DenseVae(nn.Module):
    def __init__(self, latent_dim, hidden=400):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(784, hidden), nn.ReLU())
        self.mu, self.log_var = nn.Linear(hidden, latent_dim), nn.Linear(hidden, latent_dim)
        self.decoder = nn.Sequential(nn.Linear(latent_dim, hidden), nn.ReLU(), nn.Linear(hidden, 784))

    def encode(self, x):
        h = self.body(x)
        return self.mu(h), self.log_var(h)


def neg_elbo_terms(vae, x, generator=None):
    """(distortion, rate) per image, nats: BCE summed over pixels with one z sample, and the closed-form KL."""
    mu, log_var = vae.encode(x)
    eps = torch.randn(mu.shape, generator=generator)
    logits = vae.decoder(mu + (0.5 * log_var).exp() * eps)
    distortion = F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(1).mean()
    rate = (0.5 * (mu.pow(2) + log_var.exp() - 1 - log_var)).sum(1).mean()
    return distortion, rate


def classifier():
    features = nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Flatten(), nn.Linear(64 * 49, 128), nn.ReLU())
    return features, nn.Sequential(features, nn.Linear(128, 10))


# ---------------------------------------------------------------- experiments

def pca_32(run):
    train = run.x_train.flatten(1).double()
    mean = train.mean(0)
    _, _, vt = torch.linalg.svd(train - mean, full_matrices=False)
    top = vt[:32]                                                   # [32, 784]
    test = run.x_test.flatten(1).double() - mean
    run.report("test_mse_per_pixel", (test - test @ top.T @ top).pow(2).mean().item())


def linear_ae_32(run):
    model = nn.Sequential(nn.Linear(784, 32), nn.Linear(32, 784))
    run.fit(model, lambda x, _: F.mse_loss(model(x.flatten(1)), x.flatten(1)))
    run.report("test_mse_per_pixel", run.test_mse_per_pixel(lambda x: model(x.flatten(1)).view_as(x)))


def train_bce(run, model, flat):
    shape = (lambda x: x.flatten(1)) if flat else (lambda x: x)
    run.fit(model, lambda x, _: F.binary_cross_entropy_with_logits(model(shape(x)), shape(x)))
    return lambda x: torch.sigmoid(model(shape(x))).view_as(x)


def dense_ae_32(run):
    run.report("test_mse_per_pixel", run.test_mse_per_pixel(train_bce(run, dense_ae(), flat=True)))


def conv_ae_32(run):
    run.report("test_mse_per_pixel", run.test_mse_per_pixel(train_bce(run, conv_ae(), flat=False)))


def probe_accuracy(run, features, per_class=100, steps=300, lr=1e-2, seed=0):
    """Multinomial logistic regression on 100 labelled train images per class, full-batch Adam."""
    rng = np.random.default_rng(seed)
    y = run.y_train.numpy()
    chosen = np.sort(np.concatenate([rng.choice(np.flatnonzero(y == c), per_class, replace=False) for c in range(10)]))
    with torch.no_grad():
        f_train = features(run.x_train[chosen])
        f_test = torch.cat([features(run.x_test[s:s + 1000]) for s in range(0, len(run.x_test), 1000)])
    head = nn.Linear(f_train.shape[1], 10)
    optimizer = torch.optim.Adam(head.parameters(), lr=lr)
    labels = run.y_train[chosen]
    for _ in range(steps):
        loss = F.cross_entropy(head(f_train), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        return (head(f_test).argmax(1) == run.y_test).double().mean().item()


def probe_100(run):
    run.report("test_accuracy_raw_pixels", probe_accuracy(run, lambda x: x.flatten(1)))
    ae = dense_ae()
    train_bce(run, ae, flat=True)
    encoder = ae[:3]                                                # 784 → 256 ReLU → 32
    run.report("test_accuracy_frozen_encoder", probe_accuracy(run, lambda x: encoder(x.flatten(1))))


def denoise_gauss(run, sigma=0.5):
    model = dense_ae(latent_dim=64)
    noisy = lambda x, g=None: (x + sigma * torch.randn(x.shape, generator=g)).clamp(0, 1)
    run.fit(model, lambda x, _: F.binary_cross_entropy_with_logits(model(noisy(x.flatten(1))), x.flatten(1)))
    def psnr(x_hat, x):
        return (-10 * torch.log10((x_hat - x).double().pow(2).flatten(1).mean(1))).mean().item()
    g1, g2 = torch.Generator().manual_seed(1), torch.Generator().manual_seed(1)
    run.report("test_psnr_noisy_db", run.mean_over_test(lambda x, _: [psnr(noisy(x, g1), x) * len(x)])[0])
    run.report("test_psnr_denoised_db", run.mean_over_test(
        lambda x, _: [psnr(torch.sigmoid(model(noisy(x, g2).flatten(1))).view_as(x), x) * len(x)])[0])


def train_vae(run, latent_dim, beta):
    torch.manual_seed(0)
    vae = DenseVae(latent_dim)
    def loss(x, _):
        distortion, rate = neg_elbo_terms(vae, x.flatten(1))
        return distortion + beta * rate
    run.fit(vae, loss)
    g = torch.Generator().manual_seed(1)
    distortion, rate = run.mean_over_test(lambda x, _: [t.item() * len(x) for t in neg_elbo_terms(vae, x.flatten(1), g)])
    return vae, distortion, rate


@torch.no_grad()
def iw_nll(vae, x, k=100, generator=None):
    """−log p(x) by importance sampling with q(z|x), k samples (Burda et al.), nats per image."""
    mu, log_var = vae.encode(x)
    z = mu + (0.5 * log_var).exp() * torch.randn((k, *mu.shape), generator=generator)       # [k, B, D]
    logits = vae.decoder(z)                                                                  # [k, B, 784]
    log_px_z = -F.binary_cross_entropy_with_logits(logits, x.expand(k, -1, -1), reduction="none").sum(2)
    log_pz = -0.5 * (z.pow(2) + math.log(2 * math.pi)).sum(2)
    log_qz = -0.5 * ((z - mu).pow(2) / log_var.exp() + log_var + math.log(2 * math.pi)).sum(2)
    log_w = (log_px_z + log_pz - log_qz).double()
    return -(torch.logsumexp(log_w, 0) - math.log(k)).mean().item()


def vae_20(run):
    vae, distortion, rate = train_vae(run, 20, beta=1)
    run.report("test_neg_elbo_nats", distortion + rate)
    g = torch.Generator().manual_seed(2)
    x = run.x_test.flatten(1)
    total = sum(iw_nll(vae, x[s:s + 100], 100, g) * len(x[s:s + 100]) for s in range(0, len(x), 100))
    run.report("test_iw_nll_nats", total / len(x))


def beta_vae(run):
    for beta in (1, 4, 16):
        vae, distortion, rate = train_vae(run, 10, beta)
        with torch.no_grad():
            mu, _ = vae.encode(run.x_test.flatten(1))
        run.report(f"test_rate_nats_beta{beta}", rate)
        run.report(f"test_distortion_nats_beta{beta}", distortion)
        run.report(f"active_units_beta{beta}", int((mu.double().var(0) > 0.01).sum()))


def frechet(a, b):
    """Fréchet distance between Gaussians fitted to two feature sets (float64)."""
    a, b = a.double().numpy(), b.double().numpy()
    mu1, mu2 = a.mean(0), b.mean(0)
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    try:
        from scipy.linalg import sqrtm                       # the reference FID code's choice
        cross = sqrtm(s1 @ s2)
        cross = cross.real if np.iscomplexobj(cross) else cross
    except ImportError:                                      # eigen route: sqrt(s1) s2 sqrt(s1) is symmetric
        w, v = np.linalg.eigh(s1)
        r1 = v @ np.diag(np.sqrt(np.clip(w, 0, None))) @ v.T
        w, v = np.linalg.eigh(r1 @ s2 @ r1)
        cross = v @ np.diag(np.sqrt(np.clip(w, 0, None))) @ v.T
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * np.trace(cross))


def dcgan(run, latent_dim=64, c=64):
    features, clf = classifier()
    run.fit(clf, lambda x, y: F.cross_entropy(clf(x), y), y=run.y_train, epochs=min(3, run.epochs))
    run.report("classifier_test_accuracy", run.mean_over_test(lambda x, y: [(clf(x).argmax(1) == y).double().sum().item()])[0])

    gen = nn.Sequential(nn.Linear(latent_dim, 2 * c * 49), nn.BatchNorm1d(2 * c * 49), nn.ReLU(), nn.Unflatten(1, (2 * c, 7, 7)),
                        nn.ConvTranspose2d(2 * c, c, 4, 2, 1), nn.BatchNorm2d(c), nn.ReLU(), nn.ConvTranspose2d(c, 1, 4, 2, 1))
    disc = nn.Sequential(nn.Conv2d(1, c, 4, 2, 1), nn.LeakyReLU(0.2), nn.Conv2d(c, 2 * c, 4, 2, 1), nn.BatchNorm2d(2 * c),
                         nn.LeakyReLU(0.2), nn.Flatten(), nn.Linear(2 * c * 49, 1))
    g_opt = torch.optim.Adam(gen.parameters(), lr=2e-4, betas=(0.5, 0.999))
    d_opt = torch.optim.Adam(disc.parameters(), lr=2e-4, betas=(0.5, 0.999))
    for epoch in range(1, run.epochs + 1):
        gen.train(); disc.train()
        clock, d_total, g_total = time.time(), 0.0, 0.0
        for real, _ in run.batches(run.x_train):
            fake = torch.sigmoid(gen(torch.randn(len(real), latent_dim)))
            real_logits, fake_logits = disc(real).squeeze(1), disc(fake.detach()).squeeze(1)
            d_loss = (F.binary_cross_entropy_with_logits(real_logits, torch.full_like(real_logits, 0.9))
                      + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits)))
            d_opt.zero_grad(); d_loss.backward(); d_opt.step()
            g_logits = disc(fake).squeeze(1)
            g_loss = F.binary_cross_entropy_with_logits(g_logits, torch.ones_like(g_logits))   # non-saturating
            g_opt.zero_grad(); g_loss.backward(); g_opt.step()
            d_total += d_loss.item() * len(real); g_total += g_loss.item() * len(real)
        n = len(run.x_train)
        print(f"epoch {epoch}: discriminator_loss {d_total / n:.4g}, generator_loss {g_total / n:.4g}, seconds {time.time() - clock:.1f}", file=sys.stderr)

    gen.eval(); clf.eval()
    g = torch.Generator().manual_seed(3)
    fake_f, real_f = [], []
    with torch.no_grad():
        for s in range(0, len(run.x_test), 500):
            x = run.x_test[s:s + 500]
            fake_f.append(features(torch.sigmoid(gen(torch.randn(len(x), latent_dim, generator=g)))))
            real_f.append(features(x))
    run.report("domain_frechet_distance", frechet(torch.cat(fake_f), torch.cat(real_f)))


EXPERIMENTS = {  # name → (function, default epochs)
    "pca-32": (pca_32, 0), "linear-ae-32": (linear_ae_32, 10), "dense-ae-32": (dense_ae_32, 10),
    "conv-ae-32": (conv_ae_32, 10), "probe-100": (probe_100, 10), "denoise-gauss-0.5": (denoise_gauss, 10),
    "vae-20": (vae_20, 10), "beta-vae": (beta_vae, 10), "dcgan": (dcgan, 5),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", nargs="?")
    parser.add_argument("--list", action="store_true")
    parser.add_argument("--epochs", type=int)
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--data", default=os.path.join(REPO, "data"))
    args = parser.parse_args()
    if args.list:
        print("\n".join(EXPERIMENTS))
        return
    if args.name not in EXPERIMENTS:
        sys.exit(f"no experiment named {args.name!r}; there are: {', '.join(EXPERIMENTS)}")
    torch.manual_seed(0)
    torch.set_num_threads(2)                      # the reference machine has 2 cores
    function, default_epochs = EXPERIMENTS[args.name]
    run = Run(args.name, args.epochs or default_epochs, load(args.data, args.full))
    clock = time.time()
    function(run)
    print(f"{args.name}: {time.time() - clock:.1f} s (torch {torch.__version__})", file=sys.stderr)


if __name__ == "__main__":
    main()
