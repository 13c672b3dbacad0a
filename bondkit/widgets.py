"""Widgets to steer the failover figures: an explorer over recorded runs and a live-run control.

The explorer's controls pick runs by fail_over_mac, fault, switch and monitor (or all three modes side
by side) and redraw into one reused figure, rendered as a PNG into an ``Image`` widget, which works in
any Jupyter front end without a matplotlib widget backend. The live-run control runs a new experiment
on the lab with a progress bar and hands the run to the explorer, which selects and draws it.

Callbacks are plain methods (``Explorer.redraw``, ``LiveRun.run``): tests set control values in
Python and look at ``explorer.figure`` and ``explorer.image.value``.
"""

from __future__ import annotations

import gc
import io
import time
from collections.abc import Sequence
from pathlib import Path

import ipywidgets as w
from matplotlib.figure import Figure

from bondkit.errors import BondkitError
from bondkit.failover.params import FAULTS, MODES, SWITCHES, RunParams
from bondkit.failover.record import Run
from bondkit.failover.runner import STAGES, run_failover
from bondkit.failover.store import load_runs
from bondkit.i18n import get_lang, t
from bondkit.plot import comparison_figure, run_figure

ALL = "all"


def _monitor_key(params: RunParams) -> str:
    return f"arp{params.arp_interval}" if params.arp_interval else f"mii{params.miimon}"


def _plain(run: Run) -> bool:
    """Runs the explorer offers: no delays, primary or other slave (those are notebook material)."""
    p = run.params
    return not (p.updelay or p.downdelay or p.primary or p.slave) and p.host == "server"


class Explorer:
    """Recorded (and live) runs, chosen with dropdowns and drawn on demand.

    ``Explorer()`` reads ``data/runs``; pass a directory or a list of runs instead. Display
    ``explorer.widget`` (or the explorer itself) in a notebook.
    """

    def __init__(self, runs: Sequence[Run] | str | Path | None = None, lang: str | None = None,
                 dpi: int = 72) -> None:
        self.runs: list[Run] = list(runs) if isinstance(runs, Sequence) and not isinstance(runs, str) \
            else load_runs(runs)
        self.dpi = dpi
        self.figure: Figure | None = None
        self.shown: list[Run] = []
        self.last_redraw_ms = 0.0
        self.last_redraw_cached = False
        self._cache: dict[tuple, tuple[Figure, bytes, list[Run]]] = {}
        self._quiet = False
        lang = get_lang(lang)
        style = {"description_width": "initial"}
        self.mode = w.Dropdown(description=t("widgets.mode", lang), style=style)
        self.fault = w.Dropdown(description=t("widgets.fault", lang), style=style)
        self.switch = w.Dropdown(description=t("widgets.switch", lang), style=style)
        self.monitor = w.Dropdown(description=t("widgets.monitor", lang), style=style)
        self.lang = w.ToggleButtons(options=[("English", "en"), ("한국어", "ko")], value=lang,
                                    description=t("widgets.lang", lang), style=style)
        self.window = w.IntRangeSlider(value=(-1000, 3000), min=-1500, max=5000, step=50,
                                       description=t("widgets.window", lang), style=style,
                                       continuous_update=False)
        self.image = w.Image(format="png")
        self.status = w.HTML()
        self._fill_options()
        for control in (self.mode, self.fault, self.switch, self.monitor, self.lang, self.window):
            control.observe(self._changed, names="value")
        self.widget = w.VBox([w.HBox([self.mode, self.fault, self.switch]),
                              w.HBox([self.monitor, self.window, self.lang]), self.image, self.status])
        self.redraw()

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    # -- choices ------------------------------------------------------------------------------------

    def _fill_options(self) -> None:
        lang = self.lang.value
        plain = [run.params for run in self.runs if _plain(run)]
        keep = {c: c.value for c in (self.mode, self.fault, self.switch, self.monitor)}
        self._quiet = True
        try:
            self.mode.options = [*[(m, m) for m in MODES], (t("widgets.all_modes", lang), ALL)]
            self.fault.options = [(t(f"plot.fault.{f}", lang), f) for f in FAULTS
                                  if any(p.fault == f for p in plain)]
            self.switch.options = [(t(f"plot.switch.{s}", lang), s) for s in SWITCHES
                                   if any(p.switch == s for p in plain)]
            monitors = sorted({(p.monitoring == "arp", p.arp_interval or p.miimon) for p in plain})
            self.monitor.options = [
                (t("widgets.monitor_arp" if arp else "widgets.monitor_mii", lang, ms=ms),
                 f"{'arp' if arp else 'mii'}{ms}") for arp, ms in monitors]
            defaults = {self.mode: "active", self.fault: "admin-down", self.switch: "vbox-hostonly",
                        self.monitor: "mii100"}
            for control, value in keep.items():
                values = [v for _, v in control.options]
                want = value if value in values else defaults[control]
                control.value = want if want in values else (values[0] if values else None)
        finally:
            self._quiet = False

    def selection(self) -> list[Run]:
        """The runs the controls point at: one, or one per mode when ``all`` is chosen."""
        chosen: dict[str, Run] = {}
        for run in self.runs:  # later runs (live ones) win over earlier ones with the same settings
            p = run.params
            if (_plain(run) and p.fault == self.fault.value and p.switch == self.switch.value
                    and _monitor_key(p) == self.monitor.value
                    and (self.mode.value == ALL or p.fail_over_mac == self.mode.value)):
                chosen[p.fail_over_mac] = run
        return [chosen[m] for m in MODES if m in chosen]

    # -- drawing ------------------------------------------------------------------------------------

    def _changed(self, change: dict) -> None:
        if change.get("owner") is self.lang:
            self._relabel()
        if not self._quiet:
            self.redraw()

    def _relabel(self) -> None:
        lang = self.lang.value
        for control, key in ((self.mode, "widgets.mode"), (self.fault, "widgets.fault"),
                             (self.switch, "widgets.switch"), (self.monitor, "widgets.monitor"),
                             (self.lang, "widgets.lang"), (self.window, "widgets.window")):
            control.description = t(key, lang)
        self._fill_options()

    def redraw(self) -> None:
        """Draw the selection into the figure and the image (cached per selection and language)."""
        start = time.perf_counter()
        runs = self.selection()
        lang = self.lang.value
        key = (tuple(id(r) for r in runs), self.mode.value == ALL, lang, tuple(self.window.value))
        self.last_redraw_cached = key in self._cache
        if key not in self._cache:
            # A drawing makes tens of thousands of short-lived objects; a garbage collection in the
            # middle of one adds 100 ms. Collection waits until the image is there.
            collecting = gc.isenabled()
            gc.disable()
            try:
                if self.mode.value == ALL or not runs:
                    figure = comparison_figure(runs, lang, xlim=self.window.value, fast=True)
                    figure.set_size_inches(12.5, 6.2)
                else:
                    figure = run_figure(runs[0], lang, xlim=self.window.value, fast=True)
                    figure.set_size_inches(10, 6)
                buffer = io.BytesIO()
                figure.savefig(buffer, format="png", dpi=self.dpi)
            finally:
                if collecting:
                    gc.enable()
            self._cache[key] = (figure, buffer.getvalue(), runs)
        self.figure, png, self.shown = self._cache[key]
        self.image.value = png
        self.last_redraw_ms = (time.perf_counter() - start) * 1000
        self.status.value = t("widgets.drawn", lang, count=len(runs), ms=f"{self.last_redraw_ms:.0f}")

    def add(self, run: Run) -> None:
        """Add a run (a live one) and show it."""
        self.runs.append(run)
        self._fill_options()
        p = run.params
        self._quiet = True
        try:
            self.fault.value, self.switch.value = p.fault, p.switch
            self.monitor.value = _monitor_key(p)
            self.mode.value = p.fail_over_mac
        finally:
            self._quiet = False
        self.redraw()


