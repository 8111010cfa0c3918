#!/usr/bin/env python3
"""Expected time of each lecture on a GPU, computed from step counts and layer shapes.

ESTIMATES, NOT MEASUREMENTS: no GPU was available to measure. The same model is also run for the 2-core CPU machine
the benchmarks were measured on and compared with the measured lecture times (docs/benchmarks.md): that comparison is
the only check of the model. Standard library only; the output is deterministic. Explained in docs/gpu-estimates.md.

    python3 bench/gpu_estimates.py

What is counted, per training run of a lecture (read from source/NN-*.ipynb and lib/AeCourse/Models):
  forward FLOPs per image from the layer shapes: Linear 2*in*out, Conv2d 2*Cin*Cout*k^2*Hout*Wout,
  ConvTranspose2d 2*Cin*Cout*k^2*Hin*Win; elementwise work (activations, losses, batch norm, Adam's updates) is
  not counted as FLOPs; training = 3 x forward (forward + backward) x images x epochs; optimizer steps = batches.
  Time of a run = max(FLOPs / achieved throughput, steps x per-step floor) + steps x host work per step
  (noise drawn on the CPU, the inpainting mask built block by block). The floor is the host's cost of issuing the
  step's operations one by one (TorchSharp P/Invoke, libtorch dispatch, CUDA kernel launch); it does not shrink on a
  faster card. Besides training: forward passes over whole splits (validation, probes' features, importance-weighted
  NLL, cdist, Frechet features), PCA's float64 SVD (on the device: the data lives there), t-SNE (always on the CPU:
  Tsne.Embed copies its input to the CPU), and start-up.
"""
import math

# ---------------------------------------------------------------- assumptions (named, with their source)

TRAIN = {"quick": 5000, "full": 60000}   # images: embedded subset 500 a class / full set (data/README.md)
TEST = {"quick": 1000, "full": 10000}

# CPU, calibrated on one measurement: a 784-256-32 dense autoencoder epoch (60,000 images, batch 128, 469 steps)
# takes 2.8 s on the 2-core machine (docs/benchmarks.md, batch iterator: medians 2.795 s and 2.857 s). With this
# script's FLOP count (150.4 GFLOP a training epoch) that is 53.7 GFLOP/s; applied to every model, convolutions too.
CPU_FLOPS = 3 * 835_584 * 60_000 / 2.8
CPU_OP_S = 2e-6          # host cost of one small tensor operation on the CPU: 1.7-1.8 us measured here (TorchSharp
                         # call + libtorch dispatch + dispose scope, 4-element tensors, 200,000 repeats)
HOST_RNG_S = 5e-9        # one random number drawn on the CPU: Corruptions.Gaussian of 128x784 took 0.64 ms here
# t-SNE (lecture 02) runs on the CPU on every machine. Measured here with Tsne.Embed on 32-number codes, Release
# build, best of 3-6 runs on a shared machine (load 3-13 on 2 cores): 500 points, 300 steps 1.8 s; 2,000 points:
# affinities 1.2 s, 56 ms a gradient step. Upper bounds: the machine was busy.
TSNE_S = {"quick": 1.8, "full": 1.2 + 1000 * 0.056}
# PCA by float64 SVD of the training images (lecture 01 fits twice): measured here, best of 4-5 runs (same load):
# 5,000 x 784 1.0 s, 60,000 x 784 5.0 s on the CPU.
SVD_CPU_S = {5000: 1.0, 60000: 5.0}
STARTUP_S = 5.0          # process, Roslyn, TorchSharp, data, cells' compiles: lecture 00 (no training) took 7.7 s in
                         # full mode and 2.5-5 s in quick mode (docs/benchmarks.md)

