"""The browser site (``make site``): how big it is, how soon a student sees the lab, what it costs idle.

The built site (``build/site``) is served by ``python -m http.server`` on 127.0.0.1 and opened in
Debian's Chromium (Playwright, a fresh profile: a cold cache) at the browser lab's notebook, whose
cells run in JupyterLite's Pyodide kernel with the two v86 guests of ``bondkit.lab.browser`` in its
worker. Figures:

- size: the lab's part (v86, BIOS, the saved state in zstd, the lab's scripts) and the whole site with
  gzip (every file, as a server that compresses would send it), and what the page really fetched;
- page open to the first lab output (the notebook's first cell: the lab restored, its NICs up), with a
  cold cache;
- lab ready after the kernel is: from the lab's first fetch to both guests' NICs up (the lab's own
  clock, printed by that cell);
- CPU of the browser's processes with the lab idle, the tab shown and then hidden (the guests pause
  while no page of the site is in sight), over 10 s each.

Targets (from the site's plan): VM part <= 12 MB, site <= 25 MB gzip, first output <= 10 s, lab ready
<= 2 s, idle CPU hidden <= 5 % of a core. Quick mode (``--quick``): one run, shorter CPU windows.
"""

from __future__ import annotations

import gzip
import os
import re
import sys
import time
from pathlib import Path

from common import Report, quick

from tests.jupyterlab_browser import browser_missing, chromium
from tests.test_site import JS_ALL_RUN, JS_KERNEL_IDLE, SITE, served

LAB = SITE / "bondlab"
MB = 1_000_000
CPU_WINDOW = 3.0 if quick() else 10.0

_JS_FIRST_OUTPUT = """() => { const cells = window.jupyterapp.shell.currentWidget.content.model.cells;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells.get(i);
    if (cell.type === 'code') return cell.outputs.toJSON(); }
  return []; }"""


_JS_HIDE = """() => { Object.defineProperty(document, 'visibilityState', {get: () => 'hidden'});
  document.dispatchEvent(new Event('visibilitychange')); }"""


def gzip_size(path: Path) -> int:
    data = path.read_bytes()
    if path.suffix in (".zst", ".gz", ".png", ".whl", ".zip"):
        return len(data)  # compressed already: a server sends it as it is
    return len(gzip.compress(data, compresslevel=6))


def descendants(root: int) -> list[int]:
    """The processes this bench started (the Playwright driver and the browser), by parent id."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, pending = [], [root]
    while pending:
        pid = pending.pop()
        for child in children.get(pid, []):
            found.append(child)
            pending.append(child)
    return found


def cpu_seconds(pids: list[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def idle_cpu(window: float) -> float:
    """Share of one core the browser's processes used over ``window`` seconds."""
    pids = descendants(os.getpid())
    before, begun = cpu_seconds(pids), time.monotonic()
    time.sleep(window)
    return (cpu_seconds(pids) - before) / (time.monotonic() - begun) * 100


def measure_sizes(report: Report) -> None:
    lab_files = [path for path in LAB.iterdir() if path.is_file()]
    report.figure("saved state (zstd)", (LAB / "state.bin.zst").stat().st_size / MB, "MB")
    raw = sum(path.stat().st_size for path in lab_files) / MB
    report.figure("VM part (v86, BIOS, state, lab scripts), gzip",
                  sum(gzip_size(path) for path in lab_files) / MB, "MB", at_most=12,
                  detail=f"{raw:.1f} MB raw")
    every = [path for path in SITE.rglob("*") if path.is_file()]
    report.figure("whole site, gzip", sum(gzip_size(path) for path in every) / MB, "MB", at_most=25,
                  detail=f"{len(every)} files, {sum(p.stat().st_size for p in every) / MB:.1f} MB raw")


def measure_page(report: Report) -> None:
    fetched: list[str] = []
    with served(SITE) as url, chromium() as context:
        context.on("request", lambda request: fetched.append(request.url))
        page = context.new_page()
        begun = time.monotonic()
        page.goto(f"{url}/lab/index.html?path=en/browser_lab.ipynb")
        page.wait_for_function(JS_KERNEL_IDLE, timeout=180_000, polling=100)
        kernel = time.monotonic() - begun
        # Not awaited: the command's promise settles when the last cell has run, and the figure is the
        # first cell's output, polled for while the others run.
        page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
        page.wait_for_function(f"() => ({_JS_FIRST_OUTPUT})().length > 0", timeout=180_000, polling=100)
        first = time.monotonic() - begun
        outputs = page.evaluate(_JS_FIRST_OUTPUT)
        text = "".join(str(o.get("text", "")) for o in outputs)
        ready = re.search(r"ready ([0-9.]+) s after the first byte", text)
        report.figure("page open to kernel idle (cold cache)", kernel, "s")
        report.figure("page open to first lab output (cold cache)", first, "s", at_most=10,
                      detail=f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        if ready is None:
            report.note(f"the first cell printed no readiness: {text[:300]!r}")
        else:
            report.figure("lab ready after the kernel (fetch, restore, NICs up)", float(ready.group(1)), "s",
                          at_most=2)
        local = [address.split("?")[0].removeprefix(url + "/") for address in fetched
                 if address.startswith(url)]
        sent = sum(gzip_size(SITE / name) for name in set(local) if (SITE / name).is_file())
        report.figure("what the page fetched, gzip", sent / MB, "MB", detail=f"{len(set(local))} files")
        page.wait_for_function(JS_ALL_RUN, timeout=300_000, polling=200)  # then the guests are idle
        report.figure("idle CPU, tab shown (two guests idle)", idle_cpu(CPU_WINDOW), "%")
        # Headless Chromium has no window whose tab could be hidden (its pages stay "visible"): the page
        # is told it is hidden as a browser tells it, by its visibilityState and a visibilitychange event.
        page.evaluate(_JS_HIDE)
        report.figure("idle CPU, tab hidden (guests paused)", idle_cpu(CPU_WINDOW), "%", at_most=5)


def main() -> int:
    report = Report("bench_site: the browser site, its lab (bondkit.lab.browser) in Chromium")
    if not (LAB / "state.bin.zst").is_file():
        report.skip(f"{LAB} is not built (make site)")
        return report.finish()
    measure_sizes(report)
    missing = browser_missing()
    if missing:
        report.skip(missing)
        return report.finish()
    measure_page(report)
    return report.finish()


if __name__ == "__main__":
    sys.exit(main())
