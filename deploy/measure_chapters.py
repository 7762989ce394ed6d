"""Measure what a learner's kernel needs: peak memory and CPU time of a kernel running each chapter.

    .venv/bin/python deploy/measure_chapters.py            # every chapter; writes deploy/sizing.json
    .venv/bin/python deploy/measure_chapters.py chapters/06_activations_shallow_networks.ipynb

Each chapter runs top to bottom in a fresh python3 kernel, cell by cell, with one BLAS thread (as on the
hub). Peak memory is the kernel's high-water resident set (VmHWM from /proc) plus the peak of any child
processes; CPU time is user + system of the kernel and its children. The results go to deploy/sizing.json
(deploy/README.md's table and the Helm values are checked against it by tests/test_deploy.py) and are
printed as a Markdown table. Linux only.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import threading
import time
from pathlib import Path

import psutil
from jupyter_client.manager import KernelManager

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "deploy" / "sizing.json"
ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _hwm_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc: Linux only")


def measure(notebook: Path, cell_timeout: float = 300) -> dict:
    cells = ["".join(c["source"]) for c in json.loads(notebook.read_text())["cells"] if c["cell_type"] == "code"]
    km = KernelManager(kernel_name="python3")
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}  # keep the kernel's inline backend
    km.start_kernel(cwd=str(notebook.parent), env={**env, **ONE_THREAD})
    client = km.client()
    client.start_channels()
    child_peak, stop = [0.0], threading.Event()
    try:
        client.wait_for_ready(timeout=120)
        kernel = psutil.Process(km.provisioner.process.pid)

        def watch_children():  # the kernel's own peak comes from VmHWM; children are sampled
            while not stop.wait(0.1):
                try:
                    rss = sum(c.memory_info().rss for c in kernel.children(recursive=True))
                except psutil.Error:
                    continue
                child_peak[0] = max(child_peak[0], rss / 2**20)

        watcher = threading.Thread(target=watch_children, daemon=True)
        watcher.start()
        started = time.monotonic()
        for i, code in enumerate(cells):
            reply = client.execute_interactive(code, timeout=cell_timeout, output_hook=lambda msg: None)
            if reply["content"]["status"] != "ok":
                raise RuntimeError(f"{notebook.name} cell {i} failed: {reply['content'].get('ename')}")
        wall = time.monotonic() - started
        times = kernel.cpu_times()
        cpu = times.user + times.system + times.children_user + times.children_system
        peak = _hwm_mib(kernel.pid) + child_peak[0]
    finally:
        stop.set()
        client.stop_channels()
        km.shutdown_kernel(now=True)
    return {"peak_mib": round(peak), "cpu_s": round(cpu, 1), "wall_s": round(wall, 1), "cells": len(cells)}


def measure_server() -> float:
    """Peak resident memory (MiB) of a learner's JupyterLab server that has served the Lab page."""
    import socket
    import subprocess
    import tempfile
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "JUPYTER_CONFIG_DIR": tmp, "JUPYTER_RUNTIME_DIR": tmp, "JUPYTER_DATA_DIR": tmp}
        cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
               "--IdentityProvider.token=sizing", f"--ServerApp.root_dir={ROOT}", "--allow-root"]  # fmt: skip
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    for path in ("lab", "api/contents/chapters", "api/kernelspecs", "lab/api/settings"):
                        urllib.request.urlopen(f"http://127.0.0.1:{port}/{path}?token=sizing", timeout=10).read()
                    break
                except OSError:
                    if time.monotonic() > deadline or proc.poll() is not None:
                        raise
                    time.sleep(0.5)
            return round(_hwm_mib(proc.pid))
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def per_user(chapters: dict, server_mib: float) -> dict:
    """The per-learner memory rule of deploy/README.md, in MiB, rounded up to 256 MiB.

    limit: the server plus two kernels at the largest chapter's peak (a chapter and an exercise open
    at once); guarantee: the server plus one kernel at the median chapter's peak.
    """
    peaks = sorted(r["peak_mib"] for r in chapters.values())
    median = peaks[len(peaks) // 2] if len(peaks) % 2 else (peaks[len(peaks) // 2 - 1] + peaks[len(peaks) // 2]) / 2

    def up(mib: float) -> int:
        return int(-(-mib // 256) * 256)

    return {"limit_mib": up(server_mib + 2 * peaks[-1]), "guarantee_mib": up(server_mib + median)}


def capacity(sizing: dict, reserve_gib: float = 2, reading_s: float = 600, busy: float = 0.7) -> dict:
    """Concurrent learners per machine, as deploy/README.md derives them from ``sizing``.

    A 2-core/24 GiB server keeps ``reserve_gib`` for the system and the hub; a 4-vCPU/16 GiB Kubernetes node
    has about 13 GiB allocatable. CPU: each learner runs a chapter of median CPU time once per ``reading_s``
    seconds, and the cores may be ``busy`` (70 %) on average.
    """
    per_user = sizing["per_user"]
    cpu = sorted(r["cpu_s"] for r in sizing["chapters"].values())
    mid = len(cpu) // 2
    median_cpu = round(cpu[mid] if len(cpu) % 2 else (cpu[mid - 1] + cpu[mid]) / 2, 1)
    server_mib = (24 - reserve_gib) * 1024
    node_mib = 13 * 1024
    out = {
        "median_cpu_s": median_cpu,
        "server_at_limit": int(server_mib // per_user["limit_mib"]),
        "server_at_guarantee": int(server_mib // per_user["guarantee_mib"]),
        "server_by_cpu": int(2 * busy * reading_s / median_cpu),
        "node_at_guarantee": int(node_mib // per_user["guarantee_mib"]),
        "node_by_cpu": int(4 * busy * reading_s / median_cpu),
    }
    out["server_plan"] = min(out["server_at_limit"], out["server_by_cpu"])
    out["node_plan"] = min(out["node_at_guarantee"], out["node_by_cpu"])
    out["nodes_for_300"] = -(-300 // out["node_plan"])
    return out


def table(results: dict) -> str:
    lines = [
        "| chapter | code cells | peak memory (MiB) | CPU time (s) | wall time (s) |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, r in results.items():
        lines.append(f"| `{name}` | {r['cells']} | {r['peak_mib']} | {r['cpu_s']} | {r['wall_s']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", help="default: every chapters/*.ipynb")
    parser.add_argument("--server-only", action="store_true", help="re-measure only the JupyterLab server")
    args = parser.parse_args(argv)
    notebooks = [] if args.server_only else [Path(p) for p in args.notebooks] or sorted(ROOT.glob("chapters/*.ipynb"))
    previous = json.loads(OUT.read_text()) if OUT.exists() else {}
    results = dict(previous.get("chapters", {}))
    for path in notebooks:
        results[path.name] = measure(path.resolve())
        print(f"{path.name}: {results[path.name]}", flush=True)
    results = dict(sorted(results.items()))
    server_mib = measure_server()
    print(f"JupyterLab server: {server_mib} MiB", flush=True)
    machine = {
        "cpus": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "load_average_at_end": [round(x, 1) for x in os.getloadavg()],
        "python": platform.python_version(),
        "measured": time.strftime("%Y-%m-%d"),
    }
    sizing = {"machine": machine, "server_mib": server_mib, "per_user": per_user(results, server_mib)}
    OUT.write_text(json.dumps({**sizing, "chapters": results}, indent=1) + "\n")
    print(table(results))
    print(f"per learner: {sizing['per_user']}")
    print(f"capacity: {capacity({**sizing, 'chapters': results})}")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