# GPUs. Peak fp32 from the vendors' data sheets (T4 8.1 TFLOP/s; H100 51 PCIe to 67 SXM, taken as 60; fp64 1/32 of
# fp32 on the T4, 26-34 TFLOP/s on the H100). "Achieved" is what small layers at batch 128 reach: the largest GEMM
# of the dense models (128 x 784 times 784 x 256) gives 8-16 output tiles, too few to fill the 40 (T4) or 114-132 (H100)
# multiprocessors, so a few to ~15% of peak; cuDNN's convolutions have more parallel work (128 x 64 x 14 x 14
# outputs) and on Hopper use TF32 tensor cores by default (libtorch's allow_tf32 for cuDNN is on; for matmul, off).
# Large-batch evaluation passes (1,000-10,000 images, 100 x 100 IW samples) reach more: "eval".
# The achieved rates are judgement, not measurement: the least certain numbers here, hence the range printed.
CARDS = {
    "T4": dict(peak=8.1e12, dense=1.0e12, conv=2.0e12, eval=3.0e12, fp64=0.25e12),
    "H100": dict(peak=60e12, dense=3.0e12, conv=10e12, eval=20e12, fp64=30e12),
}
GPU_OP_S = 6e-6          # host cost of one CUDA operation: the CPU's 1.7-1.8 us above plus a kernel launch
                         # (cudaLaunchKernel, device guard, caching allocator; a few microseconds). Range 4-10 us.
SVD_GPU_EFFICIENCY = 0.1 # cuSOLVER's float64 SVD of a tall matrix: ~10% of fp64 peak (uncertain, x3 either way)
CUDA_INIT_S = 3.0        # CUDA context, loading libtorch's CUDA kernels, cuBLAS/cuDNN handles: 1-6 s
# The range: pessimistic = achieved rates / 2 and 10 us an operation; optimistic = rates x 2 and 4 us.
RANGE = {"low": (2.0, 4e-6), "high": (0.5, 10e-6)}

# Operations a training step issues: each layer 1 forward and 2 backward (input and weight gradients), each
# activation 1 and 1; per parameter tensor 9: TorchSharp 0.107's Adam loops over the tensors one by one (mul_, add_,
# mul_, addcmul_, sqrt, div, add_, addcdiv_) and zero_grad zeroes each gradient; and 12 more: the batch's
# index_select, the loss forward and backward, loss.item() (Trainer reads it every step: a device sync on a GPU).
STEP_FIXED_OPS = 12
ADAM_OPS_PER_PARAM = 9

# ---------------------------------------------------------------- layers and models (lib/AeCourse/Models)


def linear(i, o):
    return ("dense", 2 * i * o, 2)


def conv(cin, cout, k, hout):      # square images; Hout = Wout
    return ("conv", 2 * cin * cout * k * k * hout * hout, 2)


def convt(cin, cout, k, hin):      # ConvTranspose2d: cost by the input size
    return ("conv", 2 * cin * cout * k * k * hin * hin, 2)


ACT = ("act", 0, 0)                # ReLU, sigmoid, LeakyReLU, max-pool: elementwise, not counted as FLOPs
def BN(): return ("act", 0, 2)     # batch norm: elementwise, 2 parameter tensors


def dense_ae(hidden, z):           # DenseAutoencoder(784, [hidden], z)
    return [linear(784, hidden), ACT, linear(hidden, z), linear(z, hidden), ACT, linear(hidden, 784)]


def linear_ae(z):
    return [linear(784, z), linear(z, 784)]


def sigmoid_ae(h):
    return [linear(784, h), ACT, linear(h, 784)]


def dense_vae(h, z):               # DenseVae: body, mu and logVar heads, decoder
    return [linear(784, h), ACT, linear(h, z), linear(h, z), linear(z, h), ACT, linear(h, 784)]


def conv_ae(z, k, c=32):           # ConvAutoencoder: 28 -> 14 -> 7 -> z -> 7 -> 14 -> 28
    return [conv(1, c, k, 14), ACT, conv(c, 2 * c, k, 7), ACT, linear(2 * c * 49, z),
            linear(z, 2 * c * 49), ACT, convt(2 * c, c, k, 7), ACT, convt(c, 1, k, 14)]


def classifier():                  # ImageClassifier
    return [conv(1, 32, 3, 28), ACT, ACT, conv(32, 64, 3, 14), ACT, ACT, linear(3136, 128), ACT, linear(128, 10)]


def generator(z, c):               # DcganGenerator
    return [linear(z, 2 * c * 49), BN(), ACT, convt(2 * c, c, 4, 7), BN(), ACT, convt(c, 1, 4, 14), ACT]


def discriminator(c):              # DcganDiscriminator
    return [conv(1, c, 4, 14), ACT, conv(c, 2 * c, 4, 7), BN(), ACT, linear(2 * c * 49, 1)]


def encoder_head():                # lecture 03: the dense autoencoder's encoder and a Linear(32, 10) head
    return [linear(784, 256), ACT, linear(256, 32), linear(32, 10)]


