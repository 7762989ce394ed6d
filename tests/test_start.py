"""The README's start command brings up JupyterLab serving the course on localhost, opened on the start page."""

from __future__ import annotations

import json
import os
import re
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


def test_start_command_serves_jupyterlab_opened_on_the_start_page(tmp_path):
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
        assert final_url.split("?")[0].endswith("/lab/tree/chapters/START_HERE.md"), final_url
        _, listing, _ = _get(f"http://127.0.0.1:{port}/api/contents/chapters?token={token}")
        names = {item["name"] for item in json.loads(listing)["content"]}
        assert {"01_linear_algebra.ipynb", "START_HERE.md"} <= names

        def default(plugin: str, key: str):
            _, raw, _ = _get(f"http://127.0.0.1:{port}/lab/api/settings/{plugin}?token={token}")
            return json.loads(raw)["schema"]["properties"][key]["default"]

        # The course's overrides, as this JupyterLab serves them: no news prompt, no update check (offline),
        # Markdown opens rendered, and no date column beside the chapter names.
        assert default("@jupyterlab/apputils-extension:notification", "fetchNews") == "false"
        assert default("@jupyterlab/apputils-extension:notification", "checkForUpdates") is False
        assert default("@jupyterlab/docmanager-extension:plugin", "defaultViewers") == {"markdown": "Markdown Preview"}
        assert default("@jupyterlab/filebrowser-extension:browser", "showLastModifiedColumn") is False
        # The first layout comes from the venv's workspaces folder: file browser open on the left.
        _, raw, _ = _get(f"http://127.0.0.1:{port}/lab/api/workspaces/default?token={token}")
        layout = json.loads(raw)["data"]["layout-restorer:data"]
        assert layout["left"]["current"] == "filebrowser" and len(layout["relativeSizes"]) == 3
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)


def test_setup_installs_the_lab_settings_into_the_venv():
    share = Path(sys.prefix) / "share" / "jupyter" / "lab"
    installed = json.loads((share / "settings" / "overrides.json").read_text())
    assert installed == json.loads((ROOT / "lab_settings" / "overrides.json").read_text())
    assert (share / "workspaces" / "default-37a8.jupyterlab-workspace").is_file()
    seed = json.loads((ROOT / "lab_settings" / "default.jupyterlab-workspace").read_text())
    # JupyterLab's own first layout gives the file browser about a fifth of the window, which cuts
    # "06_activations_shallow_networks.ipynb" at 1280 pixels; the course's gives it more than a quarter.
    assert seed["metadata"]["id"] == "default" and seed["data"]["layout-restorer:data"]["relativeSizes"][0] > 0.25


def test_the_start_page_says_in_three_lines_how_the_course_works():
    text = (ROOT / "chapters" / "START_HERE.md").read_text()
    steps = [line for line in text.splitlines() if line[:1].isdigit()]
    assert [step[:3] for step in steps] == ["1. ", "2. ", "3. "], text
    assert "00_introduction.ipynb" in steps[0] and "make update" in text and "check(" in steps[2]
    for target in re.findall(r"\]\(([^)]+)\)", text):
        assert (ROOT / "chapters" / target).exists(), f"START_HERE.md links to a missing {target}"
