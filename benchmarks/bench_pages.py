"""How long until each dashboard page is drawn, in a real browser? (a measurement, not a test)

    python benchmarks/bench_pages.py                  # every page, 3 new sessions each
    python benchmarks/bench_pages.py --sessions 5 --pages explorer sources
    python benchmarks/bench_pages.py --width 390 --height 844   # a phone

A fresh ``streamlit run app.py`` server (headless, 127.0.0.1, as the browser tests start it) and
Debian's Chromium through Playwright. For each page of :data:`sim.dashboard.pages.PAGES`, in that
order, a new browser context (a new visitor: a new Streamlit session) opens ``/<page>?lang=fr``;
the time is taken from the start of the navigation to the **last change of the page's main
area** once the script has stopped running and nothing has changed for
:data:`QUIET_MS` — what the reader waits for, charts drawn included.

* ``first`` — the first visitor of that page since the server started: imports of the page's
  modules, the first model runs of the server, every cache empty;
* ``new`` — the median (min–max) over ``--sessions`` later new visitors (a new browser, so its
  HTTP cache is empty: Streamlit's and Plotly's scripts are fetched and compiled again) on a warm
  server, where what is cached per server (``st.cache_data``, ``st.cache_resource``, the run
  store) is reused;
* ``back`` — the median over ``--sessions`` returning visitors: a new tab (a new Streamlit
  session) of a browser that has opened the app before, its scripts in its HTTP cache;
* ``menu`` — the median over ``--sessions`` page changes from the side menu within one session
  (from the home page), the most common way a page is opened.

The first page visited also pays for the server's own start (its first session); the home page
is visited first for that reason. Times depend on what else the machine runs: the load average
is printed. Target (issue 14): the first render of a page ≤ 1.5 s.

``--trace`` adds, for the new visitors of each page, what the time between the title and the
first figure is made of, from the browser (median over the visits, seconds from the navigation):
when the WebSocket opens and its first and last messages come, the longest pause between two
messages once the title is there (the first view's pause, :data:`sim.dashboard.firstview.PAUSE_S`,
when the page has one), when the script-state flag says the script started and stopped, when each
of Streamlit's element scripts (``static/js/<Element>.*.js``, fetched the first time a page shows
such an element) was requested and received, when the title, the first number, the first figure,
the « loading » sentence and the first Plotly chart were drawn, and how long the browser's main
thread was busy in long tasks (over 50 ms: scripts compiled and run, React's renders) before and
after the first figure.
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.dashboard.pages import PAGES  # noqa: E402
from sim.i18n import t  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
QUIET_MS = 1500  # no change in the main area for this long, the script idle: the page is drawn
TIMEOUT_S = 120.0

#: records, from the start of the navigation, when the main area last changed
WATCH = """
window.__lastChange = 0;
window.__marks = {};
new MutationObserver(() => {
  const now = performance.now();
  window.__lastChange = now;
  const m = window.__marks;
  // app: Streamlit's scripts loaded and its frame drawn; title: the page's first words (the
  // script's first element); content: its first figure (a number, a table or a chart) on screen
  if (m.app === undefined && document.querySelector('[data-testid="stApp"]')) m.app = now;
  if (m.title === undefined && document.querySelector('[data-testid="stMain"] h1')) m.title = now;
  if (m.content === undefined && document.querySelector(
      '[data-testid="stMain"] [data-testid="stMetric"], ' +
      '[data-testid="stMain"] [data-testid="stDataFrame"], ' +
      '[data-testid="stMain"] .js-plotly-plot .main-svg'))
    m.content = now;
  // number: the page's first number, in its sentence under the title (firstview.words) or a figure
  if (m.number === undefined && (m.content !== undefined ||
      document.querySelector('[data-testid="stMain"] .st-key-firstview-words [data-testid="stMarkdown"]')))
    m.number = now;
}).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
"""
#: with ``--trace``: every WebSocket message's arrival (ms, bytes) and the script-state changes
TRACE = """
performance.setResourceTimingBufferSize(2000);
window.__ws = [];
window.__state = [];
window.__lt = [];  // the main thread's long tasks (> 50 ms): start, duration
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__lt.push([e.startTime, e.duration]);
}).observe({type: 'longtask', buffered: true});
const NativeWS = window.WebSocket;
const TracedWS = function (...args) {
  const ws = new NativeWS(...args);
  window.__wsOpen = window.__wsOpen ?? performance.now();
  ws.addEventListener('message', (e) => {
    const d = e.data;
    window.__ws.push([performance.now(), d.size ?? d.byteLength ?? d.length ?? 0]);
  });
  return ws;
};
TracedWS.prototype = NativeWS.prototype;
Object.assign(TracedWS, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
window.WebSocket = TracedWS;
new MutationObserver(() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const m = window.__marks;
  const st = app && app.getAttribute('data-test-script-state');
  const last = window.__state.length ? window.__state[window.__state.length - 1][1] : null;
  if (st && st !== last) window.__state.push([performance.now(), st]);
  if (m.loading === undefined && document.body.textContent.includes(LOADING)) m.loading = performance.now();
  if (m.chart === undefined && document.querySelector('[data-testid="stMain"] .js-plotly-plot .main-svg'))
    m.chart = performance.now();
}).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
"""
#: what the browser records of one traced visit (see :func:`traced`)
TRACES: list[dict[str, Any]] = []
#: the marks of the last visit (seconds from the start of the navigation), for the breakdown
MARKS: dict[str, list[float]] = {}

SETTLED = """
([quiet]) => {
  const app = document.querySelector('[data-testid="stApp"]');
  const main = document.querySelector('[data-testid="stMain"] h1');
  if (!app || !main) return null;
  if (app.getAttribute('data-test-script-state') === 'running') return null;
  if (document.querySelector('[data-testid="stSkeleton"]')) return null;
  const now = performance.now();
  return now - window.__lastChange >= quiet ? window.__lastChange : null;
}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(log: Path, root: Path = ROOT) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(root / "app.py"),
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
    ]
    out = log.open("wb")
    proc = subprocess.Popen(cmd, cwd=root, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc, url
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"the server did not start:\n{log.read_text()[-2000:]}")