def flops(model, kind=None):
    return sum(f for k, f, _ in model if kind is None or k == kind)


def params(model):
    return sum(p for _, _, p in model)


def fwd_ops(model):
    return len(model)


def bwd_ops(model):
    return sum(2 if k in ("dense", "conv") else 1 for k, _, _ in model)


def step_ops(model):
    return fwd_ops(model) + bwd_ops(model) + ADAM_OPS_PER_PARAM * params(model) + STEP_FIXED_OPS

# ---------------------------------------------------------------- the work of a lecture


class Work:
    def __init__(self):
        self.runs = []       # training runs
        self.eval = 0.0      # forward FLOPs of large-batch passes (dense and conv alike)
        self.cpu_side = 0.0  # seconds on the CPU on every machine (t-SNE)
        self.host = 0.0      # seconds of host work outside training loops (noise of whole splits, masks)
        self.svd = []        # SVDs of [m, 784] float64

    def train(self, name, model, images, epochs, batch=128, host_per_step=0.0, extra_ops=0):
        """A Trainer-style run: every image once an epoch, 3 x forward FLOPs."""
        steps = epochs * math.ceil(images / batch)
        self.runs.append(dict(name=name, steps=steps,
                              dense=3 * flops(model, "dense") * images * epochs,
                              conv=3 * flops(model, "conv") * images * epochs,
                              ops=step_ops(model) + extra_ops, host=host_per_step))

    def custom(self, name, steps, dense, conv, ops):
        self.runs.append(dict(name=name, steps=steps, dense=dense, conv=conv, ops=ops, host=0.0))

    def forward(self, model, images):
        self.eval += flops(model) * images

    @property
    def steps(self):
        return sum(r["steps"] for r in self.runs)

    @property
    def train_flops(self):
        return sum(r["dense"] + r["conv"] for r in self.runs)


def noise(batch, pixels=784):       # host seconds to draw a batch of noise on the CPU (Corruptions, then .to(device))
    return batch * pixels * HOST_RNG_S


def probe(w, features, n, steps=300):
    """LinearProbeAccuracy.Evaluate: Linear(features, 10) trained 300 full-batch steps on n labelled images."""
    w.train(f"probe {features}->10 on {n}", [linear(features, 10)], n * steps, 1, batch=n)


def lecture00(mode):
    return Work()                                                          # loads data, counts, one mean: no training


def lecture01(mode):
    w, n, t = Work(), TRAIN[mode], TEST[mode]
    w.train("dense AE 784-256-32", dense_ae(256, 32), n, 10)
    w.forward(dense_ae(256, 32), t * 10)                                   # validation every epoch
    for hidden, z in [(256, 2), (256, 8), (256, 32), (256, 128), (1024, 1024)]:
        w.train(f"code-size sweep, 784-{hidden}-{z}", dense_ae(hidden, z), n, 10)
        w.forward(dense_ae(hidden, z), t)
    w.train("linear AE 784-32", linear_ae(32), n, 60 if mode == "quick" else 20)
    w.svd += [n, n]                                                        # Pca.Fit(train, 32) and (train, 784)
    return w


def lecture02(mode):
    w, n, t = Work(), TRAIN[mode], TEST[mode]
    epochs = 4 if mode == "quick" else 10
    for name, model in [("dense AE 784-256-32", dense_ae(256, 32)), ("conv AE k4", conv_ae(32, 4)),
                        ("conv AE k3", conv_ae(32, 3))]:
        w.train(name, model, n, epochs)
        w.forward(model, t * epochs)                                       # validation every epoch
    w.cpu_side += TSNE_S[mode]                                             # 500 / 2,000 codes, 300 / 1,000 steps
    return w


def lecture03(mode):
    w, n, t = Work(), TRAIN[mode], TEST[mode]
    w.train("dense AE 784-256-32 (pretraining)", dense_ae(256, 32), n, 10)
    w.forward(dense_ae(256, 32), t * 10)
    counts = [10, 100, 500] if mode == "quick" else [10, 100, 1000]
    encoder = dense_ae(256, 32)[:3]
    for k in counts:
        for _ in range(3):                                                 # draws
            probe(w, 784, 10 * k)                                          # raw pixels
            probe(w, 32, 10 * k)                                           # frozen encoder
            w.forward(encoder, 10 * k + t)                                 # its features
    for k in counts + [None]:                                              # EndToEnd: 3 draws x (scratch, fine-tuned);
        runs = 6 if k else 3                                               # then 3 encoder learning rates at 100
        labelled = 10 * (k or 100)
        batches = math.ceil(labelled / 128)
        for _ in range(runs):
            w.train(f"encoder+head on {labelled}", encoder_head(), labelled, math.ceil(300 / batches))
            w.forward(encoder_head(), t)
    return w


