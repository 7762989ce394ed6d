"""Run a timing script under PyTorch in a separate process (shared by the benchmarks).

PyTorch is optional and never a dependency of the course. Set ``TORCH_PYTHON`` to an
interpreter that has torch (for example a separate virtualenv with ``pip install torch``);
without it, the interpreter running the benchmark is used if it can import torch. A separate
process keeps PyTorch's thread pool and memory allocator from disturbing NumPy's timings.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

TIMEOUT_S = 900


def torch_python() -> str | None:
    """The interpreter to time PyTorch with, or None when there is none."""
    if os.environ.get("TORCH_PYTHON"):
        return os.environ["TORCH_PYTHON"]
    return sys.executable if importlib.util.find_spec("torch") is not None else None


def run_torch(script: str, *args: str, threads: int | None = None) -> tuple[dict | None, str]:
    """Run ``python -c script args...`` under PyTorch; its last stdout line must be JSON.

    Returns (the parsed JSON, the interpreter) or (None, why it could not run).
    """
    python = torch_python()
    if python is None:
        return None, "no PyTorch (set TORCH_PYTHON to a Python that has torch)"
    env = dict(os.environ)
    if threads:
        env.update(OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
    try:
        done = subprocess.run(
            [python, "-c", script, *args], capture_output=True, text=True, timeout=TIMEOUT_S, env=env, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        return None, f"could not run {python}: {err}"
    if done.returncode != 0:
        last = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit code {done.returncode}"
        return None, f"{python}: {last}"
    return json.loads(done.stdout.strip().splitlines()[-1]), python


def measure_torch(script: str, *args: str, threads: int | None = None) -> dict | None:
    """``run_torch``, printing to stderr why PyTorch was not measured when it could not run."""
    result, where = run_torch(script, *args, threads=threads)
    if result is None:
        print(f"PyTorch not measured: {where}", file=sys.stderr)
    return result
