"""The set-up resolves on every supported Python, and any other Python gets a one-line error first.

`make setup` installs `requirements.txt` under the lock `constraints.txt` with pip. Here pip resolves exactly that
(`--dry-run --ignore-installed`, nothing is installed) once for each supported CPython found on the machine: the
pyenv versions, the system's `python3` (Debian 12's is 3.11.2, older than some releases accept) and this test's own
interpreter. The resolutions run in parallel; each waits mostly on the package index.
"""

from __future__ import annotations

import functools
import glob
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
MAKEFILE = (ROOT / "Makefile").read_text()
SUPPORTED = re.search(r"^PYTHONS_SUPPORTED := (.+)$", MAKEFILE, re.M).group(1).split()
_PROBE = "import sys; print(sys.implementation.name, '%d.%d.%d' % sys.version_info[:3], sys.executable)"


def _candidates() -> list[str]:
    pyenv = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    found = [sys.executable, getattr(sys, "_base_executable", sys.executable), "/usr/bin/python3"]
    found += sorted(glob.glob(f"{pyenv}/versions/*/bin/python3"))
    found += [shutil.which(f"python{v}") or "" for v in SUPPORTED]
    return [path for path in found if path and os.access(path, os.X_OK)]


@functools.cache
def interpreters() -> dict[str, str]:
    """Full version ("3.11.2") -> path, one CPython per version, for every supported minor version present."""
    chosen: dict[str, str] = {}
    for path in _candidates():
        try:
            out = subprocess.run([path, "-c", _PROBE], capture_output=True, text=True, timeout=30).stdout.split()
        except (OSError, subprocess.TimeoutExpired):
            continue
        if len(out) == 3 and out[0] == "cpython" and out[1].rsplit(".", 1)[0] in SUPPORTED:
            chosen.setdefault(out[1], path)
    return chosen


def _resolve(python: str, report: Path) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "pip", "--python", python, "install", "--dry-run", "--ignore-installed"]
    command += ["--quiet", "--report", str(report), "-r", "requirements.txt", "-c", "constraints.txt"]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module")
def resolutions(tmp_path_factory) -> dict[str, tuple[subprocess.CompletedProcess, Path]]:
    folder = tmp_path_factory.mktemp("reports")
    found = interpreters()
    with ThreadPoolExecutor(max_workers=len(found)) as pool:
        futures = {v: pool.submit(_resolve, path, folder / f"{v}.json") for v, path in found.items()}
        return {v: (future.result(), folder / f"{v}.json") for v, future in futures.items()}


def _lock() -> dict[str, list[Requirement]]:
    pins: dict[str, list[Requirement]] = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            requirement = Requirement(line)
            pins.setdefault(canonicalize_name(requirement.name), []).append(requirement)
    return pins


def test_the_supported_versions_are_the_same_in_the_makefile_readme_and_pyproject():
    assert SUPPORTED == sorted(SUPPORTED, key=lambda v: tuple(map(int, v.split(".")))) and len(SUPPORTED) >= 2
    assert f"Python {SUPPORTED[0]} to {SUPPORTED[-1]}" in (ROOT / "README.md").read_text()
    requires = re.search(r'^requires-python = "(.+)"$', (ROOT / "pyproject.toml").read_text(), re.M).group(1)
    assert all(f"{v}.0" in SpecifierSet(requires) for v in SUPPORTED), requires


@pytest.mark.parametrize("minor", ["3.9", "not-a-python"])
def test_an_unsupported_python_gets_one_line_naming_the_supported_versions(tmp_path, minor):
    fake = tmp_path / "python"
    fake.write_text(f"#!/bin/sh\necho {minor}\n" if minor[0].isdigit() else "#!/bin/sh\nexit 1\n")
    fake.chmod(0o755)
    venv = tmp_path / "venv"
    result = subprocess.run(
        ["make", "--no-print-directory", "setup", f"PYTHON={fake}", f"VENV={venv}"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode != 0 and not venv.exists(), "the check must stop make before the venv is made"
    ours = [line for line in result.stderr.splitlines() if not re.match(r"make(\[\d+\])?: \*\*\*", line)]
    assert len(ours) == 1, result.stderr
    assert f"Python {SUPPORTED[0]} to {SUPPORTED[-1]}" in ours[0] and str(fake) in ours[0]
    assert (f"is Python {minor}" if minor[0].isdigit() else "not a working Python") in ours[0]


def test_a_supported_python_passes_the_check():
    result = subprocess.run(
        ["make", "--no-print-directory", "check-python", f"PYTHON={sys.executable}"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0 and result.stderr == "", result.stderr


def test_this_test_sees_at_least_its_own_python():
    assert ".".join(map(str, sys.version_info[:3])) in interpreters()


@pytest.mark.resolve
@pytest.mark.parametrize("version", sorted(interpreters(), key=lambda v: tuple(map(int, v.split(".")))))
def test_the_lock_resolves_and_pins_everything(resolutions, version):
    result, report = resolutions[version]
    assert result.returncode == 0, f"pip could not resolve the set-up on Python {version}:\n{result.stderr[-3000:]}"
    data = json.loads(report.read_text())
    assert data["environment"]["python_full_version"] == version
    lock, environment = _lock(), data["environment"]
    installed = {canonicalize_name(item["metadata"]["name"]): item["metadata"]["version"] for item in data["install"]}
    assert {"numpy", "jupyterlab", "jupyter-book", "scikit-learn", "nbval"} <= installed.keys()
    for name, version_installed in installed.items():
        pins = [r for r in lock.get(name, []) if r.marker is None or r.marker.evaluate(environment)]
        assert len(pins) == 1, f"{name} is {'not locked' if not pins else 'locked twice'} for Python {version}"
        assert version_installed in pins[0].specifier, f"{name} {version_installed} vs lock {pins[0]}"


@pytest.mark.resolve
def test_the_editable_install_prints_nothing_alarming(tmp_path):
    """The Makefile's `pip install -e .` line, run into a fresh venv: quiet, with no setuptools notice."""
    line = re.search(r"^\t(\$\(BIN\)/python .*-e \.)$", MAKEFILE, re.M).group(1)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    # pip itself comes from this test's environment; it installs into the fresh venv it runs in.
    pip_home = Path(__import__("pip").__file__).parents[1]
    command = shlex.split(line.replace("$(BIN)", str(venv / "bin")))
    result = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=600, env=dict(os.environ, PYTHONPATH=str(pip_home))
    )  # fmt: skip
    noise = [line for line in result.stderr.splitlines() if "is ignored: it is neither" not in line]
    assert result.returncode == 0 and noise == [] and result.stdout == "", result.stderr
    assert list(venv.glob("lib/python*/site-packages/__editable__.dlcore*"))
