#!/usr/bin/python3
"""Training speed, four ways, in one run: the kit's `aecourse reproduce`, the kit's Trainer in a bare program, a
hand-written TorchSharp loop, and the PyTorch twin (bench/pytorch/reproduce.py), per setup, alternating, each in a
process of its own. Writes seconds per epoch, achieved GFLOP/s against a large matmul measured in the same run, and
peak resident memory into docs/benchmarks.md (between the training-table markers) and prints the table.

    /usr/bin/python3 bench/training.py [--embedded | --all-full] [--epochs N] [--rounds R] [--no-write] [SETUP ...]

Default: the full Fashion-MNIST (`aecourse data fetch fashion-mnist`) for the autoencoders and the embedded subset for
the DCGAN (a full-set DCGAN epoch takes over 3 minutes a side here, which would make the run an hour; --all-full runs
it anyway), 3 epochs, 2 rounds, every setup. The first epoch of every run is a warm-up and left out; the table gives
the median of the other epochs over all rounds. Run it on an otherwise idle machine: on two cores anything else
running shows up in every number.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SETUPS = ["dense-ae-32", "conv-ae-32", "vae-20", "dcgan"]
SIDES = ["reproduce", "trainer", "loop", "pytorch"]
KIT_CLI = os.path.join(ROOT, "lib/AeCourse.Cli/bin/Release/net10.0/AeCourse.Cli.dll")
BENCH = os.path.join(ROOT, "bench/AeCourse.Bench/bin/Release/net10.0/AeCourse.Bench.dll")
DOC = os.path.join(ROOT, "docs/benchmarks.md")
BEGIN, END = "<!-- training table: bench/training.py -->", "<!-- end of training table -->"
SUBSET_BY_DEFAULT = {"dcgan"}
# Both sides print "epoch K: ..., seconds S" (reproduce, PyTorch) or "epoch K seconds S rss_mb R ..." (the bare
# programs, with the resident memory and glibc's heap figures as the epoch ends).
EPOCH_LINE = re.compile(r"^epoch (\d+):? .*?seconds ([0-9.]+(?:[eE][-+]?\d+)?)(?: rss_mb (\d+)[^\n]*)?$", re.M)


def command(setup, side, epochs, full):
    data = ["--full"] if full else []
    if side == "reproduce":
        return ["dotnet", KIT_CLI, "reproduce", setup, "--epochs", str(epochs)] + data
    if side == "pytorch":
        return ["/usr/bin/python3", os.path.join(ROOT, "bench/pytorch/reproduce.py"), setup, "--epochs", str(epochs)] + data
    if side == "trainer" and setup == "dcgan":
        return None   # the GAN trains in a loop of its own, not through the Trainer
    return ["dotnet", BENCH, "train", setup, side, str(epochs)] + data


def timed(argv):
    """Runs argv; returns (stdout, stderr, peak RSS in MB) with the peak from the kernel's accounting of that child."""
    process = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Read the pipes on the side while wait4 reaps the child, so its rusage (ru_maxrss, KB on Linux) is its own.
    chunks = {"out": [], "err": []}
    readers = [threading.Thread(target=lambda s=stream, k=key: chunks[k].append(s.read()))
               for stream, key in ((process.stdout, "out"), (process.stderr, "err"))]
    for reader in readers:
        reader.start()
    _, status, usage = os.wait4(process.pid, 0)
    for reader in readers:
        reader.join()
    out, err = "".join(chunks["out"]), "".join(chunks["err"])
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed ({os.waitstatus_to_exitcode(status)}): {' '.join(argv)}\n{err[-2000:]}")
    return out, err, usage.ru_maxrss / 1024