def traced(page: Any) -> dict[str, Any]:
    """The browser's record of a visit (seconds from the navigation): marks, WebSocket messages,
    script-state changes and Streamlit's element scripts (name, requested, received)."""
    got = page.evaluate(
        """() => ({
          marks: window.__marks, ws: window.__ws, wsOpen: window.__wsOpen, state: window.__state,
          lt: window.__lt,
          js: performance.getEntriesByType('resource')
                .filter((e) => e.name.includes('/static/js/'))
                .map((e) => [e.name.split('/').pop(), e.startTime, e.responseEnd, e.transferSize]),
        })"""
    )
    s = 1000.0
    return {
        "marks": {k: v / s for k, v in got["marks"].items()},
        "ws": [(a / s, int(b)) for a, b in got["ws"]],
        "ws_open": (got["wsOpen"] or float("nan")) / s,
        "state": [(a / s, b) for a, b in got["state"]],
        "js": [(n.split(".")[0], a / s, b / s, int(z)) for n, a, b, z in got["js"]],
        "long": [(a / s, d / s) for a, d in got["lt"]],
    }


def visit(browser: Any, url: str, width: int, height: int, trace: bool = False) -> float:
    """Seconds from the start of the navigation to the page drawn (see the module docstring)."""
    context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": height})
    page = context.new_page()
    page.add_init_script(WATCH)
    if trace:
        page.add_init_script(TRACE.replace("LOADING", repr(t("firstview.loading", "fr"))))
    try:
        page.goto(url, wait_until="commit")
        deadline = time.monotonic() + TIMEOUT_S
        while time.monotonic() < deadline:
            done = page.evaluate(SETTLED, [QUIET_MS])
            if done is not None:
                marks = page.evaluate("window.__marks")
                for k in ("app", "title", "content", "number"):
                    MARKS.setdefault(k, []).append(float(marks.get(k, float("nan"))) / 1000.0)
                if trace:
                    TRACES.append({**traced(page), "drawn": float(done) / 1000.0})
                return float(done) / 1000.0
            time.sleep(0.1)
        raise RuntimeError(f"{url} was not drawn within {TIMEOUT_S:.0f} s")
    finally:
        context.close()


def _med(xs: list[float]) -> float:
    xs = [x for x in xs if x == x]
    return statistics.median(xs) if xs else float("nan")


