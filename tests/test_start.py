"""The README's start command brings up JupyterLab serving the course on localhost."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, bytes, str]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read(), response.geturl()


def test_start_command_serves_jupyterlab_opened_on_chapters(tmp_path):
    port, token = _free_port(), "course-test-token"
    flags = f"--no-browser --port={port} --ServerApp.ip=127.0.0.1 --IdentityProvider.token={token}"
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp_path / "c"), JUPYTER_RUNTIME_DIR=str(tmp_path / "r"))
    # `make start` is `setup` then `lab`; the test environment is already set up, so run `lab` with this venv.
    venv = Path(sys.executable).parent.parent
    proc = subprocess.Popen(
        ["make", "--no-print-directory", "lab", f"VENV={venv}", f"LAB_FLAGS={flags}"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        deadline, last_error = time.time() + 90, None
        while time.time() < deadline:
            try:
                status, body, final_url = _get(f"http://127.0.0.1:{port}/?token={token}")
                break
            except OSError as error:
                last_error = error
                time.sleep(0.5)
        else:
            raise AssertionError(f"JupyterLab did not answer on localhost:{port}: {last_error}")
        assert status == 200 and b"JupyterLab" in body
        assert final_url.split("?")[0].endswith("/lab/tree/chapters"), final_url
        _, listing, _ = _get(f"http://127.0.0.1:{port}/api/contents/chapters?token={token}")
        names = {item["name"] for item in json.loads(listing)["content"]}
        assert "01_linear_algebra.ipynb" in names
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)
