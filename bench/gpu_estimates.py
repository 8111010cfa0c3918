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
  NLL, cdist, Frechet and Inception features, rotated test sets), PCA's float64 SVD (on the device: the data lives
  there), work that stays on the CPU on any machine (t-SNE: Tsne.Embed copies its input to the CPU; Brotli and
  Deflate code lengths: .NET's compressors on the 8-bit test images), and start-up.
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
# PCA by float64 SVD of the training images (01 twice: Pca.Fit and svdvals; 03, 04, 08 once): measured here, best
# of 4-5 runs (same load): 5,000 x 784 1.0 s, 60,000 x 784 5.0 s on the CPU.
SVD_CPU_S = {5000: 1.0, 60000: 5.0}
# Lossless code lengths (lectures 01 and 06: LosslessCodeLength, .NET's BrotliStream and DeflateStream at
# CompressionLevel.SmallestSize on the 8-bit test images, 784 bytes an image) run on the CPU on every machine.
# Brotli, measured: lecture 06's Brotli cell (cell 17, nothing else in it but prints) took 31.8 s on the 10,000 test
# images (7.84 MB, one stream) in its full-mode run of 2026-12-06, from its progress line to the next cell's (read as
# they were written, to about a second): 4.06 s a MB, taken as linear in the bytes. (Before that run, the only sign
# was lecture 06's quick run going from 19 s to 23 s when Brotli of 1,000 images was added: about 5 s a MB.)
BROTLI_S_PER_MB = 31.8 / 7.84
# Deflate, measured as a difference: lecture 01's lossless cell (cell 25: Deflate of each test image alone, Deflate of
# all in one stream, and the same Brotli as lecture 06) took 32.7 s in its full-mode run of 2026-12-06, the same way:
# 0.9 s more than lecture 06's Brotli alone, for both Deflates of 10,000 images. A difference of two readings good to
# about a second each, hence the range printed (halved and doubled) on this term alone.
DEFLATE_PAIR_S_PER_IMAGE = (32.7 - 31.8) / 10_000
STARTUP_S = 5.0          # process, Roslyn, TorchSharp, data, cells' compiles: lecture 00 (no training) took 3.9-7.7 s
                         # in full mode and 2.5-5 s in quick mode (docs/benchmarks.md; MEASURED_FULL below)

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
# The range: pessimistic = achieved rates / 2, 10 us an operation and Deflate's time x 2; optimistic = rates x 2,
# 4 us and Deflate / 2.
RANGE = {"low": (2.0, 4e-6, 0.5), "high": (0.5, 10e-6, 2.0)}

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
GLUE = ("act", 0, 0)               # cat, one_hot, view/expand of labels, a transpose: one host call, no FLOPs counted


def dense_ae(hidden, z):           # DenseAutoencoder(784, [hidden], z)
    return [linear(784, hidden), ACT, linear(hidden, z), linear(z, hidden), ACT, linear(hidden, 784)]


def linear_ae(z):                  # LinearAutoencoder(784, z)
    return [linear(784, z), linear(z, 784)]


def tied_ae(z, inputs=784):        # lecture 01's TiedAutoencoder: one weight W [z, inputs] and two biases
    return [("dense", 2 * inputs * z, 2), GLUE, ("dense", 2 * z * inputs, 1)]


def sigmoid_ae(h):
    return [linear(784, h), ACT, linear(h, 784)]


def dense_vae(h, z):               # DenseVae: body, mu and logVar heads, decoder
    return [linear(784, h), ACT, linear(h, z), linear(h, z), linear(z, h), ACT, linear(h, 784)]


def conv_vae(z, c):                # ConvVae(z, c): 28 -> 14 x c -> 7 x 2c, mu and logVar heads, transposed back
    return [conv(1, c, 4, 14), ACT, conv(c, 2 * c, 4, 7), ACT, linear(2 * c * 49, z), linear(2 * c * 49, z),
            linear(z, 2 * c * 49), ACT, convt(2 * c, c, 4, 7), ACT, convt(c, 1, 4, 14)]


def conv_ae(z, k, c=32, wide=None, k_dec=None):
    """ConvAutoencoder(z, c, k): 28 -> 14 -> 7 -> z -> 7 -> 14 -> 28; also lecture 02's variants (decoder kernel
    k_dec; the exercise's 32 channels at 7 x 7) and lecture 08's ContextEncoder (the same layers)."""
    wide, k_dec = wide or 2 * c, k_dec or k
    return [conv(1, c, k, 14), ACT, conv(c, wide, k, 7), ACT, linear(wide * 49, z),
            linear(z, wide * 49), ACT, convt(wide, c, k_dec, 7), ACT, convt(c, 1, k_dec, 14)]


def stacked_ae(widths):            # StackedAutoencoder(784, 256, 128, 32): ReLU between layers, none at the code
    enc = [linear(a, b) for a, b in zip(widths, widths[1:])]
    dec = [linear(b, a) for a, b in reversed(list(zip(widths, widths[1:])))]
    model = []
    for i, layer in enumerate(enc):
        model += [layer] + ([ACT] if i < len(enc) - 1 else [])
    for i, layer in enumerate(dec):
        model += [layer] + ([ACT] if i < len(dec) - 1 else [])
    return model


def greedy_layer(widths, k):       # GreedyLayerwise.TrainLayer: layer k's encoder and decoder alone
    depth = len(widths) - 1
    return ([linear(widths[k], widths[k + 1])] + ([ACT] if k < depth - 1 else [])
            + [linear(widths[k + 1], widths[k])] + ([ACT] if k > 0 else []))


def classifier():                  # ImageClassifier
    return [conv(1, 32, 3, 28), ACT, ACT, conv(32, 64, 3, 14), ACT, ACT, linear(3136, 128), ACT, linear(128, 10)]


def generator(z, c):               # DcganGenerator, then the sigmoid
    return [linear(z, 2 * c * 49), BN(), ACT, convt(2 * c, c, 4, 7), BN(), ACT, convt(c, 1, 4, 14), ACT]


def discriminator(c):              # DcganDiscriminator
    return [conv(1, c, 4, 14), ACT, conv(c, 2 * c, 4, 7), BN(), ACT, linear(2 * c * 49, 1)]


def cond_generator(z, c, classes=10):   # ConditionalDcganGenerator: one_hot, to, cat; Linear(z + 10, 2c*49); sigmoid
    return [GLUE, GLUE, GLUE, linear(z + classes, 2 * c * 49), BN(), ACT, convt(2 * c, c, 4, 7), BN(), ACT,
            convt(c, 1, 4, 14), ACT]


def cond_discriminator(c, classes=10):  # ConditionalDcganDiscriminator: the label as 10 more input channels
    return [GLUE, GLUE, GLUE, GLUE, GLUE, conv(1 + classes, c, 4, 14), ACT, conv(c, 2 * c, 4, 7), BN(), ACT,
            linear(2 * c * 49, 1)]


def unet(c):                       # UNetGenerator(c): skips at 7 x 7, 14 x 14 and 28 x 28 (the three cats); sigmoid
    return [conv(1, c, 4, 14), ACT, conv(c, 2 * c, 4, 7), BN(), ACT, conv(2 * c, 2 * c, 3, 7), BN(), ACT,
            GLUE, convt(4 * c, c, 4, 7), BN(), ACT, GLUE, convt(2 * c, c, 4, 14), ACT, GLUE, conv(c + 1, 1, 3, 28),
            ACT]


def patch_discriminator(c):        # PatchDiscriminator(c): (edges, image) stacked as 2 channels -> 7 x 7 logits
    return [GLUE, conv(2, c, 4, 14), ACT, conv(c, 2 * c, 4, 7), BN(), ACT, conv(2 * c, 1, 3, 7)]


def rotation_classifier(z, c):     # RotationClassifier(z, c): ConvAutoencoder's encoder, ReLU, Linear(z, 4)
    return rotation_encoder(z, c) + [ACT, linear(z, 4)]


def rotation_encoder(z, c):        # the encoder of RotationClassifier, ContextEncoder and ConvAutoencoder (kernel 4)
    return [conv(1, c, 4, 14), ACT, conv(c, 2 * c, 4, 7), ACT, linear(2 * c * 49, z)]


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
        self.cpu_side = 0.0  # seconds on the CPU on every machine: t-SNE, Brotli
        self.coding = 0.0    # the same: Deflate, the least certain (the range halves and doubles it)
        self.host = 0.0      # seconds of host work outside training loops (noise of whole splits, masks)
        self.svd = []        # SVDs of [m, 784] float64

    def train(self, name, model, images, epochs, batch=128, host_per_step=0.0, extra_ops=0, copies=1):
        """A Trainer-style run: every image once an epoch (copies: images the step makes of each, as the rotation
        pretext's four turns), 3 x forward FLOPs."""
        steps = epochs * math.ceil(images / batch)
        self.runs.append(dict(name=name, steps=steps,
                              dense=3 * flops(model, "dense") * images * epochs * copies,
                              conv=3 * flops(model, "conv") * images * epochs * copies,
                              ops=step_ops(model) + extra_ops, host=host_per_step))

    def custom(self, name, steps, dense, conv, ops, host=0.0):
        self.runs.append(dict(name=name, steps=steps, dense=dense, conv=conv, ops=ops, host=host))

    def forward(self, model, images):
        self.eval += flops(model) * images

    def lossless(self, images, brotli=0, deflate_pair=0):
        """LosslessCodeLength.BitsPerImage on `images` 8-bit images, on the CPU: Brotli with t-SNE, Deflate (each image
        alone, then all in one stream: a pair) apart."""
        self.cpu_side += brotli * images * 784 / 1e6 * BROTLI_S_PER_MB
        self.coding += deflate_pair * images * DEFLATE_PAIR_S_PER_IMAGE

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


def frozen_then_head(w, name, encoder, head, images, epochs, batch=128):
    """A LinearProbe with its encoder frozen, trained by the Trainer: the encoder runs forward without a graph, only
    the head is differentiated and updated."""
    w.custom(name, epochs * math.ceil(images / batch),
             dense=images * epochs * (flops(encoder, "dense") + 3 * flops(head, "dense")),
             conv=images * epochs * (flops(encoder, "conv") + 3 * flops(head, "conv")),
             ops=fwd_ops(encoder) + fwd_ops(head) + bwd_ops(head) + ADAM_OPS_PER_PARAM * params(head) + STEP_FIXED_OPS)


def gan_step(g, d, d_every):
    """Forward units per image (of G, of D) and operations of one TrainGan step: G forward; every d_every steps a
    D step on real and fake (2 D forwards and backwards); always a G step through D (1 D forward, backward through
    D and G). A backward costs 2 forward units."""
    share = 1 / d_every
    units_g, units_d = 3, 3 + 6 * share                                    # forward units per image
    ops = (fwd_ops(g) + bwd_ops(g) + 2 * fwd_ops(d) * share + fwd_ops(d) + (2 * share + 1) * bwd_ops(d)
           + ADAM_OPS_PER_PARAM * (params(g) + share * params(d)) + 12)
    return units_g, units_d, ops


def gan_run(w, name, g, d, d_every, images, epochs, batch, extra_ops=0):
    ug, ud, ops = gan_step(g, d, d_every)
    w.custom(name, epochs * math.ceil(images / batch),
             dense=images * epochs * (ug * flops(g, "dense") + ud * flops(d, "dense")),
             conv=images * epochs * (ug * flops(g, "conv") + ud * flops(d, "conv")), ops=ops + extra_ops)


# ---------------------------------------------------------------- the lectures, as source/NN-*.ipynb run them
# Every code cell of the instructor source runs (solutions and hidden tests included), as `aecourse run` runs it.
# Full mode assumes the full set is fetched (without it, full mode runs as quick mode: lecture 00).
# Batch 128 wherever the Trainer's default applies. Work under about 0.1 s on the CPU model is left out (10-image
# pictures, 100-point grids, 128 x 128 covariances and their eigh for the Frechet distance, checks on small tensors).


def lecture00(mode):
    # loads the data, counts, one mean, the nearest class mean (a 10,000 x 10 cdist): no training
    return Work()


def lecture01(mode):
    w, n, t = Work(), TRAIN[mode], TEST[mode]
    quick = mode == "quick"
    dense_epochs = 40 if quick else 10                                     # denseEpochs = quick ? 4 * epochs : epochs
    ae = dense_ae(256, 32)
    w.train("dense AE 784-256-32", ae, n, dense_epochs)
    w.forward(ae, (1000 + t) * dense_epochs)                               # validation every epoch: 1,000 training
                                                                           # images (FirstPerClass(100)) and the test
    sweep_epochs = 10 if quick else 3                                      # sweepEpochs = quick ? epochs : epochs / 3
    for hidden, z in [(256, 2), (256, 8), (256, 128), (1024, 1024)]:      # 256-32 is the first model, not retrained
        model = dense_ae(hidden, z)
        w.train(f"code-size sweep, 784-{hidden}-{z}", model, n, sweep_epochs)
        w.forward(model, t)
    w.forward(ae[:3], n + t)                                               # codes of both splits, for the quantiser
    w.forward(ae[3:], 6 * t)                                               # 2-8 bits: dequantised test codes decoded
    w.lossless(t, brotli=1, deflate_pair=1)                                # Deflate alone and joint, Brotli joint
    w.train("linear AE 784-32", linear_ae(32), n, 60 if quick else 20)     # linearEpochs = quick ? 60 : 20
    w.forward(linear_ae(32), t)
    w.svd += [n, n]                                                        # Pca.Fit(train, 32); svdvals of train
    for lr in ["1e-2", "1e-3"]:                                            # TrainTied: 10 epochs a rate, both modes
        w.train(f"tied linear AE 784-32, lr {lr}", tied_ae(32), n, 10)
    w.forward(tied_ae(32), t)
    for lr in ["1e-2", "1e-3"]:                                            # hidden test: TrainTied on 5,000 points of
        w.train(f"tied AE 20-3 (hidden test), lr {lr}", tied_ae(3, 20), 5000, 10)   # a plane in 20 dimensions
    return w


def lecture02(mode):
    w, n, t = Work(), TRAIN[mode], TEST[mode]
    epochs = 4 if mode == "quick" else 10                                  # trainEpochs = quick ? 4 : epochs
    dense, conv_model = dense_ae(256, 32), conv_ae(32, 4)
    for name, model in [("dense AE 784-256-32", dense), ("conv AE k4", conv_model)]:
        w.train(name, model, n, epochs)
        w.forward(model, t * epochs)                                       # validation every epoch
    study_epochs = 2 if mode == "quick" else 1                             # studyEpochs = quick ? 2 : 1
    for seed in range(3):                                                  # the checkerboard study: decoder kernel 4
        for k in (4, 3):                                                   # or 3
            model = conv_ae(32, 4, k_dec=k)
            w.train(f"study, decoder kernel {k}, seed {seed}", model, n, study_epochs)
            w.forward(model, study_epochs * t + t)                         # validation every epoch; the test outputs
    small = conv_ae(32, 4, c=32, wide=32)                                  # the exercise: 32 channels at 7 x 7
    w.train("small conv AE (32 channels at 7x7)", small, n, epochs)
    w.forward(small, t * epochs)
    w.forward(conv_model[:5], 500 if mode == "quick" else 2000)            # codes of the mapped test images
    w.cpu_side += TSNE_S[mode]                                             # 500 / 2,000 codes, 300 / 1,000 steps
    return w                                                               # (1-NN and PCA of <= 2,000 points: < 0.2 s)


def end_to_end(w, name, labelled, t):
    """lecture 03's TrainSteps: 300 steps of 128 (epochs = ceil(300 / batches)), encoder and head trained."""
    epochs = math.ceil(300 / math.ceil(labelled / 128))
    w.train(name, encoder_head(), labelled, epochs)
    w.forward(encoder_head(), t)                                           # TestAccuracy


def lp_ft(w, labelled, encoder, t):
    """lecture 03's LinearProbeThenFineTune: 300 steps with the encoder frozen, then 300 with it trained."""
    epochs = math.ceil(300 / math.ceil(labelled / 128))
    frozen_then_head(w, f"encoder+head on {labelled}, LP stage", encoder, [linear(32, 10)], labelled, epochs)
    end_to_end(w, f"encoder+head on {labelled}, FT stage", labelled, t)


def lecture03(mode):
    w, n, t = Work(), TRAIN[mode], TEST[mode]
    draws = 3
    # epochs = 10 and draws = 3 in both modes; the label counts differ (quick 10/100/500, full 10/100/1,000), and so
    # do the greedy section's seeds: deepSeeds = quick ? draws : Math.Min(draws, 2)
    counts = [10, 100, 500] if mode == "quick" else [10, 100, 1000]
    ae = dense_ae(256, 32)
    w.train("dense AE 784-256-32 (pretraining)", ae, n, 10)
    w.forward(ae, t * 10 + t)                                              # validation every epoch, then once more
    w.svd.append(n)                                                        # PCA-32 of the training images
    encoder, pca32 = ae[:3], [linear(784, 32)]                             # PCA's projection (float64: counted as fp32)
    for k in counts:
        for features, model in [(784, []), (32, pca32), (32, encoder)]:   # raw pixels, PCA-32, frozen encoder
            for _ in range(draws):
                probe(w, features, 10 * k)
                w.forward(model, 10 * k + t)                               # features of the labelled and test images
    for k in counts:
        for method in ["from scratch", "fine-tuned"]:
            for _ in range(draws):
                end_to_end(w, f"encoder+head on {10 * k}, {method}", 10 * k, t)
    w.forward(ae, 19 * t)                                                  # cell 32: ThroughDecoder, 19 test passes
    for _ in range(draws):                                                 # cell 35: LP-FT at 100 labels a class
        lp_ft(w, 1000, encoder, t)
    w.forward(ae, 6 * t)                                                   # LP-FT's and plain fine-tuning's passes
    lp_ft(w, 200, encoder, t)                                              # the hidden test: LP-FT at 20 labels a
    end_to_end(w, "encoder+head on 200, fine-tuned (hidden test)", 200, t)   # class, and plain fine-tuning there
    w.forward(ae, 2 * t)
    widths = [784, 256, 128, 32]                                           # the greedy section: layerEpochs 2,
    stack = stacked_ae(widths)                                             # fineTuneEpochs 4, end to end 10
    deep_seeds = draws if mode == "quick" else min(draws, 2)               # deepSeeds: 3 quick, 2 full
    for seed in range(deep_seeds):
        for k in range(3):
            below = stacked_ae(widths)[:2 * k]                             # EncodeThrough(x, k), once
            w.forward(below, n)
            layer = greedy_layer(widths, k)
            w.train(f"greedy layer {k} ({widths[k]}-{widths[k + 1]}), seed {seed}", layer, n, 2)
            w.forward(layer, 2 * n)                                        # its loss before and after, all n codes
        w.forward(stack, t)                                                # the stacked model's test error
        w.train(f"stack 784-256-128-32 fine-tuned, seed {seed}", stack, n, 4)
        w.train(f"stack 784-256-128-32 end to end, seed {seed}", stack, n, 10)
        w.forward(stack, 2 * t)
        for _ in range(2):                                                 # ProbeDeep: 100 labels a class
            probe(w, 32, 1000)
            w.forward(stack[:5], 1000 + t)
    return w


def lecture04(mode):
    w, n, t = Work(), TRAIN[mode], TEST[mode]
    ae = dense_ae(256, 64)
    over_epochs = 5 if mode == "quick" else 3                              # overcompleteEpochs: 5 quick, 3 full
    w.host += 4 * noise(t)                                                 # NoisyGauss / NoisyMask of the test set
    w.train("denoising AE (Gaussian)", ae, n, 10, host_per_step=noise(128), extra_ops=3)
    w.train("ordinary AE", ae, n, 10)
    w.train("denoising AE (masking)", ae, n, 10, host_per_step=noise(128), extra_ops=4)
    w.train("AE on 8 classes", ae, n * 8 // 10, 10)
    w.svd.append(n)                                                        # PCA-64, the gain's anchor
    w.forward([linear(784, 64), linear(64, 784)], 2 * t)                   # its gain: PCA onto 64 and back, twice
    w.host += 2 * noise(t)                                                 # the anchors' delta, drawn on the CPU
    for name in ["none", "denoising", "sparse L1", "sparse KL", "contractive"]:
        noisy = name == "denoising"                                        # the others add a penalty term
        w.train(f"overcomplete 784-1024-784, {name}", sigmoid_ae(1024), n, over_epochs,
                host_per_step=noise(128) if noisy else 0.0, extra_ops={"none": 0, "denoising": 3}.get(name, 6))
        w.forward(sigmoid_ae(1024), 2 * t * (over_epochs + 1) + 2 * t)    # Gain every epoch and in Measure; MSE, codes
        w.host += (over_epochs + 1) * noise(t)                             # Gain's delta, drawn on the CPU
    # inpainting: Occlude builds each image's mask by a slice assignment: 2 host calls and 1 kernel an image
    # (on the CPU that models 0.77 ms a batch; 0.7 ms measured here)
    w.train("inpainting AE", ae, n, 10, host_per_step=128 * 2 * CPU_OP_S, extra_ops=128 + 2)
    w.host += t * 3 * CPU_OP_S                                             # the test set's masks, once
    w.train("inpainting AE, loss on the hole", ae, n, 10, host_per_step=128 * 2 * CPU_OP_S, extra_ops=128 + 2 + 5)
    w.forward(ae, 14 * t)                                                  # denoised / scored / inpainted test sets
    for _ in range(4):                                                     # linear probes, 100 labels a class
        probe(w, 64, 1000)
        w.forward(ae[:3], 1000 + t)
    return w


def iw_bounds(w, encoder, decoder, z, t, k=100):
    """lecture 05's Bounds: the negative ELBO (encode, decode) and ImportanceWeightedNll with k samples an image
    (encode again, decode k); its epsilon is drawn on the CPU."""
    w.forward(encoder, 2 * t)
    w.forward(decoder, (k + 1) * t)
    w.host += k * t * z * HOST_RNG_S


def lecture05(mode):
    # epochs = 10 in both modes: quick mode differs by the data alone (5,000 / 1,000 images)
    w, n, t = Work(), TRAIN[mode], TEST[mode]
    vae = dense_vae(400, 20)
    encoder, decoder = vae[:4], vae[4:]
    sample = noise(128, 20)                                                # Reparameterization.Sample: CPU epsilon
    w.train("dense AE 784-400-20", dense_ae(400, 20), n, 10)
    w.forward(dense_ae(400, 20)[:3], n)                                    # codes of the training set
    w.train("VAE 784-400-20", vae, n, 10, extra_ops=8, host_per_step=sample)   # reparameterisation, KL
    w.forward(vae, t * 10)                                                 # validation (TestTerms) every epoch
    w.forward(vae, 2 * t)                                                  # TestTerms, squared error of z = mu
    iw_bounds(w, encoder, decoder, 20, t)                                  # Bounds(vae, test)
    w.train("VAE on binarised images", vae, n, 10, extra_ops=10, host_per_step=sample)
    w.host += t * 784 * HOST_RNG_S                                         # the fixed binarisation, on the CPU
    iw_bounds(w, encoder, decoder, 20, t)                                  # Bounds(vae, testBits)
    iw_bounds(w, encoder, decoder, 20, t)                                  # Bounds(binarised, testBits)
    w.forward(encoder, n)                                                  # trainMu
    w.forward(decoder, n)                                                  # reconstructions of the training set
    w.eval += 2 * 784 * n * (4 * 100 + 3 * 10)                             # cdist to every training image
    w.train("VAE 784-400-2", dense_vae(400, 2), n, 10, extra_ops=8, host_per_step=sample)
    w.forward(dense_vae(400, 2), t + (1000 if mode == "quick" else 2000))  # TestTerms; mu of the mapped test images
    w.train("VAE, reconstruction only", vae, n, 10, extra_ops=8, host_per_step=sample)
    w.train("VAE, KL only", vae, n, 10, extra_ops=9, host_per_step=sample)
    w.forward(vae, 3 * t)                                                  # rate and distortion of the three
    cvae = conv_vae(20, 16)                                                # convChannels = 16 in both modes
    w.train("conv VAE, 16 channels", cvae, n, 10, extra_ops=8, host_per_step=sample)
    w.forward(cvae, t * 10 + t)                                            # validation every epoch; TestTerms
    iw_bounds(w, cvae[:6], cvae[6:], 20, t)                                # Bounds(convVae, test, chunk 20)
    return w


def lecture06(mode):
    # epochs = 10 in both modes: quick mode differs by the data alone
    w, n, t = Work(), TRAIN[mode], TEST[mode]
    vae = dense_vae(400, 10)
    sample = noise(128, 10)
    for beta in [1, 4, 16, 128]:
        w.train(f"VAE 784-400-10, beta {beta}", vae, n, 10, extra_ops=8, host_per_step=sample)
        w.forward(vae, t)                                                  # RateDistortion.Measure
        w.forward(vae[:4], t)                                              # posteriors of the test set
    w.lossless(t, brotli=1)                                                # Brotli of the 8-bit test images
    w.forward(vae[4:], 2 * t)                                              # Spread(1), Spread(128)
    w.train("VAE 784-400-10, beta 16, free bits", vae, n, 10, extra_ops=12, host_per_step=sample)
    w.forward(vae, t)
    w.forward(vae[:4], t)
    return w


SOBEL_OPS = 11                     # EdgeMaps.Sobel: two 3x3 kernels made, two conv2d, squares, sqrt, scale, clamp
L1_OPS = 4                         # (xHat - x).abs().mean(), and lambda * l1 added to the GAN loss


def lecture07(mode):
    w, n, t = Work(), TRAIN[mode], TEST[mode]
    quick = mode == "quick"
    epochs, c, batch = (4, 32, 64) if quick else (2, 32, 128)              # epochs = quick ? 4 : 2;
                                                                           # if (quick) (batchSize, lr) = (64, 5e-4)
    cls_epochs = 2 if quick else 3                                         # classifierEpochs
    tr_epochs, tr_c = (2 if quick else 1), 16                              # translatorEpochs = quick ? 2 : 1,
                                                                           # translatorChannels = 16
    g, d = generator(64, c), discriminator(c)
    for name in ["plain", "smoothing", "label noise"]:                    # DiscriminatorAlone: 100 D steps
        w.custom(f"discriminator alone, {name}", 100,
                 dense=100 * batch * (flops(g, "dense") + 6 * flops(d, "dense")),
                 conv=100 * batch * (flops(g, "conv") + 6 * flops(d, "conv")),
                 ops=fwd_ops(g) + 2 * fwd_ops(d) + 2 * bwd_ops(d) + ADAM_OPS_PER_PARAM * params(d) + 12)
    cls = classifier()
    w.train("classifier", cls, n, cls_epochs)                              # batch 128 (the Trainer's default)
    w.forward(cls, t)
    for name, d_every, in [("healthy GAN", 1), ("failing GAN", 20)]:
        gan_run(w, name, g, d, d_every, n, epochs, batch)
        w.forward(g + cls, 2000)                                           # label histogram; probabilities (1,000 each)
        w.forward(g + cls, t)                                              # Frechet features of t samples
    w.forward(cls, 1000 + 2 * t)                                           # test probabilities; test and train features
    vae = dense_vae(400, 20)
    w.train("VAE 784-400-20", vae, n, 10, extra_ops=8, host_per_step=noise(128, 20))   # 10 epochs, batch 128, both
    w.forward(vae[4:] + cls, t + 1000)                                     # Frechet features; probabilities
    cg, cd = cond_generator(64, c), cond_discriminator(c)
    gan_run(w, "conditional GAN", cg, cd, 1, n, epochs, batch)
    w.forward(cg + cls, 1000 + t)                                          # requested classes; Frechet features
    w.forward(cg, 1000 + 27 * 200 + 18 * 200)                              # brightness direction: T-shirts, 27 x 200
    w.forward(cls, 18 * 200)                                               # draws for the mean pixel, 18 x 200 kept
    gen, patch = unet(tr_c), patch_discriminator(tr_c)
    tr_steps = tr_epochs * math.ceil(n / batch)
    w.custom("translator U-Net, L1 alone", tr_steps, dense=3 * n * tr_epochs * flops(gen, "dense"),
             conv=3 * n * tr_epochs * flops(gen, "conv"), ops=step_ops(gen) + SOBEL_OPS + L1_OPS)
    gan_run(w, "translator U-Net + patch D, GAN + 10 L1", gen, patch, 1, n, tr_epochs, batch, SOBEL_OPS + L1_OPS)
    w.forward(gen, 2 * t)                                                  # each translator on the test edges
    w.forward(cls, 4 * t)                                                  # its logits and its Frechet features
    return w


def lecture08(mode):
    w, n, t = Work(), TRAIN[mode], TEST[mode]
    quick = mode == "quick"
    epochs, c = (3, 16) if quick else (3, 32)                              # epochs = 3; if (quick) channels = 16
    counts = [10, 100, 500] if quick else [10, 100, 1000]
    draws, z = 3, 32
    encoder = rotation_encoder(z, c)                                       # every pretext's encoder has these layers
    rot = rotation_classifier(z, c)
    w.train("rotation classifier (4 turns of every batch)", rot, n, epochs, copies=4, extra_ops=7)
    w.forward(rot, 4 * t)                                                  # every test image in its four turns
    ctx = conv_ae(z, 4, c)                                                 # ContextEncoder: ConvAutoencoder's layers
    w.train("context encoder (loss on the hole)", ctx, n, epochs, extra_ops=2 + 5)
    w.forward(ctx, t)                                                      # Filled(test)
    w.train("conv AE", conv_ae(z, 4, c), n, epochs)
    w.svd.append(n)                                                        # PCA-32
    for model in [[linear(784, 32)]] + 4 * [encoder]:                      # Encoded: PCA-32, AE, random, rotation,
        w.forward(model, n + t)                                            # context: every image's features, once
    for features in [784] + 5 * [z]:                                       # raw pixels, then the five of 32 numbers
        for k in counts:
            for _ in range(draws):
                probe(w, features, 10 * k)
    head = [ACT, linear(z, 4)]                                             # TrainBoth: one encoder, the rotation head
    both_fwd = 4 * flops(encoder + head) + flops(ctx)                      # on 4 turns, the context decoder on the hole
    both_conv = 4 * flops(encoder + head, "conv") + flops(ctx, "conv")
    w.custom("two pretexts: rotation + context", epochs * math.ceil(n / 128),
             dense=3 * n * epochs * (both_fwd - both_conv), conv=3 * n * epochs * both_conv,
             ops=(fwd_ops(encoder + head + ctx) + bwd_ops(encoder + head + ctx)
                  + ADAM_OPS_PER_PARAM * (params(ctx) + params(head)) + STEP_FIXED_OPS + 7 + 2 + 5 + 1))
    w.forward(encoder, n + t)                                              # its features, once
    for _ in range(2 * draws):                                             # probes at 100 labels; hidden test at 10
        probe(w, z, 1000 if _ < draws else 100)
    return w


LECTURES = [("00", "Getting started", lecture00),
            ("01", "The autoencoder", lecture01),
            ("02", "The convolutional autoencoder", lecture02),
            ("03", "Unsupervised pretraining", lecture03),
            ("04", "Denoising and regularised autoencoders", lecture04),
            ("05", "The variational autoencoder", lecture05),
            ("06", "The beta-VAE", lecture06),
            ("07", "A preview of GANs", lecture07),
            ("08", "Self-supervised learning", lecture08)]

# ---------------------------------------------------------------- measurements on the 2-core CPU machine

# Full mode: wall time of `/usr/bin/time -v aecourse run`, Release build, one lecture at a time, alone on the machine,
# on the full set: (seconds, when, whether it measured the lecture as it is now). All nine were run late on the
# evening of 2026-12-07 on an AMD EPYC whose processor has AVX-512 (a 2048^3 float32 matmul at 177.3 GFLOP/s; 244-302
# on 2026-12-06), seed 0, after 01's sweep went to 3 epochs, 04's overcomplete models to 3 and 07's GANs to 2 (and
# 05's Bounds took its test terms 500 images at a time: memory only); 00, 02, 03, 06 and 08 unchanged, run again.
# Cells: 07 healthy GAN 54.9 s, failing GAN 44.2 s, conditional GAN 66.6 s, translators 57.7 s, classifier 61.3 s,
# VAE 39.4 s; 04's overcomplete models 104.1 s; 01's sweep 66.8 s. CPU time and peak resident memory: 00 0.1 min
# (1.05 GB), 01 3.5 min (1.06 GB), 02 11.8 min (1.41 GB), 03 4.4 min (1.45 GB), 04 6.9 min (1.36 GB), 05 10.3 min
# (1.33 GB), 06 5.1 min (0.91 GB), 07 10.3 min (1.25 GB), 08 10.3 min (1.13 GB).
# Earlier that evening, on a machine of the same kind with AVX-512 (matmul 177-181 GFLOP/s), 48 min 20 s in all: 00 5.5 s, 01 235.9 s (the
# sweep at 5 epochs; its cell 131.1 s), 02 470.7 s, 03 203.4 s (296.9 s at 3 deep seeds), 04 416.2 s (the overcomplete
# models at 5 epochs; their cell 187.7 s), 05 431.6 s, 06 242.5 s, 07 545.4 s (the GANs at 4 epochs: cells 112.9 s,
# 85.2 s, 141.0 s; 596.7 s with the translators at 2 epochs too), 08 349.1 s; peaks 0.90-1.48 GB.
# The earlier runs of the same day (morning and afternoon, AVX2 only, matmul 164-177 GFLOP/s), 65 min 44 s in all:
# 00 4.5 s, 01 4 min 05 s, 02 11 min 33 s (its study at 2 epochs), 03 5 min 13 s (3 deep seeds), 04 7 min 12 s,
# 05 8 min 05 s, 06 4 min 43 s, 07 12 min 59 s (translators at 2 epochs), 08 11 min 50 s (5 epochs).
MEASURED_FULL = {
    "00": (3.9, "2026-12-07", True),
    "01": (160.7, "2026-12-07", True),
    "02": (450.0, "2026-12-07", True),
    "03": (202.0, "2026-12-07", True),
    "04": (302.0, "2026-12-07", True),
    "05": (437.6, "2026-12-07", True),
    "06": (237.7, "2026-12-07", True),
    "07": (372.6, "2026-12-07", True),
    "08": (377.0, "2026-12-07", True),
}
NOT_MEASURED = {}
# Quick mode: all nine one after the other, alone on the machine, Debug build, 2026-12-06 (docs/benchmarks.md,
# "Lectures in quick mode"); the same day's table before the additions had 01 at 39 s, 06 at 19 s, 04 at 33 s: a
# lecture varies by a few seconds from run to run.
MEASURED_QUICK = {"00": 4, "01": 47, "02": 31, "03": 59, "04": 37, "05": 47, "06": 23, "07": 89, "08": 35}

# Single runs timed inside lectures and reproductions, against the CPU model:
# (lecture, mode, run, what was timed, seconds (min, max), divide the run by, forward FLOPs added, source).
MEASURED_RUNS = [
    ("06", "full", "VAE 784-400-10, beta 1", "one epoch", (6.2, 6.2), 10, 0,
     "the lecture's printout, full mode, 2026-12-01 (docs/benchmarks.md)"),
    ("01", "full", "dense AE 784-256-32", "whole run and its validation", (37, 37), 1,
     flops(dense_ae(256, 32)) * (1000 + 10_000) * 10,
     "the Trainer's last progress line in the full-mode run of 2026-12-06"),
    ("01", "full", "linear AE 784-32", "whole run", (19, 19), 1, 0,
     "the Trainer's last progress line in the full-mode run of 2026-12-06"),
    ("03", "full", "dense AE 784-256-32 (pretraining)", "whole run and its validation", (33, 33), 1,
     flops(dense_ae(256, 32)) * 10_000 * 10, "the Trainer's last progress line in the full-mode run of 2026-12-06"),
    ("06", "full", "VAE 784-400-10, beta 1", "one epoch (the four betas' mean)", (5.66, 5.66), 10, 0,
     "the lecture's printout, full mode, 2026-12-06"),
    ("06", "full", "VAE 784-400-10, beta 16, free bits", "whole run", (60, 60), 1, 0,
     "the Trainer's last progress line in the full-mode run of 2026-12-06"),
    # 07's GANs trained 4 epochs (1,876 steps) in full mode until the late evening of 2026-12-07, 2 (938) since: the
    # runs timed at 4 epochs are set against twice the model's 2-epoch run (divided by 0.5).
    ("07", "full", "healthy GAN", "whole run at 4 epochs", (133.3, 133.3), 0.5, 0,
     "the lecture's printout, full mode at 32 feature maps, 2026-12-06"),
    ("07", "full", "failing GAN", "whole run at 4 epochs", (95.9, 95.9), 0.5, 0,
     "the lecture's printout, full mode at 32 feature maps, 2026-12-06"),
    ("07", "full", "healthy GAN", "whole run at 4 epochs", (112.9, 112.9), 0.5, 0,
     "the cell's time in the full-mode run of 2026-12-07 evening (AVX-512 machine; the cell trains, nothing else)"),
    ("07", "full", "failing GAN", "whole run at 4 epochs", (85.2, 85.2), 0.5, 0,
     "the cell's time in the full-mode run of 2026-12-07 evening (AVX-512 machine; the cell trains, nothing else)"),
    ("07", "full", "conditional GAN", "whole run at 4 epochs", (141.0, 141.0), 0.5, 0,
     "the cell's time in the full-mode run of 2026-12-07 evening (AVX-512 machine; the cell trains, nothing else)"),
    ("07", "full", "healthy GAN", "whole run at 2 epochs", (54.9, 54.9), 1, 0,
     "the cell's time in the full-mode run of 2026-12-07 late evening (AVX-512 machine; the lecture prints "
     "\"938 steps in 54.9 s\")"),
    ("07", "full", "failing GAN", "whole run at 2 epochs", (44.2, 44.2), 1, 0,
     "the cell's time in the full-mode run of 2026-12-07 late evening (AVX-512 machine; the lecture prints "
     "\"938 steps in 44.2 s\")"),
    ("07", "full", "conditional GAN", "whole run at 2 epochs", (66.6, 66.6), 1, 0,
     "the cell's time in the full-mode run of 2026-12-07 late evening (AVX-512 machine; the cell trains, nothing "
     "else)"),
    ("07", "full", "VAE 784-400-20", "one epoch", (5.06, 5.06), 10, 0,
     "the lecture's printout, full mode, 2026-12-06"),
    ("07", "full", "classifier", "one epoch", (19.26, 23.33), 3, 0,
     "`reproduce conditional-dcgan` on the full set, 2026-12-06 (bench/results.sh; its log's epoch seconds)"),
    ("08", "full", "rotation classifier (4 turns of every batch)", "one epoch", (17.73, 42.59), 3, 0,
     "`reproduce rotation-probe-100` on the full set, 2026-12-06 (bench/results.sh; its log's epoch seconds)"),
    ("08", "full", "rotation classifier (4 turns of every batch)", "whole run", (92, 92), 1, 0,
     "the Trainer's last progress line in the full-mode run of 2026-12-07 evening (3 epochs; AVX-512 machine)"),
    ("08", "full", "context encoder (loss on the hole)", "whole run", (49, 49), 1, 0,
     "the Trainer's last progress line in the full-mode run of 2026-12-07 evening (3 epochs; AVX-512 machine)"),
    ("08", "full", "conv AE", "whole run", (44, 44), 1, 0,
     "the Trainer's last progress line in the full-mode run of 2026-12-07 evening (3 epochs; AVX-512 machine)"),
    ("08", "full", "two pretexts: rotation + context", "whole run", (113, 113), 1, 0,
     "the Trainer's last progress line in the full-mode run of 2026-12-07 evening (3 epochs; AVX-512 machine)"),
    ("05", "full", "VAE 784-400-20", "one epoch and its validation", (4.88, 4.88), 10,
     flops(dense_vae(400, 20)) * 10_000, "the lecture's printout, full mode, 2026-12-06"),
    ("05", "full", "conv VAE, 16 channels", "one epoch and its validation", (9.04, 9.04), 10,
     flops(conv_vae(20, 16)) * 10_000, "the lecture's printout, full mode, 2026-12-06"),
    ("05", "quick", "VAE 784-400-20", "one epoch and its validation", (0.61, 0.61), 10,
     flops(dense_vae(400, 20)) * 1000, "the lecture's printout and text, quick mode, seed 0, two cores others shared"),
    ("05", "quick", "conv VAE, 16 channels", "one epoch and its validation", (2.98, 2.98), 10,
     flops(conv_vae(20, 16)) * 1000, "the lecture's printout and text, quick mode, seed 0, two cores others shared"),
]
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
    other = w.eval / CPU_FLOPS + w.host + w.cpu_side + w.coding + sum(SVD_CPU_S[m] for m in w.svd)
    return sum(cpu_run(r) for r in w.runs) + other + STARTUP_S


def gpu_time(w, card, rate_scale=1.0, op_s=GPU_OP_S, coding_scale=1.0):
    """Seconds by term: compute-bound and floor-bound training, host work, evaluation, CPU-side work (t-SNE, lossless
    coding), SVD, start-up."""
    c = CARDS[card]
    terms = dict(compute=0.0, floor=0.0, host=w.host, eval=w.eval / (c["eval"] * rate_scale),
                 cpu=w.cpu_side + w.coding * coding_scale,
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
         "cpu": "CPU-side work", "svd": "SVD (fp64)", "startup": "start-up"}


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


def measured(mode, num):
    """(seconds or None, the text of the measured cell, the text of the ratio cell)."""
    if mode == "quick":
        return MEASURED_QUICK[num], fmt(MEASURED_QUICK[num]), None
    if num in MEASURED_FULL:
        seconds, when, current = MEASURED_FULL[num]
        return seconds, fmt(seconds) + ("" if current else f" ({when}, before it grew)"), current
    return None, NOT_MEASURED.get(num, "not measured since it grew"), None


def print_lectures():
    print("| lecture | mode | steps | training GFLOP | other GFLOP | CPU predicted | CPU measured "
          "| predicted / measured | T4 estimate (range) | H100 estimate (range) | largest term T4 / H100 |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    totals = {}
    for mode in ["quick", "full"]:
        for num, title, build in LECTURES:
            w = build(mode)
            cpu = cpu_time(w)
            seconds, meas_text, current = measured(mode, num)
            if seconds is None:
                ratio = "-"
            elif current is False:
                ratio = f"({cpu / seconds:.2f}: against the smaller lecture)"
            else:
                ratio = f"{cpu / seconds:.2f}"
                totals[(mode, "measured")] = totals.get((mode, "measured"), 0) + seconds
                totals[(mode, "predicted")] = totals.get((mode, "predicted"), 0) + cpu
                totals[(mode, "which")] = totals.get((mode, "which"), []) + [num]
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
        which = totals.get((mode, "which"), [])
        line = (f"All nine, {mode}: CPU predicted {fmt(totals[(mode, 'cpu')])}; T4 {fmt(totals[(mode, 'T4')])}, "
                f"H100 {fmt(totals[(mode, 'H100')])}.")
        if which:
            predicted, seconds = totals[(mode, "predicted")], totals[(mode, "measured")]
            line += (f" Lectures measured as they are now ({', '.join(which)}): CPU predicted {fmt(predicted)}, "
                     f"measured {fmt(seconds)}, ratio {predicted / seconds:.2f}.")
        print(line)


def print_terms():
    print("Where the estimated GPU time goes, full mode (seconds):")
    print()
    print("| lecture | card | compute-bound training | floor-bound training | host work | evaluation "
          "| CPU-side (t-SNE, lossless coding) | SVD (fp64) | start-up |")
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
            label += f", {len(runs) - probes} encoder+head runs (LP-FT's two stages each counted)"
        gflop = sum(r["dense"] + r["conv"] for r in runs) / 1e9
        ops = f"{min(r['ops'] for r in runs):.0f}-{max(r['ops'] for r in runs):.0f}"
        cards = " | ".join(f"{sum(gpu_run(r, card)[0] for r in runs):.1f}" for card in CARDS)
        print(f"| {num} | {label} | {sum(r['steps'] for r in runs):,} | {gflop:,.0f} | {ops} | "
              f"{sum(cpu_run(r) for r in runs):.1f} | {cards} |")
    print()
    print("(c: compute-bound, f: floor-bound.) Single runs timed inside lectures and reproductions, against the CPU "
          "model:")
    print()
    builds = {num: build for num, _, build in LECTURES}
    for num, mode, name, what, (lo, hi), share, extra, source in MEASURED_RUNS:
        r = next(r for r in builds[num](mode).runs if r["name"] == name)
        predicted = cpu_run(r) / share + extra / CPU_FLOPS
        seconds = fmt(lo) if lo == hi else f"{fmt(lo)}..{fmt(hi)}"
        ratio = f"{predicted / lo:.2f}" if lo == hi else f"{predicted / hi:.2f}..{predicted / lo:.2f}"
        print(f"- lecture {num}, {mode}, {name}, {what}: predicted {fmt(predicted)}, measured {seconds} "
              f"(ratio {ratio}; {source})")


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
