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
    if os.environ.get("BOOK_SITE"):  # reuse a site built earlier (developing these tests)
        return Path(os.environ["BOOK_SITE"])
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
    spoken = re.findall(r'<mjx-container[^>]*aria-label="([^"]+)"', dom)
    assert len(spoken) >= 20, "formulas need speech text (MathJax's accessibility extensions)"
    figures = re.findall(r'<img[^>]+src="(\.\./_images/[^"]+\.png|data:image/png;base64,[^"]+)"', dom)
    assert len(figures) >= 5, f"expected chapter 01's figures, found {len(figures)}"
    for src in figures:
        if not src.startswith("data:"):
            assert (site / "chapters" / src).resolve().is_file(), f"figure {src} is missing from the site"
    dropdowns = re.findall(r'<div[^>]*class="[^"]*\bwidget-dropdown\b', dom)
    assert len(dropdowns) >= 1, "the matrix widget should show its dropdown of named matrices"
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


# --- accessibility and widgets that move without a kernel -----------------------------------------
GENERIC_ALT = {"", "image", "img", "figure", "fig", "plot", "png", "chart", "graph", "picture", "output"}
FILE_NAME = re.compile(r"(^|/)[\w.-]+\.(png|jpe?g|svg|gif)$", re.IGNORECASE)
IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
ALT = re.compile(r'\balt="([^"]*)"', re.IGNORECASE)
WIDGET_STATE = re.compile(r'<script type="application/vnd.jupyter.widget-state\+json">(.*?)</script>', re.DOTALL)
PAGE_BUDGET, SITE_BUDGET = 4 * 2**20, 80 * 2**20
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]  # fmt: skip
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def content_pages(site: Path) -> list[Path]:
    return [p for p in sorted(site.rglob("*.html")) if p.parent.name in ("chapters", "exercises")]


def main_content(html: str) -> str:
    """The page's article (the theme's logo and icons are not figures of the course)."""
    start = html.find("<main")
    return html[start:] if start >= 0 else html


def bad_alt(tag: str) -> str | None:
    found = ALT.search(tag)
    if found is None:
        return "no alt attribute"
    alt = found.group(1).strip()
    if alt.lower().rstrip(".") in GENERIC_ALT:
        return f"generic alt text {alt!r}"
    if FILE_NAME.search(alt) or "_images/" in alt:
        return f"a file name as alt text: {alt!r}"
    return None


def widget_frames(html: str) -> list[str]:
    """The <img> tags inside saved widget state (the frames of dlcore.widgets.frames)."""
    tags = []
    for block in WIDGET_STATE.findall(html):
        for model in json.loads(block)["state"].values():
            value = model.get("state", {}).get("value")
            if isinstance(value, str):
                tags += IMG.findall(value)
    return tags


def test_bad_alt_text_is_recognised():
    assert bad_alt('<img src="x.png">') == "no alt attribute"
    assert "file name" in bad_alt('<img src="a.png" alt="../_images/8a99f.png">')
    assert "generic" in bad_alt('<img alt="Figure">')
    assert bad_alt('<img alt="Loss falls from 2.30 to 0.41 in 20 epochs">') is None


def test_every_figure_has_specific_alt_text(site):
    problems = []
    for page in content_pages(site):
        html = page.read_text(encoding="utf-8")
        for tag in IMG.findall(main_content(html)) + widget_frames(html):
            reason = bad_alt(tag)
            if reason:
                problems.append(f"{page.relative_to(site)}: {reason}")
    assert not problems, "figures without a specific alt text:\n" + "\n".join(problems[:40])


def test_pages_stay_within_their_size_budgets(site):
    total = sum(f.stat().st_size for f in site.rglob("*") if f.is_file())
    assert total <= SITE_BUDGET, f"the site is {total / 2**20:.1f} MB, budget {SITE_BUDGET / 2**20:.0f} MB"
    for page in content_pages(site):
        html = page.read_text(encoding="utf-8")
        images = {m for m in re.findall(r'src="(\.\./_images/[^"]+)"', html)}
        size = page.stat().st_size + sum((page.parent / m).resolve().stat().st_size for m in images)
        assert size <= PAGE_BUDGET, f"{page.relative_to(site)} weighs {size / 2**20:.1f} MB with its images"


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.fail("chromium is not installed (`make chromium` installs Debian's package)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def visible_frame(page) -> tuple[str, str]:
    """(src, alt) of the widget frame on show; Stack hides the frames it is not showing."""
    frame = page.locator(".dl-frames img[alt]:visible").first
    return frame.get_attribute("src"), frame.get_attribute("alt")


def move_first_control(page) -> None:
    """Choose another value in the widget's first dropdown with the keyboard, as a reader would."""
    select = page.locator(".widget-dropdown select").first
    select.focus()
    last = select.locator("option").count() - 1
    at_end = select.evaluate("s => s.selectedIndex") == last
    select.press("ArrowUp" if at_end else "ArrowDown")


def test_every_chapter_widget_moves_in_the_book_without_a_kernel(site, server, browser):
    pages = [p for p in content_pages(site) if "StackModel" in p.read_text(encoding="utf-8")]
    with_frames = {
        nb.stem
        for nb in (ROOT / "chapters").glob("*.ipynb")
        if "_frames(" in nb.read_text() or "frame_view(" in nb.read_text()
    }
    built = {p.stem for p in content_pages(site)}
    missing = (with_frames & built) - {p.stem for p in pages}
    assert pages and not missing, f"chapters whose frame widget was not saved in the book: {missing}"
    for path in pages:
        rel = path.relative_to(site).as_posix()
        page = browser.new_page()
        foreign = []
        page.on("request", lambda r, foreign=foreign: urlparse(r.url).hostname in LOCAL_HOSTS or foreign.append(r.url))
        page.goto(f"{server}/{rel}", wait_until="load")
        page.locator(".dl-frames img[alt]").first.wait_for(state="visible", timeout=30_000)
        before = visible_frame(page)
        move_first_control(page)
        page.wait_for_function(
            "src => { const i = [...document.querySelectorAll('.dl-frames img[alt]')]"
            ".find(e => e.offsetParent !== null); return i && i.src !== src; }",
            arg=before[0],
            timeout=10_000,
        )
        after = visible_frame(page)
        assert after[0] != before[0] and after[1] != before[1], f"{rel}: the picture did not change"
        assert not foreign, f"{rel} requested other hosts: {foreign}"
        page.close()


@pytest.mark.parametrize("chapter", ["01_linear_algebra", "03_probability", "06_activations_shallow_networks"])
def test_accessibility_audit_finds_no_serious_violations(site, server, browser, chapter):
    assert AXE.is_file(), "axe-core is missing: run `npm ci`"
    page = browser.new_page()
    page.goto(f"{server}/chapters/{chapter}.html", wait_until="load")
    page.wait_for_function("() => document.querySelectorAll('mjx-container').length > 0", timeout=30_000)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})"
    )
    page.close()
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} - {len(v['nodes'])} nodes, e.g. {v['nodes'][0]['html'][:160]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, f"{chapter}: " + "\n".join(serious)