def breakdown(traces: list[dict[str, Any]]) -> dict[str, float]:
    """The medians over ``traces`` of what :func:`traced` records (seconds from the navigation)."""
    rows: dict[str, list[float]] = {}

    def put(k: str, v: float) -> None:
        rows.setdefault(k, []).append(v)

    for tr in traces:
        m = tr["marks"]
        ws = sorted(tr["ws"])
        put("ws open", tr["ws_open"])
        put("ws first msg", ws[0][0] if ws else float("nan"))
        put("title", m.get("title", float("nan")))
        put("first number (sentence or figure)", m.get("number", float("nan")))
        put("first figure", m.get("content", float("nan")))
        put("loading sentence", m.get("loading", float("nan")))
        put("first chart", m.get("chart", float("nan")))
        put("ws last msg", ws[-1][0] if ws else float("nan"))
        after = [a for a, _ in ws if a >= m.get("title", 0.0)]
        gaps = [(b - a, a, b) for a, b in zip(after, after[1:], strict=False)]
        g = max(gaps) if gaps else (float("nan"),) * 3
        put("longest ws pause", g[0])
        put("  pause from", g[1])
        put("  pause to", g[2])
        put("ws bytes before figure", sum(z for a, z in ws if a <= m.get("content", 0.0)))
        running = [a for a, st in tr["state"] if st == "running"]
        stopped = [a for a, st in tr["state"] if st == "notRunning" and running and a > running[0]]
        put("script running (flag)", running[0] if running else float("nan"))
        put("script stopped (flag)", stopped[-1] if stopped else float("nan"))
        js = tr["js"]
        title = m.get("title", float("nan"))
        fig = m.get("content", float("nan"))
        put("element scripts fetched title→figure", sum(1 for _, a, _b, _z in js if title <= a <= fig))
        late = [b for _, a, b, _z in js if title <= a <= fig]
        put("  last of them received", max(late) if late else float("nan"))
        for name in ("Metric", "DataFrame", "PlotlyChart", "StreamlitMarkdown"):
            got = [(a, b) for n, a, b, _z in js if n == name]
            if got:
                put(f"{name}.js requested", got[0][0])
                put(f"{name}.js received", got[0][1])
        number = m.get("number", fig)
        put("long tasks title→first number, s", sum(d for a, d in tr["long"] if title <= a < number))
        put("long tasks title→first figure, s", sum(d for a, d in tr["long"] if title <= a < fig))
        put("long tasks after the first figure, s", sum(d for a, d in tr["long"] if a >= fig))
        put("all drawn", tr["drawn"])
    return {k: _med(v) for k, v in rows.items()}


def _settle(page: Any, since_ms: float) -> float:
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        done = page.evaluate(SETTLED, [QUIET_MS])
        if done is not None and done > since_ms:
            return (float(done) - since_ms) / 1000.0
        time.sleep(0.1)
    raise RuntimeError(f"{page.url} was not drawn within {TIMEOUT_S:.0f} s")


def visit_back(context: Any, url: str) -> float:
    """Like :func:`visit`, in a new tab of a browser that has the app's scripts in its cache."""
    page = context.new_page()
    page.add_init_script(WATCH)
    try:
        page.goto(url, wait_until="commit")
        drawn = _settle(page, 0.0)
        marks = page.evaluate("window.__marks")
        for k in ("content", "number"):
            MARKS.setdefault(k, []).append(float(marks.get(k, float("nan"))) / 1000.0)
        return drawn
    finally:
        page.close()


