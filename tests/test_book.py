"""The static book builds offline with warnings as errors, and renders in headless Chromium.

The build executes every chapter (jupyter-book 1, Sphinx). The browser check serves the
site on 127.0.0.1, blocks name resolution for every other host, records Chromium's network
log, and reads the DOM after scripts ran: MathJax must have typeset the math, chapter 01's
figures and widget must be on the page, and no page may load anything from another host.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.book

ROOT = Path(__file__).resolve().parents[1]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
URL_ATTR = re.compile(r'\b(?:src|href|srcset|action|poster|data)\s*=\s*"(https?:)?//([^/"\s:]+)', re.IGNORECASE)
CSS_URL = re.compile(r"url\(\s*['\"]?(?:https?:)?//([^/'\")\s:]+)", re.IGNORECASE)


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    vendor = ROOT / "book" / "_vendor"
    for asset in ("mathjax/es5/tex-mml-chtml.js", "requirejs/require.js", "html-manager/embed-amd.js"):
        assert (vendor / asset).is_file(), f"missing {vendor / asset}: run `make vendor` before building the book"
    out = tmp_path_factory.mktemp("book")
    jb = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(jb), "build", str(ROOT), "--path-output", str(out), "--warningiserror", "--nitpick", "--keep-going"]
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}  # kernels must draw inline figures
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=1800, env=env)
    assert result.returncode == 0, f"book build failed:\n{result.stdout[-6000:]}\n{result.stderr[-6000:]}"
    return out / "_build" / "html"


@pytest.fixture(scope="session")
def server(site):
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def render(url: str, tmp_path: Path) -> tuple[str, list[str]]:
    """The DOM after scripts ran, and every URL the page itself asked for."""
    if CHROMIUM is None:
        pytest.fail("chromium is not installed (`make chromium` installs Debian's package)")
    netlog = tmp_path / "netlog.json"
    cmd = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
        f"--user-data-dir={tmp_path / 'profile'}", f"--log-net-log={netlog}",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        "--virtual-time-budget=20000", "--dump-dom", url,
    ]  # fmt: skip
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    origin = f"{urlparse(url).scheme}://{urlparse(url).netloc}"
    events = json.loads(netlog.read_text())["events"]
    requested = [
        e["params"]["url"]
        for e in events
        if "url" in e.get("params", {}) and str(e["params"].get("initiator", "")).startswith(origin)
    ]
    return result.stdout, requested


def test_book_pages_reference_no_other_host(site):
    offenders = []
    for page in sorted(site.rglob("*.html")):
        for _, host in URL_ATTR.findall(page.read_text(encoding="utf-8")):
            if host not in LOCAL_HOSTS:
                offenders.append(f"{page.relative_to(site)}: {host}")
    for sheet in sorted(site.rglob("*.css")):
        offenders += [f"{sheet.relative_to(site)}: {h}" for h in CSS_URL.findall(sheet.read_text(errors="ignore"))]
    assert not offenders, "pages reference other hosts:\n" + "\n".join(offenders[:30])


def test_every_chapter_in_the_toc_is_built(site):
    toc = (ROOT / "_toc.yml").read_text()
    for name in re.findall(r"file:\s*(\S+)", toc):
        assert (site / f"{name}.html").is_file(), f"{name} is in _toc.yml but was not built"


def test_chapter_01_renders_math_figures_and_widget(site, server, tmp_path):
    dom, requested = render(f"{server}/chapters/01_linear_algebra.html", tmp_path)
    assert dom.count("<mjx-container") >= 20, "MathJax did not typeset the chapter's math"
    figures = re.findall(r'<img[^>]+src="(\.\./_images/[^"]+\.png)"', dom)
    assert len(figures) >= 5, f"expected chapter 01's figures, found {len(figures)}"
    for src in figures:
        assert (site / "chapters" / src).resolve().is_file(), f"figure {src} is missing from the site"
    sliders = re.findall(r'<div[^>]*class="[^"]*\bwidget-hslider\b', dom)
    assert len(sliders) >= 4, f"the matrix widget should show four sliders (a, b, c, d), found {len(sliders)}"
    foreign = [u for u in requested if urlparse(u).hostname not in LOCAL_HOSTS]
    assert not foreign, f"the page requested other hosts: {foreign}"


def test_every_page_loads_only_local_resources_and_typesets_math(site, server, tmp_path):
    pages = [p for p in sorted(site.rglob("*.html")) if p.parent.name in ("chapters", "book", "exercises")]
    assert pages, "no chapter pages were built"
    for i, page in enumerate(pages):
        rel = page.relative_to(site).as_posix()
        dom, requested = render(f"{server}/{rel}", tmp_path / str(i))
        foreign = [u for u in requested if urlparse(u).hostname not in LOCAL_HOSTS]
        assert not foreign, f"{rel} requested other hosts: {foreign}"
        source = page.read_text(encoding="utf-8")
        if "\\(" in source or "\\[" in source:
            assert "<mjx-container" in dom, f"{rel} has math that MathJax did not typeset"
        if "application/vnd.jupyter.widget-view+json" in source:
            assert re.search(r'class="[^"]*\blm-Widget\b', dom), f"{rel} has a saved widget that did not render"
