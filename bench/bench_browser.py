"""The explorer of notebook 04 in a real browser: from a control's change to the new figure on screen.

JupyterLab (a server of the bench's own on 127.0.0.1, the lab switched off) and Debian's Chromium
through Playwright, as in the browser tests. Notebook 04 is run, then the explorer's controls are
walked through every recorded combination (switch, fault, monitor, then each mode and all three side by
side), in English and in Korean. Each change is timed in the page, from the moment the control changes
to the new image decoded and painted (``performance.now()``, two animation frames after the image
arrives). A combination seen before comes from the explorer's cache, so only first views count toward
the targets; cached ones are printed apart.

Targets (medians of first views): one policy <= 150 ms, all three side by side <= 200 ms. Quick mode
(``--quick``): English only, a few changes.
"""

from __future__ import annotations

import statistics
import sys

from common import Report, quick

from bondkit.failover.params import MODES
from tests.jupyterlab_browser import NotebookPage, browser_missing, chromium, error_outputs, jupyter_server
from tests.jupyterlab_explorer import EXPLORER, explorer_controls, redraw_after

LANGS = ("en",) if quick() else ("en", "ko")
LIMIT = 8 if quick() else 10_000


def walk(explorer) -> list[dict]:
    """Visit every combination the explorer offers (in its language now), changing one control at a
    time; each change's timing, with whether its combination was new and how many runs it drew."""
    timings: list[dict] = []
    seen: set[tuple] = set()

    def state() -> dict:
        return {c.name: c for c in explorer_controls(explorer)}

    def choose(name: str, index: int) -> None:
        control = state()[name]
        if control.index == index or len(timings) >= LIMIT:
            return
        result = redraw_after(explorer, control, index)
        now = state()
        key = tuple(c.options[c.index] for c in now.values())
        mode = now["mode"]
        result["all"] = mode.options[mode.index] not in MODES  # "all three, side by side"
        result["first"] = key not in seen
        seen.add(key)
        timings.append(result)

    for switch in range(len(state()["switch"].options)):
        choose("switch", switch)
        for fault in range(len(state()["fault"].options)):
            choose("fault", fault)
            for monitor in range(len(state()["monitor"].options)):
                choose("monitor", monitor)
                for mode in range(len(state()["mode"].options)):
                    choose("mode", mode)
    return timings


def main() -> int:
    report = Report("Explorer redraw in the browser (notebook 04, JupyterLab + Chromium)")
    reason = browser_missing()
    if reason:
        report.skip(reason)
        return report.finish()
    timings: list[dict] = []
    with jupyter_server({"BONDKIT_NB_LAB": "off"}) as server, chromium() as browser:
        page = browser.new_page()
        for lang in LANGS:
            notebook = NotebookPage.open(page, server, f"{lang}/04_fail_over_mac.ipynb")
            errors = error_outputs(notebook.run_all())
            if errors:
                report.note(f"notebook 04 ({lang}) failed: {errors[0]}")
                return 1
            explorer = notebook.panel.locator(EXPLORER)
            explorer.scroll_into_view_if_needed()
            walked = walk(explorer)
            timings += walked
            report.note(f"{lang}: {len(walked)} changes, {sum(t['changed'] for t in walked)} redrawn")
            notebook.save_and_close()
    missed = [t for t in timings if not t["changed"]]
    if missed:
        report.note(f"{len(missed)} change(s) left the figure as it was: {missed[0]}")
    for label, together, target in (("one policy", False, 150.0), ("all three side by side", True, 200.0)):
        first = sorted(t["ms"] for t in timings if t["changed"] and t["first"] and t["all"] == together)
        cached = [t["ms"] for t in timings if t["changed"] and not t["first"] and t["all"] == together]
        if not first:
            report.note(f"{label}: no first view measured")
            continue
        worst = first[min(len(first) - 1, int(len(first) * 0.9))]
        report.figure(f"redraw, {label}: median of {len(first)} first views", statistics.median(first), "ms",
                      at_most=target, detail=f"p90 {worst:.0f} ms, max {first[-1]:.0f} ms", digits=0)
        if cached:
            report.figure(f"redraw, {label}: median of {len(cached)} cached views",
                          statistics.median(cached), "ms", digits=0)
    return report.finish() or (1 if missed else 0)


if __name__ == "__main__":
    sys.exit(main())
