"""Side-by-side timing of dlcore and PyTorch, interleaved, with medians, spread, GFLOP/s and memory.

How a comparison runs (``compare``):
- PyTorch lives in a SEPARATE process (a "worker", started with the interpreter that
  ``torch_runner.torch_python`` finds), so its thread pool and allocator never share a process
  with NumPy. The worker builds its workloads once and then waits for requests on stdin.
- The two libraries take turns: every round times each workload once in dlcore (in this
  process), once in PyTorch (in the worker) and once as a plain NumPy float32 matrix product of
  the workload's main size. On a machine shared with other jobs the load changes from second
  to second; taking turns makes both libraries see the same load, and the median over the
  rounds ignores the rounds a burst of load hit.
- Spread: the 25th and 75th percentiles of the rounds, so a reader sees how steady a median is.
- The ratio is paired: each round's dlcore time over the same round's PyTorch time (measured
  milliseconds apart), then the median of those ratios. On a virtual machine whose speed drifts
  from second to second (another guest on the same host), a slow phase then slows both halves
  of a pair instead of one library's median, so the ratio is steadier than the ratio of medians.
- GFLOP/s: the workload's matrix-product FLOPs (2 per multiply-add, forward + backward) over
  the median time. "of matmul" divides that by the GFLOP/s the plain matrix product reached
  in the same rounds: the practical ceiling on this machine for work of that shape.
- Peak memory: each library runs the first step of the workload in a fresh process (after
  its setup); reported is how far the process's resident memory peaked above where the step
  started (Linux's VmHWM, reset just before the step). Both sides are measured the same way.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from torch_runner import torch_python  # bench/torch_runner.py


def _peak_growth_kib(step: Callable[[], object]) -> int:
    """Run step once; how far this process's resident memory rose above where it started (KiB).

    Linux resets the peak (VmHWM) when 5 is written to /proc/self/clear_refs; elsewhere the
    lifetime peak ru_maxrss is used, which can hide a step's peak behind an earlier one.
    """

    def status(key):
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith(key + ":"))

    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        start = status("VmRSS")
        step()
        return status("VmHWM") - start
    except OSError:
        import resource

        start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        step()
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - start


PEAK_CODE = inspect.getsource(_peak_growth_kib)  # the PyTorch worker runs the same function


WORKER = (
    "from __future__ import annotations\n"
    + PEAK_CODE
    + r"""
import json, os, resource, sys, time, warnings
warnings.simplefilter("ignore")
import torch
setup_code, params, mode = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
if params.get("threads"):
    torch.set_num_threads(params["threads"])
torch.manual_seed(0)
space = {}
exec(setup_code, space)
steps = space["setup"](params)  # {name: a function running one forward + backward step}
if mode.startswith("peak:"):
    torch.ones(64, 64) @ torch.ones(64, 64)  # start the library's thread pool and buffers first
    print(json.dumps({"peak_kib": _peak_growth_kib(steps[mode[5:]])}))
    sys.exit(0)
for step in steps.values():  # warm up every workload
    for _ in range(3):
        step()
print(json.dumps({"ready": True, "threads": torch.get_num_threads(), "version": torch.__version__}), flush=True)
for line in sys.stdin:
    name = json.loads(line)
    start = time.perf_counter()
    steps[name]()
    print(json.dumps(time.perf_counter() - start), flush=True)
"""
)


@dataclass
class Workload:
    """One thing to time: its name, dlcore's step function, its FLOPs and its main matmul size."""

    name: str
    step: Callable[[], object]  # one forward + backward in dlcore
    flops: float  # matrix-product FLOPs of one step (2 per multiply-add)
    matmul: tuple[int, int, int]  # (m, k, n) of the plain float32 product used as the ceiling


def _thread_env(threads: int | None) -> dict[str, str]:
    env = dict(os.environ)
    if threads:
        for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
            env[var] = str(threads)
    return env


class TorchWorker:
    """A PyTorch process that runs named workloads on request and reports each one's seconds."""

    def __init__(self, setup_code: str, params: dict, threads: int | None):
        python = torch_python()
        if python is None:
            raise RuntimeError("no PyTorch (set TORCH_PYTHON to a Python that has torch)")
        args = [python, "-c", WORKER, setup_code, json.dumps({**params, "threads": threads or 0}), "serve"]
        self.proc = subprocess.Popen(
            args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=_thread_env(threads)
        )
        first = self.proc.stdout.readline()
        if not first:
            raise RuntimeError(f"{python}: the PyTorch worker did not start (see its error above)")
        self.info = json.loads(first)

    def time(self, name: str) -> float:
        self.proc.stdin.write(json.dumps(name) + "\n")
        self.proc.stdin.flush()
        return float(json.loads(self.proc.stdout.readline()))

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