def from_menu(context: Any, base: str, title: str) -> float:
    """Seconds from a click on the page's entry in the side menu (from the home page) to drawn."""
    page = context.new_page()
    page.add_init_script(WATCH)
    try:
        page.goto(f"{base}/?lang=fr", wait_until="commit")
        _settle(page, 0.0)
        link = page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True)
        start = page.evaluate("performance.now()")
        link.click()
        return _settle(page, float(start))
    finally:
        page.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=3, help="later visitors per page (default 3)")
    parser.add_argument("--pages", nargs="*", help="URL paths to visit (default: every page)")
    parser.add_argument("--width", type=int, default=1366)
    parser.add_argument("--height", type=int, default=768)
    parser.add_argument("--root", default=str(ROOT), help="the checkout whose app.py is served")
    parser.add_argument(
        "--trace", action="store_true", help="print what a new visitor's first figure waits for"
    )
    parser.add_argument(
        "--against",
        help="another checkout (say, the commit before a change), served beside --root: every "
        "visit is made to both in turn, so a change in the machine's load touches both alike",
    )
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    pages = [p for p in PAGES if not args.pages or p.url_path in args.pages or p.url_path == "accueil"]
    roots = [Path(args.against), Path(args.root)] if args.against else [Path(args.root)]
    rows: dict[tuple[str, Path], list[Any]] = {}
    first_marks: dict[tuple[str, Path], dict[str, float]] = {}
    new_figure: dict[tuple[str, Path], list[float]] = {}  # a new visitor's first figure, warm server
    back_figure: dict[tuple[str, Path], list[float]] = {}  # a returning visitor's first figure
    new_number: dict[tuple[str, Path], list[float]] = {}  # ... first number (sentence or figure)
    back_number: dict[tuple[str, Path], list[float]] = {}
    traces: dict[tuple[str, Path], list[dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        servers = [start_server(Path(tmp) / f"server{i}.log", r) for i, r in enumerate(roots)]
        load_before = os.getloadavg()
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        size = {"width": args.width, "height": args.height}
        returning = [browser.new_context(locale="fr-FR", viewport=size) for _ in roots]
        try:
            for p in pages:
                path = "" if p.url_path == "accueil" else p.url_path
                got = {r: [0.0, [], [], []] for r in roots}
                for (_, url), root in zip(servers, roots, strict=True):
                    MARKS.clear()
                    got[root][0] = visit(browser, f"{url}/{path}?lang=fr", args.width, args.height)
                    first_marks[(p.url_path, root)] = {k: v[-1] for k, v in MARKS.items()}
                for _ in range(args.sessions):
                    for i, ((_, url), root) in enumerate(zip(servers, roots, strict=True)):
                        target = f"{url}/{path}?lang=fr"
                        TRACES.clear()
                        got[root][1].append(visit(browser, target, args.width, args.height, args.trace))
                        new_figure.setdefault((p.url_path, root), []).append(MARKS["content"][-1])
                        new_number.setdefault((p.url_path, root), []).append(MARKS["number"][-1])
                        traces.setdefault((p.url_path, root), []).extend(TRACES)
                        got[root][2].append(visit_back(returning[i], target))
                        back_figure.setdefault((p.url_path, root), []).append(MARKS["content"][-1])
                        back_number.setdefault((p.url_path, root), []).append(MARKS["number"][-1])
                        got[root][3].append(
                            from_menu(returning[i], url, t(p.title_key, "fr")) if path else float("nan")
                        )
                for root in roots:
                    first, new, back, menu = got[root]
                    rows[(p.url_path, root)] = got[root]
                    print(
                        f"  {p.url_path:<20} {root.name:<14} first {first:5.2f}  "
                        f"new {statistics.median(new):5.2f}  back {statistics.median(back):5.2f}  "
                        f"menu {statistics.median(menu):5.2f} s",
                        flush=True,
                    )
        finally:
            for ctx in returning:
                ctx.close()
            browser.close()
            for proc, _ in servers:
                proc.terminate()
                proc.wait(timeout=10)
    print()
    print(f"regie-sim pages in Chromium, {args.width}×{args.height}, {args.sessions} sessions per case")
    print("served from " + " and ".join(str(r) for r in roots))
    print(f"{platform.python_implementation()} {platform.python_version()}, load {load_before[0]:.2f}")
    print(
        f"{'page':<20} {'served from':<14} {'first s':>8} {'new s':>7} {'back s':>7} {'menu s':>7}"
        "  (medians; target ≤ 1.5 s)"
    )
    for (name, root), (first, new, back, menu) in rows.items():
        print(
            f"{name:<20} {root.name:<14} {first:>8.2f} {statistics.median(new):>7.2f} "
            f"{statistics.median(back):>7.2f} {statistics.median(menu):>7.2f}"
        )
    print()
    print("first visitor, seconds from the navigation: Streamlit's frame drawn (its scripts loaded),")
    print("the page's title (the script's first element), its first number (in the sentence under the")
    print("title, or a figure), its first figure (a metric, a table or a chart), all drawn")
    cols = f"{'frame':>6} {'title':>6} {'number':>7} {'figure':>7} {'drawn':>6}"
    print(f"{'page':<20} {'served from':<14} {cols}")
    for (name, root), m in first_marks.items():
        print(
            f"{name:<20} {root.name:<14} {m['app']:>6.2f} {m['title']:>6.2f} {m['number']:>7.2f} "
            f"{m['content']:>7.2f} {rows[(name, root)][0]:>6.2f}"
        )
    print()
    print("a new visitor on a warm server: seconds until the page's first number or chart (median, min–max)")
    for (name, root), v in new_figure.items():
        print(f"{name:<20} {root.name:<14} {statistics.median(v):>6.2f} ({min(v):.2f}–{max(v):.2f})")
    print("a returning visitor: seconds until the page's first number or chart (median, min–max)")
    for (name, root), v in back_figure.items():
        print(f"{name:<20} {root.name:<14} {statistics.median(v):>6.2f} ({min(v):.2f}–{max(v):.2f})")
    print("seconds until the page's first number, in its sentence under the title or a figure (median,")
    print("min–max): a new visitor, then a returning one")
    for (name, root), v in new_number.items():
        b = back_number[(name, root)]
        print(
            f"{name:<20} {root.name:<14} {statistics.median(v):>6.2f} ({min(v):.2f}–{max(v):.2f})"
            f"   {statistics.median(b):>6.2f} ({min(b):.2f}–{max(b):.2f})"
        )
    if args.trace:
        for (name, root), trs in traces.items():
            print()
            print(f"{name} ({root.name}), a new visitor, medians of {len(trs)} visits, s from the navigation")
            for k, v in breakdown(trs).items():
                print(f"  {k:<40} {v:7.2f}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
