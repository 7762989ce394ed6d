"""The deployment documents in deploy/ hold together: Helm values, image, sizing, README, links."""

from __future__ import annotations

import json
import re
import shlex
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
sys.path.insert(0, str(DEPLOY))

import measure_chapters  # noqa: E402
import nbgitpuller_link  # noqa: E402

VALUES = yaml.safe_load((DEPLOY / "helm" / "config.yaml").read_text())
README = (DEPLOY / "README.md").read_text()
SIZING = json.loads((DEPLOY / "sizing.json").read_text())
HELM_TOP = ("hub", "proxy", "singleuser", "cull", "scheduling", "prePuller")


def _lookup(tree, dotted: str):
    node = tree
    for key in dotted.split("."):
        assert isinstance(node, dict) and key in node, f"`{dotted}` is in deploy/README.md but not in the Helm values"
        node = node[key]
    return node


def _mib(quantity: str) -> float:
    """A KubeSpawner byte quantity ('768M', '1G': binary units, as JupyterHub reads them) in MiB."""
    number, unit = re.fullmatch(r"([\d.]+)([KMGT])", str(quantity)).groups()
    return float(number) * {"K": 2**-10, "M": 1, "G": 2**10, "T": 2**20}[unit]


def test_every_helm_key_the_readme_discusses_is_in_the_values():
    top = "|".join(HELM_TOP)
    keys = sorted(set(re.findall(rf"`((?:{top})(?:\.[A-Za-z_]+)+)`", README)))
    assert len(keys) >= 10, keys  # the README does discuss the values
    for key in keys:
        _lookup(VALUES, key)


def test_memory_values_follow_from_the_measured_sizing():
    rule = measure_chapters.per_user(SIZING["chapters"], SIZING["server_mib"])
    assert rule == SIZING["per_user"]
    assert _mib(_lookup(VALUES, "singleuser.memory.limit")) == rule["limit_mib"]
    assert _mib(_lookup(VALUES, "singleuser.memory.guarantee")) == rule["guarantee_mib"]
    largest = max(r["peak_mib"] for r in SIZING["chapters"].values())
    assert rule["limit_mib"] >= SIZING["server_mib"] + 2 * largest
    load = json.loads((DEPLOY / "loadtest.json").read_text())  # a whole learner (server and kernel) on the hub
    assert load["learner_peak_mib"]["max"] <= rule["guarantee_mib"]


def test_every_chapter_runs_within_a_minute_of_cpu_at_the_cpu_limit_and_culling_is_on():
    cpu_limit = float(_lookup(VALUES, "singleuser.cpu.limit"))
    slowest = max(SIZING["chapters"].items(), key=lambda kv: kv[1]["cpu_s"])
    assert slowest[1]["cpu_s"] / cpu_limit < 60, slowest
    assert 0 < float(_lookup(VALUES, "singleuser.cpu.guarantee")) <= cpu_limit
    assert _lookup(VALUES, "cull.enabled") is True and _lookup(VALUES, "cull.timeout") >= 600


def test_the_readme_sizing_table_is_the_measured_one():
    for name, r in SIZING["chapters"].items():
        row = f"| `{name}` | {r['cells']} | {r['peak_mib']} | {r['cpu_s']} | {r['wall_s']} |"
        assert row in README, f"deploy/README.md lacks the measured row: {row}"
    assert f"{SIZING['server_mib']} MiB" in README
    load = json.loads((DEPLOY / "loadtest.json").read_text())
    assert f"{load['succeeded']} of {load['learners']}" in README
    assert f"median {load['spawn_s']['median']} s" in README