def lecture04(mode):
    w, n, t = Work(), TRAIN[mode], TEST[mode]
    ae = dense_ae(256, 64)
    over_epochs = 5 if mode == "quick" else 10
    w.train("denoising AE (Gaussian)", ae, n, 10, host_per_step=noise(128), extra_ops=3)
    w.train("ordinary AE", ae, n, 10)
    w.train("denoising AE (masking)", ae, n, 10, host_per_step=noise(128), extra_ops=4)
    w.train("AE on 8 classes", ae, n * 8 // 10, 10)
    for name in ["none", "denoising", "sparse L1", "sparse KL", "contractive"]:
        noisy = name == "denoising"                                        # the others add a penalty term
        w.train(f"overcomplete 784-1024-784, {name}", sigmoid_ae(1024), n, over_epochs,
                host_per_step=noise(128) if noisy else 0.0, extra_ops={"none": 0, "denoising": 3}.get(name, 6))
        w.forward(sigmoid_ae(1024), 2 * t * over_epochs + 4 * t)           # Gain every epoch, then Measure
        w.host += over_epochs * noise(t)                                   # Gain's delta, drawn on the CPU
    # inpainting: Occlude builds each image's mask by a slice assignment: 2 host calls and 1 kernel an image
    # (on the CPU that models 0.77 ms a batch; 0.7 ms measured here)
    w.train("inpainting AE", ae, n, 10, host_per_step=128 * 2 * CPU_OP_S, extra_ops=128 + 2)
    w.host += t * 3 * CPU_OP_S                                             # the test set's masks, once
    w.forward(ae, 11 * t)                                                  # denoised / scored test sets
    for _ in range(4):                                                     # linear probes, 100 labels a class
        probe(w, 64, 1000)
        w.forward(ae[:3], 1000 + t)
    return w


def lecture05(mode):
    w, n, t = Work(), TRAIN[mode], TEST[mode]
    vae = dense_vae(400, 20)
    w.train("dense AE 784-400-20", dense_ae(400, 20), n, 10)
    w.forward(dense_ae(400, 20)[:3], n)                                    # codes of the training set
    w.train("VAE 784-400-20", vae, n, 10, extra_ops=8)                     # reparameterisation, KL
    w.forward(vae, t * 10)                                                 # validation every epoch
    w.train("VAE 784-400-2", dense_vae(400, 2), n, 10, extra_ops=8)
    w.train("VAE, reconstruction only", vae, n, 10, extra_ops=8)
    w.train("VAE, KL only", vae, n, 10, extra_ops=8)
    decoder = vae[4:]
    w.forward(vae[:4], t)
    w.forward(decoder, 100 * t)                                            # importance-weighted NLL, k = 100
    w.host += 100 * t * 20 * HOST_RNG_S                                    # its epsilon, drawn on the CPU
    w.forward(vae[:4], n)                                                  # trainMu
    w.forward(decoder, n)                                                  # reconstructions of the training set
    w.eval += 2 * 784 * n * (4 * 100 + 3 * 10)                             # cdist to every training image
    w.forward(vae, 6 * t)                                                  # rate and distortion of the models
    return w


def lecture06(mode):
    w, n, t = Work(), TRAIN[mode], TEST[mode]
    for beta in [1, 4, 16, 128]:
        w.train(f"VAE 784-400-10, beta {beta}", dense_vae(400, 10), n, 10, extra_ops=8)
        w.forward(dense_vae(400, 10), 3 * t)                               # rate-distortion, posteriors, spread
    return w


def gan_step(g, d, d_every):
    """Forward units per image (of G, of D) and operations of one TrainGan step: G forward; every d_every steps a
    D step on real and fake (2 D forwards and backwards); always a G step through D (1 D forward, backward through
    D and G). A backward costs 2 forward units."""
    share = 1 / d_every
    units_g, units_d = 3, 3 + 6 * share                                    # forward units per image
    ops = (fwd_ops(g) + bwd_ops(g) + 2 * fwd_ops(d) * share + fwd_ops(d) + (2 * share + 1) * bwd_ops(d)
           + ADAM_OPS_PER_PARAM * (params(g) + share * params(d)) + 12)
    return units_g, units_d, ops


def lecture07(mode):
    w, n, t = Work(), TRAIN[mode], TEST[mode]
    epochs, c, batch = (4, 32, 64) if mode == "quick" else (5, 64, 128)
    g, d = generator(64, c), discriminator(c)
    for name in ["plain", "smoothing", "label noise"]:                    # DiscriminatorAlone: 100 D steps
        w.custom(f"discriminator alone, {name}", 100,
                 dense=100 * batch * (flops(g, "dense") + 6 * flops(d, "dense")),
                 conv=100 * batch * (flops(g, "conv") + 6 * flops(d, "conv")),
                 ops=fwd_ops(g) + 2 * fwd_ops(d) + 2 * bwd_ops(d) + ADAM_OPS_PER_PARAM * params(d) + 12)
    cls = classifier()
    w.train("classifier", cls, n, 2 if mode == "quick" else 3)
    w.forward(cls, t)
    steps = epochs * math.ceil(n / batch)
    for name, d_every in [("healthy GAN", 1), ("failing GAN", 20)]:
        ug, ud, ops = gan_step(g, d, d_every)
        w.custom(name, steps, dense=n * epochs * (ug * flops(g, "dense") + ud * flops(d, "dense")),
                 conv=n * epochs * (ug * flops(g, "conv") + ud * flops(d, "conv")), ops=ops)
        w.forward(g + cls, 1000)                                           # label histogram
        w.forward(g + cls, t)                                              # Frechet features of t samples
    w.forward(cls, 2 * t)                                                  # features of test and training images
    vae = dense_vae(400, 20)
    w.train("VAE 784-400-20", vae, n, 10, extra_ops=8)
    w.forward(vae[4:] + cls, t)
    return w


LECTURES = [("00", "Getting started", lecture00),
            ("01", "The autoencoder", lecture01),
            ("02", "The convolutional autoencoder", lecture02),
            ("03", "Unsupervised pretraining", lecture03),
            ("04", "Denoising and regularised autoencoders", lecture04),
            ("05", "The variational autoencoder", lecture05),
            ("06", "The beta-VAE", lecture06),
            ("07", "A preview of GANs", lecture07)]

# Measured on the 2-core CPU machine (docs/benchmarks.md). Full: wall time of `time -v aecourse run`, Release build.
# Quick: the three tables of quick runs there (lectures --quick; aecourse run beside the real kernel; aecourse run
# beside the kit's kernel), as min..max: shared machines, "vary by that much from day to day".
MEASURED = {
    "full": {"00": 7.7, "01": 506, "02": 832, "03": 112, "04": 1047, "05": 328, "06": 261, "07": 1779},
    "quick": {"00": (2.5, 5.0), "01": (30.9, 51.3), "02": (14.3, 27.9), "03": (27.9, 49.2), "04": (28.3, 61.1),
              "05": (19.5, 36.1), "06": (14.3, 27.4), "07": (28.7, 69.5)},
}
# Single training runs measured inside the full-mode lectures (the lectures' own printouts, docs/benchmarks.md):
# (lecture, run, what was timed, seconds, runs' share: one epoch of ten).
MEASURED_RUNS = [("06", "VAE 784-400-10, beta 1", "one epoch", 6.2, 10),
                 ("07", "healthy GAN", "whole run", 15.7 * 60, 1),
                 ("07", "failing GAN", "whole run", 8.6 * 60, 1)]

# ---------------------------------------------------------------- the two machine models


def cpu_run(r):
    """Seconds of one training run on the 2-core CPU."""
    return max((r["dense"] + r["conv"]) / CPU_FLOPS, r["steps"] * r["ops"] * CPU_OP_S) + r["steps"] * r["host"]


def gpu_run(r, card, rate_scale=1.0, op_s=GPU_OP_S):
    """Seconds of one training run on a card, and whether compute or the per-step floor sets its pace."""
    c = CARDS[card]
    compute = r["dense"] / (c["dense"] * rate_scale) + r["conv"] / (c["conv"] * rate_scale)
    floor = r["steps"] * r["ops"] * op_s
    return max(compute, floor) + r["steps"] * r["host"], "compute" if compute > floor else "floor"


def svd_flops(m, n=784):
    return 4 * m * n * n + 8 * n ** 3                                      # Golub-Kahan bidiagonalisation, m >> n


def cpu_time(w):
    other = w.eval / CPU_FLOPS + w.host + w.cpu_side + sum(SVD_CPU_S[m] for m in w.svd)
    return sum(cpu_run(r) for r in w.runs) + other + STARTUP_S


def gpu_time(w, card, rate_scale=1.0, op_s=GPU_OP_S):
    """Seconds by term: compute-bound and floor-bound training, host work, evaluation, t-SNE, SVD, start-up."""
    c = CARDS[card]
    terms = dict(compute=0.0, floor=0.0, host=w.host, eval=w.eval / (c["eval"] * rate_scale), cpu=w.cpu_side,
                 svd=sum(svd_flops(m) for m in w.svd) / (c["fp64"] * SVD_GPU_EFFICIENCY * rate_scale),
                 startup=STARTUP_S + CUDA_INIT_S)
    for r in w.runs:
        seconds, bound = gpu_run(r, card, rate_scale, op_s)
        terms[bound] += seconds - r["steps"] * r["host"]
        terms["host"] += r["steps"] * r["host"]
    return terms

# ---------------------------------------------------------------- report


def fmt(s):
    if s < 10:
        return f"{s:.1f} s"
    s = round(s)
    return f"{s} s" if s < 100 else f"{s // 60} min {s % 60:02d} s"


NAMES = {"compute": "compute", "floor": "per-step floor", "host": "host work", "eval": "evaluation",
         "cpu": "t-SNE (CPU)", "svd": "SVD (fp64)", "startup": "start-up"}


def dominant(terms):
    key = max(terms, key=terms.get)
    return f"{NAMES[key]} {100 * terms[key] / sum(terms.values()):.0f}%"


def small(r):
    return r["name"].startswith("probe") or r["name"].startswith("encoder+head")


def print_check():
    ae = dense_ae(256, 32)
    print(f"Check: 784-256-32 dense autoencoder, forward {flops(ae):,} FLOP an image; forward + backward (x3) "
          f"{3 * flops(ae) / 1e6:.3f} MFLOP; x 60,000 images = {3 * flops(ae) * 60000 / 1e9:.1f} GFLOP an epoch; "
          f"{step_ops(ae)} operations a step.")
    exact = 3 * flops(ae) - 2 * 784 * 256
    print(f"Exactly, without the input gradient of the first layer (nothing asks for it): {exact / 1e6:.3f} MFLOP an "
          f"image, {exact * 60000 / 1e9:.1f} GFLOP an epoch; the x3 rule counts {3 * flops(ae) / exact - 1:.0%} more.")
    cards = "; ".join(f"{k}: dense {v['dense'] / 1e12:g}, conv {v['conv'] / 1e12:g}, eval {v['eval'] / 1e12:g} "
                      f"TFLOP/s achieved of {v['peak'] / 1e12:g} peak fp32, fp64 {v['fp64'] / 1e12:g}"
                      for k, v in CARDS.items())
    print(f"CPU model: {CPU_FLOPS / 1e9:.1f} GFLOP/s (that epoch in 2.8 s on 2 cores); {cards}; "
          f"{GPU_OP_S * 1e6:g} us an operation on the GPU, {CPU_OP_S * 1e6:g} us on the CPU.")


def print_lectures():
    print("| lecture | mode | steps | training GFLOP | other GFLOP | CPU predicted | CPU measured "
          "| predicted / measured | T4 estimate (range) | H100 estimate (range) | largest term T4 / H100 |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    totals = {}
    for mode in ["quick", "full"]:
        for num, title, build in LECTURES:
            w = build(mode)
            cpu = cpu_time(w)
            lo_meas, hi_meas = MEASURED[mode][num] if mode == "quick" else (MEASURED[mode][num],) * 2
            meas_text = fmt(lo_meas) if lo_meas == hi_meas else f"{fmt(lo_meas)}..{fmt(hi_meas)}"
            ratio = f"{cpu / lo_meas:.2f}" if lo_meas == hi_meas else f"{cpu / hi_meas:.2f}..{cpu / lo_meas:.2f}"
            cells = []
            for card in CARDS:
                mid, lo, hi = (sum(gpu_time(w, card, *args).values()) for args in [(), RANGE["low"], RANGE["high"]])
                cells.append(f"{fmt(mid)} ({fmt(lo)}..{fmt(hi)})")
                totals[(mode, card)] = totals.get((mode, card), 0) + mid
            totals[(mode, "cpu")] = totals.get((mode, "cpu"), 0) + cpu
            doms = " / ".join(dominant(gpu_time(w, card)) for card in CARDS)
            other = w.eval + sum(svd_flops(m) for m in w.svd)
            print(f"| {num} {title} | {mode} | {w.steps:,} | {w.train_flops / 1e9:,.0f} | {other / 1e9:,.0f} | "
                  f"{fmt(cpu)} | {meas_text} | {ratio} | {cells[0]} | {cells[1]} | {doms} |")
    print()
    for mode in ["quick", "full"]:
        if mode == "quick":
            meas_text = (f"{fmt(sum(v[0] for v in MEASURED[mode].values()))}.."
                         f"{fmt(sum(v[1] for v in MEASURED[mode].values()))}")
        else:
            meas_text = fmt(sum(MEASURED[mode].values()))
        print(f"All eight, {mode}: CPU predicted {fmt(totals[(mode, 'cpu')])}, measured {meas_text}; "
              f"T4 {fmt(totals[(mode, 'T4')])}, H100 {fmt(totals[(mode, 'H100')])}.")


def print_terms():
    print("Where the estimated GPU time goes, full mode (seconds):")
    print()
    print("| lecture | card | compute-bound training | floor-bound training | host work | evaluation | t-SNE (CPU) "
          "| SVD (fp64) | start-up |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for num, _, build in LECTURES:
        w = build("full")
        for card in CARDS:
            t = gpu_time(w, card)
            print(f"| {num} | {card} | " + " | ".join(f"{t[k]:.1f}" for k in
                  ["compute", "floor", "host", "eval", "cpu", "svd", "startup"]) + " |")


def print_runs():
    print("Training runs, full mode: steps, GFLOP, operations a step; seconds on the CPU model and per card "
          "(max of compute and floor, plus host work):")
    print()
    print("| lecture | run | steps | GFLOP | ops/step | CPU model | T4 | H100 |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    groups = []
    for num, _, build in LECTURES:
        runs = build("full").runs
        for r in runs:
            if not small(r):
                cells = [gpu_run(r, card) for card in CARDS]
                gflop = (r["dense"] + r["conv"]) / 1e9
                print(f"| {num} | {r['name']} | {r['steps']:,} | {gflop:,.0f} | {r['ops']:.0f} | {cpu_run(r):.1f} | "
                      + " | ".join(f"{sec:.1f} {bound[0]}" for sec, bound in cells) + " |")
        if any(small(r) for r in runs):
            groups.append((num, [r for r in runs if small(r)]))
    for num, runs in groups:                                               # probes and small classifiers, summed
        probes = sum(r["name"].startswith("probe") for r in runs)
        label = f"{probes} linear probes"
        if len(runs) > probes:
            label += f", {len(runs) - probes} encoder+head classifiers"
        gflop = sum(r["dense"] + r["conv"] for r in runs) / 1e9
        ops = f"{min(r['ops'] for r in runs):.0f}-{max(r['ops'] for r in runs):.0f}"
        cards = " | ".join(f"{sum(gpu_run(r, card)[0] for r in runs):.1f}" for card in CARDS)
        print(f"| {num} | {label} | {sum(r['steps'] for r in runs):,} | {gflop:,.0f} | {ops} | "
              f"{sum(cpu_run(r) for r in runs):.1f} | {cards} |")
    print()
    print("(c: compute-bound, f: floor-bound.) Single runs measured inside the full-mode lectures, "
          "against the CPU model:")
    print()
    builds = {num: build for num, _, build in LECTURES}
    for num, name, what, seconds, share in MEASURED_RUNS:
        r = next(r for r in builds[num]("full").runs if r["name"] == name)
        predicted = cpu_run(r) / share
        print(f"- lecture {num}, {name}, {what}: predicted {fmt(predicted)}, measured {fmt(seconds)} "
              f"(ratio {predicted / seconds:.2f})")


def main():
    print("GPU time per lecture: ESTIMATES from step counts and layer shapes, not measurements (no GPU was available).")
    print()
    print_check()
    print()
    print_lectures()
    print()
    print_terms()
    print()
    print_runs()


if __name__ == "__main__":
    main()
