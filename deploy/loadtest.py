"""A small load test of the local hub: N simulated learners log in at once, spawn and run a chapter.

    sudo .venv/bin/python deploy/loadtest.py --learners 10            # writes deploy/loadtest.json

Everything stays on localhost and is bounded: at most 40 learners, one chapter each, and a deadline for the
whole run (--timeout, 600 s); learners still busy at the deadline count as failures. Each learner is a
temporary Unix user with a private home under a temporary folder: it logs in through the hub's REST API,
starts its server, runs every code cell of the chapter over the kernel WebSocket, and stops its server.
Memory is sampled every half second per learner (all of the learner's processes: server and kernel).
Users, homes, the hub and every server are removed at the end. Not part of `make test` (it is slow).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import pwd
import secrets
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
import localhub  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "deploy" / "loadtest.json"


def _sample_memory(uids: dict[int, str], peaks: dict[str, float], stop: threading.Event) -> None:
    while not stop.wait(0.5):
        now: dict[str, float] = {}
        for proc in psutil.process_iter(["uids", "memory_info"]):
            try:
                name = uids.get(proc.info["uids"].real)
                if name:
                    now[name] = now.get(name, 0.0) + proc.info["memory_info"].rss / 2**20
            except (psutil.Error, TypeError, AttributeError):
                continue
        for name, mib in now.items():
            peaks[name] = max(peaks.get(name, 0.0), mib)


async def _learner(user: localhub.HubUser, password: str, cells: list[str]) -> dict:
    started = time.monotonic()
    try:
        await user.login(password)
        await user.spawn(timeout=300)
        run_started = time.monotonic()
        results = await user.run_cells(cells, timeout_per_cell=300)
        bad = [r["error"] for r in results if r["status"] != "ok"]
        if bad or len(results) != len(cells):
            raise RuntimeError(f"a cell failed: {bad[:1]}")
        user.timings["chapter"] = time.monotonic() - run_started
        await user.stop()
        return {"ok": True, **user.timings, "total": time.monotonic() - started}
    except Exception as error:  # a failure is a result here, not a crash
        return {"ok": False, "error": f"{type(error).__name__}: {error}"[:300], **user.timings}


def _summary(values: list[float]) -> dict:
    if not values:
        return {}
    return {"min": round(min(values), 1), "median": round(statistics.median(values), 1), "max": round(max(values), 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--learners", type=int, default=10)
    parser.add_argument("--chapter", default=str(ROOT / "chapters" / "00_introduction.ipynb"))
    parser.add_argument("--timeout", type=float, default=600, help="deadline for the whole run, seconds")
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        parser.error("run as root: every simulated learner is a temporary Unix user")
    if not 1 <= args.learners <= 40:
        parser.error("--learners must be between 1 and 40")
    cells = localhub.notebook_cells(args.chapter)
    password = secrets.token_urlsafe(12)
    tag = secrets.token_hex(2)
    names = [f"load{tag}-{i:02d}" for i in range(args.learners)]
    homes = Path(tempfile.mkdtemp(prefix="dlhub-load-homes-"))
    homes.chmod(0o755)
    state = Path(tempfile.mkdtemp(prefix="dlhub-load-state-"))
    hub, stop, peaks = None, threading.Event(), {}
    try:
        uids = {}
        for name in names:
            localhub.create_user(name, homes)
            uids[pwd.getpwnam(name).pw_uid] = name
        hub = localhub.start_hub(state, names, password)
        sampler = threading.Thread(target=_sample_memory, args=(uids, peaks, stop), daemon=True)
        sampler.start()
        users = [localhub.HubUser(hub.url, name) for name in names]

        async def run_all():
            tasks = [asyncio.ensure_future(_learner(u, password, cells)) for u in users]
            done, pending = await asyncio.wait(tasks, timeout=args.timeout)
            for task in pending:
                task.cancel()
            return [t.result() if t in done else {"ok": False, "error": "deadline reached"} for t in tasks]

        started = time.monotonic()
        results = asyncio.run(run_all())
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        if hub is not None:
            hub.stop()
        for name in names:
            localhub.delete_user(name)
        shutil.rmtree(homes, ignore_errors=True)
        shutil.rmtree(state, ignore_errors=True)
    ok = [r for r in results if r["ok"]]
    report = {
        "learners": args.learners,
        "chapter": Path(args.chapter).name,
        "succeeded": len(ok),
        "failures": [r["error"] for r in results if not r["ok"]],
        "spawn_s": _summary([r["spawn"] for r in results if "spawn" in r]),
        "chapter_s": _summary([r["chapter"] for r in ok]),
        "login_s": _summary([r["login"] for r in results if "login" in r]),
        "learner_peak_mib": _summary(list(peaks.values())),
        "all_done_s": round(elapsed, 1),
        "machine": {
            "cpus": os.cpu_count(),
            "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
            "load_average_at_end": [round(x, 1) for x in os.getloadavg()],
        },  # fmt: skip
        "measured": time.strftime("%Y-%m-%d"),
    }
    OUT.write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(report, indent=1))
    return 0 if len(ok) == args.learners else 1


if __name__ == "__main__":
    sys.exit(main())