def _dockerfile() -> list[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", (DEPLOY / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def test_the_image_is_built_from_the_course_lock_and_runs_the_learner_server_unprivileged():
    instructions = _dockerfile()
    known = {"FROM", "RUN", "COPY", "ENV", "USER", "WORKDIR", "EXPOSE", "ENTRYPOINT", "CMD", "ARG", "LABEL"}
    assert {op for op, _ in instructions} <= known
    assert instructions[0][0] == "FROM"
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text().splitlines()
    for op, args in instructions:
        if op == "COPY":
            *sources, _ = shlex.split(args)
            for source in sources:
                assert (ROOT / source).exists(), f"COPY {source}: not in the repository"
                assert f"!{source}" in ignore or f"!{source}/**" in ignore, f"{source} is not in the build context"
    installs = [args for op, args in instructions if op == "RUN" and "pip install" in args]
    assert any(re.search(r"-r \S*requirements\.txt -c \S*constraints\.txt", args) for args in installs)
    users = [args for op, args in instructions if op == "USER"]
    assert users and users[-1] not in {"root", "0"}
    assert json.loads(dict(instructions)["CMD"]) == ["jupyterhub-singleuser"]


def test_requirements_pin_the_hub_side_packages_exactly():
    def pinned(path):  # {normalised name: version}; the lock writes names in lower case
        found = re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)$", (ROOT / path).read_text(), re.M)
        return {name.lower().replace("_", "-"): version for name, version in found}

    pins, constraints = pinned("requirements.txt"), pinned("constraints.txt")
    for name in ("jupyterhub", "nbgitpuller", "psutil", "pyyaml"):
        assert name in pins and constraints.get(name) == pins[name], name
    assert pins["jupyterhub"].startswith("5."), "the chart's hub (4.x) runs JupyterHub 5: keep the same major"
    package = json.loads((ROOT / "package.json").read_text())
    assert re.fullmatch(r"\d+\.\d+\.\d+", package["dependencies"]["configurable-http-proxy"])


def test_the_local_hub_listens_on_localhost_only_and_opens_jupyterlab(monkeypatch, tmp_path):
    from traitlets.config import Config

    config = Config()
    monkeypatch.setenv("DLHUB_STATE_DIR", str(tmp_path))
    exec(compile((DEPLOY / "jupyterhub_config.py").read_text(), "jupyterhub_config.py", "exec"),
         {"get_config": lambda: config, "__file__": str(DEPLOY / "jupyterhub_config.py")})  # fmt: skip
    assert config.JupyterHub.ip == config.JupyterHub.hub_ip == "127.0.0.1"
    assert urlsplit(config.ConfigurableHTTPProxy.api_url).hostname == "127.0.0.1"
    assert config.JupyterHub.spawner_class == "localprocess" and config.Spawner.default_url == "/lab"
    assert config.JupyterHub.authenticator_class == "shared-password"
    assert len(config.SharedPasswordAuthenticator.user_password) >= 8


@pytest.mark.parametrize("open_path", [None, "chapters/00_introduction.ipynb"])
def test_the_nbgitpuller_link_sends_everyone_to_their_own_server_with_the_course_folder(open_path):
    link = nbgitpuller_link.link("https://hub.example.org/", "https://github.com/o/dl-course", open_path=open_path)
    parts = urlsplit(link)
    assert parts.path == "/hub/user-redirect/git-pull"
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query["repo"] == "https://github.com/o/dl-course" and query["targetpath"] == "dl-course"
    assert query.get("urlpath") == (f"lab/tree/dl-course/{open_path}" if open_path else None)


def test_the_readme_capacity_figures_follow_from_the_sizing():
    c = measure_chapters.capacity(SIZING)
    text = " ".join(README.split())
    for phrase in (
        f"holds {c['server_at_limit']} learners even if every one of them reaches the limit",
        f"and {c['server_at_guarantee']} at the guarantee",
        f"({c['median_cpu_s']} s of CPU at the median)",
        f"serve about {c['server_by_cpu']} learners",
        f"**about {c['server_plan']} concurrent learners**",
        f"so {c['node_at_guarantee']} learners fit by memory",
        f"the CPU estimate above gives {c['node_by_cpu']}",
        f"**about {c['node_plan']} learners per node**",
        f"about {c['nodes_for_300']} nodes at peak",
    ):
        assert phrase in text, f"deploy/README.md does not say: {phrase}"