def torch_peak_kib(setup_code: str, params: dict, name: str, threads: int | None) -> int | None:
    """Growth of a fresh PyTorch process's peak memory over one step of ``name`` (KiB)."""
    python = torch_python()
    if python is None:
        return None
    args = [python, "-c", WORKER, setup_code, json.dumps({**params, "threads": threads or 0}), f"peak:{name}"]
    done = subprocess.run(args, capture_output=True, text=True, env=_thread_env(threads), timeout=600, check=False)
    if done.returncode != 0:
        return None
    return int(json.loads(done.stdout.strip().splitlines()[-1])["peak_kib"])


def dlcore_peak_kib(script: str, name: str, threads: int | None) -> int | None:
    """The same for dlcore: ``python script --peak name`` prints the growth (see ``report_peak``)."""
    done = subprocess.run(
        [sys.executable, script, "--peak", name],
        capture_output=True,
        text=True,
        env=_thread_env(threads),
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        return None
    return int(json.loads(done.stdout.strip().splitlines()[-1])["peak_kib"])


def report_peak(step: Callable[[], object]) -> None:
    """Run one step in this (fresh) process and print the rise of its resident memory as JSON (KiB)."""
    np.ones((64, 64), np.float32) @ np.ones((64, 64), np.float32)  # start BLAS's threads and buffers first
    print(json.dumps({"peak_kib": _peak_growth_kib(step)}))


def matmul_step(shape: tuple[int, int, int]) -> Callable[[], object]:
    m, k, n = shape
    rng = np.random.default_rng(0)
    a = rng.standard_normal((m, k), dtype=np.float32)
    b = rng.standard_normal((k, n), dtype=np.float32)
    return lambda: a @ b


def _timed(f: Callable[[], object]) -> float:
    start = time.perf_counter()
    f()
    return time.perf_counter() - start


def compare(
    workloads: list[Workload],
    torch_setup: str,
    params: dict,
    rounds: int,
    threads: int | None,
    script: str,
    memory: bool = True,
) -> dict:
    """Time every workload in dlcore, PyTorch and as a plain matmul, taking turns; see the module docstring.

    Returns {name: {"dlcore": [s...], "torch": [s...] or None, "matmul": [s...], ...}}, plus "torch_info".
    """
    worker = None
    try:
        worker = TorchWorker(torch_setup, params, threads)
    except (RuntimeError, OSError, json.JSONDecodeError) as err:
        print(f"PyTorch not measured: {err}", file=sys.stderr)
    matmuls = {w.name: matmul_step(w.matmul) for w in workloads}
    for w in workloads:  # warm up
        for _ in range(3):
            w.step()
            matmuls[w.name]()
    samples = {w.name: {"dlcore": [], "torch": [] if worker else None, "matmul": []} for w in workloads}
    try:
        for _ in range(rounds):
            for w in workloads:
                samples[w.name]["dlcore"].append(_timed(w.step))
                if worker:
                    samples[w.name]["torch"].append(worker.time(w.name))
                samples[w.name]["matmul"].append(_timed(matmuls[w.name]))
    finally:
        if worker:
            worker.close()
    for w in workloads:
        s = samples[w.name]
        s["flops"], s["matmul_flops"] = w.flops, 2.0 * np.prod(w.matmul)
        if memory:
            s["dlcore_peak_kib"] = dlcore_peak_kib(script, w.name, threads)
            s["torch_peak_kib"] = torch_peak_kib(torch_setup, params, w.name, threads) if worker else None
    samples["torch_info"] = worker.info if worker else None
    return samples


def paired_ratio(ours: list[float], theirs: list[float]) -> tuple[float, float, float]:
    """Median, 25th and 75th percentile of the per-round ratios ours[i] / theirs[i]."""
    ratios = np.asarray(ours) / np.asarray(theirs)
    p25, p50, p75 = np.percentile(ratios, [25, 50, 75])
    return float(p50), float(p25), float(p75)


def _ms(values: list[float]) -> tuple[float, float, float]:
    """Median, 25th and 75th percentile, in milliseconds."""
    p25, p50, p75 = np.percentile(values, [25, 50, 75])
    return 1e3 * p50, 1e3 * p25, 1e3 * p75


def print_table(samples: dict, goals: dict[str, float], rounds: int, threads: int | None) -> None:
    """The comparison table, then one verdict line per workload that has a goal."""
    info = samples.get("torch_info")
    names = [k for k in samples if k != "torch_info"]
    print(f"median [25th-75th percentile] of {rounds} interleaved rounds, threads: {threads or 'library default'}")
    header = (
        f"{'workload':<20}{'dlcore ms':>22}{'torch ms':>22}{'ratio':>7}{'dl GF/s':>9}{'torch GF/s':>11}"
        f"{'matmul GF/s':>12}{'dl/mm':>7}{'torch/mm':>9}{'dl MiB':>8}{'torch MiB':>10}"
    )
    print(header)
    print("-" * len(header))
    for name in names:
        s = samples[name]
        ours = _ms(s["dlcore"])
        mm_gflops = s["matmul_flops"] / (np.median(s["matmul"]) * 1e9)
        our_gflops = s["flops"] / (ours[0] * 1e6)
        cells = [f"{name:<20}", f"{ours[0]:>8.2f} [{ours[1]:.2f}-{ours[2]:.2f}]".rjust(22)]
        their_gflops = None
        if s["torch"]:
            theirs = _ms(s["torch"])
            their_gflops = s["flops"] / (theirs[0] * 1e6)
            cells += [
                f"{theirs[0]:>8.2f} [{theirs[1]:.2f}-{theirs[2]:.2f}]".rjust(22),
                f"{paired_ratio(s['dlcore'], s['torch'])[0]:>7.2f}",
                f"{our_gflops:>9.1f}",
                f"{their_gflops:>11.1f}",
            ]
        else:
            cells += [f"{'-':>22}", f"{'-':>7}", f"{our_gflops:>9.1f}", f"{'-':>11}"]
        cells += [f"{mm_gflops:>12.1f}", f"{our_gflops / mm_gflops:>7.2f}"]
        cells.append(f"{'-':>9}" if their_gflops is None else f"{their_gflops / mm_gflops:>9.2f}")
        for key in ("dlcore_peak_kib", "torch_peak_kib"):
            kib = s.get(key)
            cells.append(f"{'-' if kib is None else f'{kib / 1024:.1f}':>{8 if key.startswith('dl') else 10}}")
        print("".join(cells))
    print(
        "\nratio = median over the rounds of dlcore's time / PyTorch's time in the same round."
        "\nGF/s: matrix-product GFLOP/s of one forward + backward step;"
        "\nmatmul: a plain NumPy float32 product of the workload's main size, timed in the same rounds;"
        "\ndl/mm, torch/mm: each library's GFLOP/s as a fraction of it. MiB: growth of a fresh process's peak"
        "\nresident memory over one step."
    )
    if info:
        print(f"PyTorch {info['version']}, {info['threads']} thread(s), in a separate process.")
        for name in names:
            if name in goals and samples[name]["torch"]:
                ratio, low, high = paired_ratio(samples[name]["dlcore"], samples[name]["torch"])
                verdict = "meets" if ratio <= goals[name] else "MISSES"
                print(
                    f"{name}: dlcore is {ratio:.2f}x PyTorch [{low:.2f}-{high:.2f}]: "
                    f"{verdict} the goal of <= {goals[name]}x"
                )
    else:
        print("PyTorch not measured (set TORCH_PYTHON to a Python that has torch to compare).")


def run_main(
    doc: str,
    script: str,
    workloads: Callable[[], list[Workload]],
    torch_setup: str,
    params: dict,
    goals: dict[str, float],
    header: str,
    rounds: int = 30,
) -> None:
    """The command line every comparison script shares: parse the options, then compare and print the table.

    ``script`` is the calling file (rerun with ``--peak NAME`` in a fresh process for peak memory); ``header``
    describes the workloads above the table.
    """
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=rounds)
    parser.add_argument("--threads", type=int, default=1, help="threads for BLAS and PyTorch (0: library default)")
    parser.add_argument("--no-memory", action="store_true", help="skip the peak-memory processes")
    parser.add_argument("--peak", help=argparse.SUPPRESS)  # internal: print one workload's peak memory
    args = parser.parse_args()
    from threadpoolctl import threadpool_limits

    with threadpool_limits(args.threads or None, "blas"):
        work = workloads()
        if args.peak:
            report_peak(next(w.step for w in work if w.name == args.peak))
            return
        print(header)
        samples = compare(work, torch_setup, params, args.rounds, args.threads or None, script, not args.no_memory)
    print_table(samples, goals, args.rounds, args.threads)
