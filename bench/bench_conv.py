"""Time dlcore's convolutions against PyTorch on the CPU.

The workload: two 3x3 convolutions, 1 -> 32 -> 64 channels ("valid" padding, as in the
classic MNIST convnet: 28x28 -> 26x26 -> 24x24), batch 64, float32, forward + backward.
dlcore runs channel-last (N, H, W, C); PyTorch runs its native (N, C, H, W). PyTorch is
timed in a SEPARATE process (so its threads and allocator do not disturb NumPy's), using
the python named by the TORCH_PYTHON environment variable (see torch_runner.py) when
there is one; without one only dlcore's table is printed. Times are the best of several runs,
but on a machine shared with other jobs both sides still vary from run to run.

    python bench/bench_conv.py [--repeats 20] [--threads 1]
"""

from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np
from threadpoolctl import threadpool_limits
from torch_runner import measure_torch  # bench/torch_runner.py

BATCH, SIZE, KERNEL, CHANNELS = 64, 28, 3, (1, 32, 64)
GOAL_RATIO = 1.5  # dlcore should be at most this many times slower than PyTorch

TORCH_SCRIPT = """
import json, sys, time
import torch
batch, size, kernel, channels, repeats, threads = json.loads(sys.argv[1])
torch.manual_seed(0)
if threads:
    torch.set_num_threads(threads)
conv1 = torch.nn.Conv2d(channels[0], channels[1], kernel)
conv2 = torch.nn.Conv2d(channels[1], channels[2], kernel)
x = torch.randn(batch, channels[0], size, size)

def step():
    conv1.zero_grad(); conv2.zero_grad()
    z = conv2(conv1(x))
    z.backward(torch.ones_like(z))

def forward():
    with torch.no_grad():
        conv2(conv1(x))

def best_ms(f):
    for _ in range(3):
        f()
    times = []
    for _ in range(repeats):
        t = time.perf_counter(); f(); times.append(time.perf_counter() - t)
    return 1000 * min(times)

print(json.dumps({"forward": best_ms(forward), "step": best_ms(step),
                  "threads": torch.get_num_threads(), "version": torch.__version__}))
"""


def best_ms(f, repeats: int) -> float:
    """Best (minimum) wall time of f() in milliseconds, after three warm-up calls.

    The minimum, not the mean: on a shared machine other processes only ever add time.
    """
    for _ in range(3):
        f()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return 1000 * min(times)


def time_dlcore(repeats: int) -> dict[str, float]:
    from dlcore.conv import Conv2D

    conv1 = Conv2D(CHANNELS[0], CHANNELS[1], KERNEL, rng=0)
    conv2 = Conv2D(CHANNELS[1], CHANNELS[2], KERNEL, rng=1)
    conv1.needs_input_grad = False  # nothing uses dL/dx of the first layer (PyTorch skips it too)
    x = np.random.default_rng(0).standard_normal((BATCH, SIZE, SIZE, CHANNELS[0]), dtype=np.float32)
    a = conv1(x)  # (64, 26, 26, 32)
    z = conv2(a)  # (64, 24, 24, 64)
    delta2 = np.ones_like(z)
    delta1 = np.ones_like(a)

    def step():
        conv1.zero_grad()
        conv2.zero_grad()
        z = conv2(conv1(x))
        conv1.backward(conv2.backward(np.ones_like(z)))

    return {
        "conv1 forward": best_ms(lambda: conv1(x), repeats),
        "conv1 backward": best_ms(lambda: conv1.backward(delta1), repeats),
        "conv2 forward": best_ms(lambda: conv2(a), repeats),
        "conv2 backward": best_ms(lambda: conv2.backward(delta2), repeats),
        "forward": best_ms(lambda: conv2(conv1(x)), repeats),
        "step": best_ms(step, repeats),
    }


def time_torch(repeats: int, threads: int | None) -> dict | None:
    args = json.dumps([BATCH, SIZE, KERNEL, list(CHANNELS), repeats, threads])
    result = measure_torch(TORCH_SCRIPT, args)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--threads", type=int, default=None, help="threads for BLAS and PyTorch (default: all cores)")
    args = parser.parse_args()
    repeats = args.repeats

    print(f"two 3x3 convs {CHANNELS[0]} -> {CHANNELS[1]} -> {CHANNELS[2]}, batch {BATCH}, {SIZE}x{SIZE}, float32")
    print(f"numpy {np.__version__}, {os.cpu_count()} cpus, best of {repeats} runs\n")
    with threadpool_limits(args.threads, "blas"):
        ours = time_dlcore(repeats)
    print(f"{'dlcore, one layer':<26}{'ms':>8}")
    for name in ("conv1 forward", "conv1 backward", "conv2 forward", "conv2 backward"):
        label = name + " (no dL/dx)" if name == "conv1 backward" else name
        print(f"{label:<26}{ours[name]:>8.1f}")

    torch = time_torch(repeats, args.threads)
    print(f"\n{'both layers':<26}{'dlcore ms':>10}{'torch ms':>10}{'ratio':>8}")
    for name, label in (("forward", "forward only"), ("step", "forward + backward")):
        if torch is None:
            print(f"{label:<26}{ours[name]:>10.1f}{'-':>10}{'-':>8}")
        else:
            print(f"{label:<26}{ours[name]:>10.1f}{torch[name]:>10.1f}{ours[name] / torch[name]:>8.2f}")
    if torch is None:
        print("\nPyTorch not found (set TORCH_PYTHON to a python with torch to compare).")
    else:
        ratio = ours["step"] / torch["step"]
        verdict = "meets" if ratio <= GOAL_RATIO else "misses"
        print(f"\ntorch {torch['version']}, {torch['threads']} threads, NCHW; neither computes the first layer's dL/dx")
        print(f"dlcore is {ratio:.2f}x PyTorch per training step: {verdict} the goal of <= {GOAL_RATIO}x")


if __name__ == "__main__":
    main()
