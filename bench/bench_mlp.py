"""Time one training step of an MLP 784-256-128-10 in dlcore and, if available, in PyTorch.

One step = forward, categorical cross-entropy, backward, Adam update, in float32, batch 128.
We report the median over many steps after a warm-up (the median ignores the odd step slowed
by another process). PyTorch runs in a separate process (``TORCH_PYTHON`` names its
interpreter; by default this one is tried) with the same number of threads.

    python bench/bench_mlp.py                 # 1 thread (steadiest on a shared machine)
    python bench/bench_mlp.py --threads 2
    TORCH_PYTHON=/path/to/venv/bin/python python bench/bench_mlp.py
"""

from __future__ import annotations

import argparse
import json
import os
import time


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="BLAS / torch threads (default 1)")
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--steps", type=int, default=200, help="timed steps (median is reported)")
    parser.add_argument("--warmup", type=int, default=20)
    return parser.parse_args()


ARGS = parse_args() if __name__ == "__main__" else None
if ARGS is not None:  # thread counts must be fixed before NumPy loads its BLAS
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(ARGS.threads)

import numpy as np  # noqa: E402
from torch_runner import run_torch  # noqa: E402  (bench/torch_runner.py)

SIZES = (784, 256, 128, 10)
PHASES = ("forward", "loss", "backward", "optimizer")


def median_ms(samples: list[float]) -> float:
    return float(np.median(samples)) * 1e3


def summarise(times: dict[str, list[float]]) -> dict[str, float]:
    """Median milliseconds per phase, plus the fastest whole step ("best")."""
    return {**{name: median_ms(v) for name, v in times.items()}, "best": min(times["step"]) * 1e3}


def bench_dlcore(batch: int, steps: int, warmup: int) -> dict[str, float]:
    """Median milliseconds of the whole step and of each phase."""
    from dlcore import optim
    from dlcore.layers import Dense, ReLU
    from dlcore.losses import CategoricalCrossEntropy
    from dlcore.model import Sequential

    rng = np.random.default_rng(0)
    layers = []
    for i, (n_in, n_out) in enumerate(zip(SIZES[:-1], SIZES[1:], strict=True)):
        layers.append(Dense(n_in, n_out, rng=rng))
        if i < len(SIZES) - 2:
            layers.append(ReLU())
    model = Sequential(layers)
    loss = CategoricalCrossEntropy()
    opt = optim.Adam(model.parameters(), lr=1e-3)
    x = rng.standard_normal((batch, SIZES[0])).astype(np.float32)
    y = rng.integers(0, SIZES[-1], batch)

    times: dict[str, list[float]] = {name: [] for name in ("step", *PHASES)}
    for i in range(warmup + steps):
        t0 = time.perf_counter()
        opt.zero_grad()
        out = model.forward(x)
        t1 = time.perf_counter()
        loss.forward(out, y)
        grad = loss.backward()
        t2 = time.perf_counter()
        model.backward(grad)
        t3 = time.perf_counter()
        opt.step()
        t4 = time.perf_counter()
        if i >= warmup:
            for name, dt in zip(("step", *PHASES), (t4 - t0, t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
                times[name].append(dt)
    return summarise(times)


TORCH_SCRIPT = r"""
import json, sys, time
import torch
threads, batch, steps, warmup = map(int, sys.argv[1:5])
sizes = json.loads(sys.argv[5])
torch.set_num_threads(threads)
torch.manual_seed(0)
layers = []
for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
    layers.append(torch.nn.Linear(n_in, n_out))
    if i < len(sizes) - 2:
        layers.append(torch.nn.ReLU())
model = torch.nn.Sequential(*layers)
loss_fn = torch.nn.CrossEntropyLoss()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
x = torch.randn(batch, sizes[0])
y = torch.randint(0, sizes[-1], (batch,))
times = {"step": [], "forward": [], "loss": [], "backward": [], "optimizer": []}
for i in range(warmup + steps):
    t0 = time.perf_counter()
    opt.zero_grad()
    out = model(x)
    t1 = time.perf_counter()
    loss = loss_fn(out, y)
    t2 = time.perf_counter()
    loss.backward()
    t3 = time.perf_counter()
    opt.step()
    t4 = time.perf_counter()
    if i >= warmup:
        for k, dt in zip(times, (t4 - t0, t1 - t0, t2 - t1, t3 - t2, t4 - t3)):
            times[k].append(dt)
med = {k: sorted(v)[len(v) // 2] * 1e3 for k, v in times.items()}
med["best"] = min(times["step"]) * 1e3
med["version"] = torch.__version__
print(json.dumps(med))
"""


def bench_torch(threads: int, batch: int, steps: int, warmup: int) -> tuple[dict | None, str]:
    """PyTorch's medians from a separate process, or None and the reason it could not run."""
    args = (str(threads), str(batch), str(steps), str(warmup), json.dumps(SIZES))
    return run_torch(TORCH_SCRIPT, *args, threads=threads)


def main() -> None:
    args = ARGS
    print(
        f"MLP {'-'.join(map(str, SIZES))}, batch {args.batch}, float32, Adam; "
        f"{args.threads} thread(s); median of {args.steps} steps after {args.warmup} warm-up steps\n"
    )
    ours = bench_dlcore(args.batch, args.steps, args.warmup)
    theirs, where = bench_torch(args.threads, args.batch, args.steps, args.warmup)

    rows = [("phase", "dlcore (ms)", "PyTorch (ms)", "dlcore / PyTorch")]
    for name in ("step", *PHASES, "best"):
        label = {"step": "whole step", "best": "fastest step"}.get(name, f"  {name}")
        if theirs is None:
            rows.append((label, f"{ours[name]:.3f}", "-", "-"))
        else:
            rows.append((label, f"{ours[name]:.3f}", f"{theirs[name]:.3f}", f"{ours[name] / theirs[name]:.2f}x"))
    widths = [max(len(r[c]) for r in rows) for c in range(4)]
    for i, row in enumerate(rows):
        print(
            "  ".join([row[0].ljust(widths[0]), *(cell.rjust(w) for cell, w in zip(row[1:], widths[1:], strict=True))])
        )
        if i == 0:
            print("-" * (sum(widths) + 6))
    print()
    print("Medians, except the fastest step. Phases are timed separately, so their medians need not add up")
    print("to the whole step's; on a busy machine the fastest step is the steadier comparison.")
    if theirs is None:
        print(f"PyTorch not measured: {where}. Set TORCH_PYTHON to an interpreter that has torch.")
    else:
        ratio = ours["step"] / theirs["step"]
        verdict = "faster than or as fast as" if ratio <= 1.0 else "slower than"
        print(f"PyTorch {theirs['version']} ({where}). dlcore is {ratio:.2f}x PyTorch's step time ({verdict} PyTorch).")


if __name__ == "__main__":
    main()
