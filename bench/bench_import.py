"""How long ``import dlcore`` takes in a fresh Python, against ``import numpy`` alone.

Each measurement starts a new interpreter; the two imports take turns, and the medians (with
the 25th-75th percentiles) over the runs are printed. The goal: ``import dlcore`` under 0.3 s,
without loading Matplotlib, SciPy or tqdm (those load when a plot, GELU's erf or ``fit`` needs them).

    python bench/bench_import.py [--runs 9]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

import numpy as np

GOAL_S = 0.3
CODE = """
import json, sys, time
start, cpu_start = time.perf_counter(), time.process_time()
import {module}
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
heavy = sorted(m for m in ("matplotlib", "scipy", "tqdm") if m in sys.modules)
print(json.dumps({{"seconds": seconds, "cpu": cpu, "heavy": heavy}}))
"""


def time_import(module: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", CODE.format(module=module)], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    times: dict[str, list[float]] = {"numpy": [], "dlcore": []}
    cpu: dict[str, list[float]] = {"numpy": [], "dlcore": []}
    heavy: list[str] = []
    for _ in range(args.runs):
        for module in times:
            result = time_import(module)
            times[module].append(result["seconds"])
            cpu[module].append(result["cpu"])
            if module == "dlcore":
                heavy = result["heavy"]
    print(f"fresh-interpreter import time, median [25th-75th percentile] of {args.runs} runs")
    for module, values in times.items():
        p25, p50, p75 = np.percentile(values, [25, 50, 75])
        print(
            f"import {module:<8}{p50:>7.3f} s [{p25:.3f}-{p75:.3f}], CPU time {np.median(cpu[module]):.3f} s "
            f"(on a busy machine the wall time exceeds the CPU time by the time spent waiting for a core)"
        )
    median = float(np.median(times["dlcore"]))
    verdict = "meets" if median < GOAL_S else "MISSES"
    print(f"modules loaded by import dlcore among matplotlib, scipy, tqdm: {heavy or 'none'}")
    print(f"import dlcore: {median:.3f} s: {verdict} the goal of < {GOAL_S} s")


if __name__ == "__main__":
    main()