def epochs_of(log, epochs):
    """The main training's epoch lines, the last `epochs` (the DCGAN's classifier comes first): the seconds of all but
    the first (it warms up: allocator, thread pool, lazy initialisation), and the resident memory as the last epoch
    ends divided by that as epoch 2 ends (None where the side does not print it)."""
    found = EPOCH_LINE.findall(log)[-epochs:]
    if len(found) != epochs:
        sys.exit(f"expected {epochs} epoch lines, found {len(found)}:\n{log[-2000:]}")
    growth = float(found[-1][2]) / float(found[1][2]) if found[-1][2] else None
    return [float(s) for _, s, _ in found[1:]], growth


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("setups", nargs="*", default=SETUPS)
    parser.add_argument("--embedded", action="store_true", help="every setup on the embedded 5,000-image subset")
    parser.add_argument("--all-full", action="store_true", help="the DCGAN on the full set too")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--no-write", action="store_true", help="print the table only")
    args = parser.parse_args()
    if args.epochs < 2:
        sys.exit("--epochs must be at least 2: the first epoch is a warm-up")
    full = {s: not args.embedded and (args.all_full or s not in SUBSET_BY_DEFAULT) for s in args.setups}
    images = {s: 60000 if full[s] else 5000 for s in args.setups}

    subprocess.run(["dotnet", "build", "-c", "Release", "-v", "quiet", "-nologo", "bench/AeCourse.Bench"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    peak = [float(timed(["dotnet", BENCH, "matmul"])[0].split()[1])]
    flops = {line.split()[0]: float(line.split()[2]) * 1e6 for line in timed(["dotnet", BENCH, "flops"])[0].splitlines()}

    seconds = {(s, side): [] for s in args.setups for side in SIDES}
    rss = {(s, side): [] for s in args.setups for side in SIDES}
    growth = {(s, side): [] for s in args.setups for side in SIDES}   # resident memory, last epoch ÷ epoch 2
    started = time.time()
    for round_ in range(args.rounds):
        for setup in args.setups:
            # Alternate the order of the sides from round to round, so that drift (heat, other load) hits all alike.
            for side in SIDES if round_ % 2 == 0 else reversed(SIDES):
                argv = command(setup, side, args.epochs, full[setup])
                if argv is None:
                    continue
                out, err, peak_mb = timed(argv)
                epoch_times, grown = epochs_of(err, args.epochs)
                seconds[setup, side] += epoch_times
                rss[setup, side].append(peak_mb)
                if grown:
                    growth[setup, side].append(grown)
                print(f"round {round_ + 1} {setup} {side}: {statistics.median(seconds[setup, side]):.2f} s/epoch, "
                      f"{peak_mb:.0f} MB", file=sys.stderr, flush=True)
    peak.append(float(timed(["dotnet", BENCH, "matmul"])[0].split()[1]))
    matmul = statistics.median(peak)

    on_subset = [s for s in args.setups if not full[s]]
    data = ("the embedded subset (5,000 training images)" if len(on_subset) == len(args.setups) else
            "full Fashion-MNIST (60,000 training images)" + (f"; {', '.join(on_subset)} on the embedded subset (5,000)"
                                                               if on_subset else ""))
    lines = [
        f"{data}, "
        f"{args.epochs} epochs per run (the first left out), {args.rounds} rounds, {time.strftime('%Y-%m-%d')}, "
        f"{(time.time() - started) / 60:.0f} minutes; float32 matmul 2048³ at {peak[0]:.0f} and {peak[1]:.0f} GFLOP/s "
        "(before and after the runs).",
        "",
        "| setup | side | seconds per epoch | GFLOP/s | of the matmul | peak memory | memory, last epoch ÷ epoch 2 "
        "| PyTorch ÷ this |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for setup in args.setups:
        torch_median = statistics.median(seconds[setup, "pytorch"])
        for side in SIDES:
            values = seconds[setup, side]
            if not values:
                lines.append(f"| {setup} | {side} | — (the GAN has no Trainer side) | | | | | |")
                continue
            median = statistics.median(values)
            gflops = flops[setup] * images[setup] / median / 1e9
            ratios = growth[setup, side]
            grown = f"{min(ratios):.2f}..{max(ratios):.2f}" if ratios else "not printed"
            lines.append(f"| {setup} | {side} | {median:.2f} ({min(values):.2f}..{max(values):.2f}) | {gflops:.1f} | "
                         f"{gflops / matmul:.0%} | {max(rss[setup, side]) / 1024:.2f} GB | {grown} | {torch_median / median:.2f} |")
    lines.append("")
    lines.append("FLOPs per image and training step (forward multiply-adds of the linear and convolution layers × 2, × 3 "
                 "for forward and backward): " + ", ".join(f"{s} {flops[s] / 1e6:.2f} M" for s in args.setups) + ".")
    table = "\n".join(lines)
    print(table)
    if not args.no_write:
        write_into_doc(table)


def write_into_doc(table):
    """Replaces the text between the markers in docs/benchmarks.md; the file is replaced whole (write, then rename)."""
    with open(DOC, encoding="utf-8") as f:
        text = f.read()
    if BEGIN not in text or END not in text:
        sys.exit(f"{DOC}: the markers '{BEGIN}' and '{END}' are missing; the table was not written")
    before, rest = text.split(BEGIN, 1)
    _, after = rest.split(END, 1)
    temporary = DOC + ".tmp"
    with open(temporary, "w", encoding="utf-8") as f:
        f.write(before + BEGIN + "\n" + table + "\n" + END + after)
    os.replace(temporary, DOC)


if __name__ == "__main__":
    main()