class LiveRun:
    """A control that runs one experiment on the lab, shows its progress and adds it to an explorer."""

    def __init__(self, explorer: Explorer | None = None, lab=None, lang: str | None = None) -> None:
        lang = get_lang(lang)
        self.explorer = explorer
        self.lab = lab
        self.lang = lang
        style = {"description_width": "initial"}
        self.mode = w.Dropdown(options=MODES, value="active", description=t("widgets.mode", lang),
                               style=style)
        self.fault = w.Dropdown(options=[(t(f"plot.fault.{f}", lang), f) for f in FAULTS], value="admin-down",
                                description=t("widgets.fault", lang), style=style)
        self.switch = w.Dropdown(options=[(t(f"plot.switch.{s}", lang), s) for s in SWITCHES],
                                 value="learning", description=t("widgets.switch", lang), style=style)
        self.miimon = w.Dropdown(options=[50, 100, 200, 500], value=100,
                                 description=t("widgets.miimon", lang), style=style)
        self.arp_interval = w.Dropdown(options=[(t("widgets.arp_off", lang), 0), ("100", 100), ("200", 200),
                                                ("500", 500)], value=0,
                                       description=t("widgets.arp_interval", lang), style=style)
        self.button = w.Button(description=t("widgets.run", lang), button_style="primary")
        self.progress = w.IntProgress(min=0, max=len(STAGES), value=0)
        self.status = w.HTML()
        self.last: Run | None = None
        self.button.on_click(lambda _: self.run())
        self.widget = w.VBox([w.HBox([self.mode, self.fault, self.switch]),
                              w.HBox([self.miimon, self.arp_interval, self.button]),
                              w.HBox([self.progress, self.status])])

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    def params(self) -> RunParams:
        return RunParams(fail_over_mac=self.mode.value, fault=self.fault.value, switch=self.switch.value,
                         miimon=self.miimon.value, arp_interval=self.arp_interval.value)

    def run(self) -> Run | None:
        """Run the experiment the controls describe; errors are shown, not raised (it is a button)."""
        self.progress.value = 0
        self.button.disabled = True
        try:
            params = self.params()
            lab = self.lab
            if lab is None:
                from bondkit.lab import Lab

                lab = Lab.current()
            if lab is None:
                self.status.value = t("failover.no_lab", self.lang)
                return None
            self.status.value = t("widgets.running", self.lang, id=params.run_id())

            def progress(stage: str) -> None:
                self.progress.value += 1
                self.progress.description = t(f"failover.step.{stage}", self.lang, mode=params.fail_over_mac)

            run = run_failover(lab, params, progress=progress)
        except BondkitError as exc:
            self.status.value = exc.message(self.lang)
            return None
        finally:
            self.button.disabled = False
        self.last = run
        m = run.metrics
        detect = t("plot.ms", self.lang, ms=f"{m.detect_ms:.0f}") if m.detect_ms is not None \
            else t("plot.never", self.lang)
        self.status.value = t("widgets.done", self.lang, id=run.id, detect=detect, lost=m.lost)
        if self.explorer is not None:
            self.explorer.add(run)
        return run
