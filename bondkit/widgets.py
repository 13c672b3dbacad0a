"""Widgets to steer the failover figures: an explorer over recorded runs and a live-run control.

The explorer's controls pick runs by switch, fault, monitor and fail_over_mac (or all three modes side
by side), and each control offers only what was recorded for the choices before it, so no choice draws
an empty figure. A redraw renders the figure as a PNG, at the pixel size it is shown, into an ``Image``
widget: that works in any Jupyter front end without a matplotlib widget backend. The live-run control
runs a new experiment on the notebook's own lab with a progress bar and hands the run to the explorer;
it never looks for another lab, and does nothing when the environment switched the lab off.

Displayed, each widget also carries a static fallback (the current figure, or one line) for a notebook
read where no kernel runs it: on GitHub, in nbviewer, or the committed notebook before it is run.

Callbacks are plain methods (``Explorer.redraw``, ``LiveRun.run``): tests set control values in
Python and look at ``explorer.figure`` and ``explorer.image.value``. The explorer keeps one figure per
layout and draws each new view on it again; what it caches per view is the image.
"""

from __future__ import annotations

import base64
import gc
import html
import io
import re
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

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
#: The explorer's time windows (ms around the fault): the whole run, the failover, the fault up close.
WINDOWS = {"whole": (-1000, 2500), "failover": (-200, 1000), "zoom": (-100, 300)}
#: The explorer's figure in CSS pixels (one policy, three side by side), drawn at ``DPI`` so that one
#: figure pixel is one pixel on screen: a notebook's output area is about 850 px wide in a 1280 px window.
FIGURE_PX = {"one": (840, 530), "all": (840, 600)}
DPI = 100
#: Choices the explorer opens on: the learning switch, as the notebook's text before it.
DEFAULTS = {"switch": "learning", "fault": "admin-down", "monitor": "mii100", "mode": "active",
            "window": "whole"}

_T = TypeVar("_T")


def _monitor_key(params: RunParams) -> str:
    return f"arp{params.arp_interval}" if params.arp_interval else f"mii{params.miimon}"


def _plain(run: Run) -> bool:
    """Runs the explorer offers: no delays, primary or other slave (those are notebook material)."""
    p = run.params
    return not (p.updelay or p.downdelay or p.primary or p.slave) and p.host == "server"


def _status_html(text: str) -> str:
    """A message as HTML in normal type: escaped, with its `commands` set as code, not backticks."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


def static_fallback(hint: str, png: bytes | None = None, width: int | None = None) -> dict[str, Any]:
    """What a widget's output shows where no kernel draws it: the figure it showed (if any) and one line
    saying to run the cell. Kept next to the widget's own view in the output's bundle."""
    bundle: dict[str, Any] = {"text/plain": hint}
    if png is not None:
        data = base64.b64encode(png).decode("ascii")
        size = f' width="{width}"' if width else ""
        bundle["image/png"] = data
        bundle["text/html"] = (f'<div><img src="data:image/png;base64,{data}"{size} '
                               f'style="max-width:100%" alt=""><p><i>{html.escape(hint)}</i></p></div>')
    else:
        bundle["text/html"] = f"<p><i>{html.escape(hint)}</i></p>"
    return bundle


def _with_fallback(widget: w.Widget, fallback: dict[str, Any], include: Any, exclude: Any) -> dict[str, Any]:
    bundle = dict(widget._repr_mimebundle_(include=include, exclude=exclude) or {})
    bundle.update(fallback)
    return bundle


def _narrowed(pool: list[RunParams], value: object, default: object, order: Sequence[_T],
              key: Callable[[RunParams], object]) -> tuple[list[_T], object, list[RunParams]]:
    """The values of ``key`` found in ``pool`` (in ``order``), the one to keep (``value`` if it is there,
    else ``default``, else the first) and the part of the pool that has it."""
    found = {key(p) for p in pool}
    values = [v for v in order if v in found]
    chosen = value if value in values else default if default in values else (values[0] if values else None)
    return values, chosen, [p for p in pool if key(p) == chosen]


class Explorer:
    """Recorded (and live) runs, chosen with dropdowns and drawn on demand.

    ``Explorer()`` reads ``data/runs``; pass a directory or a list of runs instead. Display the
    explorer itself (the last expression of a cell) in a notebook.
    """

    def __init__(self, runs: Sequence[Run] | str | Path | None = None, lang: str | None = None,
                 dpi: int = DPI) -> None:
        self.runs: list[Run] = list(runs) if isinstance(runs, Sequence) and not isinstance(runs, str) \
            else load_runs(runs)
        self.dpi = dpi
        self.png: bytes | None = None
        self.shown: list[Run] = []
        self.last_redraw_ms = 0.0
        self.last_redraw_cached = False
        # Images only, per view: a figure's matplotlib objects take far more memory than its PNG,
        # and a class's server holds one explorer per student.
        self._cache: dict[tuple, tuple[bytes, list[Run]]] = {}
        self._figures: dict[tuple[str, int], Figure] = {}
        self._figure: Figure | None = None
        self._key: tuple | None = None
        self._drawn: tuple | None = None
        self._quiet = False
        lang = get_lang(lang)
        style = {"description_width": "initial"}
        wide, narrow = w.Layout(width="280px"), w.Layout(width="240px")
        self.mode = w.Dropdown(style=style, layout=narrow)
        self.switch = w.Dropdown(style=style, layout=wide)
        self.fault = w.Dropdown(style=style, layout=wide)
        self.monitor = w.Dropdown(style=style, layout=narrow)
        self.window = w.Dropdown(style=style, layout=wide, value=None)
        self.lang = w.ToggleButtons(options=[("English", "en"), ("한국어", "ko")], value=lang,
                                    tooltips=["English", "한국어"],
                                    style={"description_width": "0px", "button_width": "5.5em"},
                                    layout=w.Layout(width="200px", flex_flow="row nowrap"))
        width = FIGURE_PX["one"][0]
        self.image = w.Image(format="png", layout=w.Layout(width=f"{width}px", max_width="100%",
                                                           height="auto"))
        self.status = w.HTML()
        for name, control in self.controls().items():
            control.add_class(f"bondkit-{name}")
        self.image.add_class("bondkit-figure")
        self.status.add_class("bondkit-status")
        self._relabel()
        for control in self.controls().values():
            control.observe(self._changed, names="value")
        self.widget = w.VBox([w.HBox([self.mode, self.switch, self.fault]),
                              w.HBox([self.monitor, self.window, self.lang]), self.image, self.status])
        self.widget.add_class("bondkit-explorer")
        self.redraw()

    def controls(self) -> dict[str, w.ValueWidget]:
        """The controls by name (what a student can change)."""
        return {"mode": self.mode, "switch": self.switch, "fault": self.fault, "monitor": self.monitor,
                "window": self.window, "lang": self.lang}

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        hint = t("widgets.static_explorer", self.lang.value)
        return _with_fallback(self.widget, static_fallback(hint, self.png, FIGURE_PX["one"][0]),
                              include, exclude)

    # -- choices ------------------------------------------------------------------------------------

    def _fill_options(self, prefer: dict[str, object] | None = None) -> None:
        """Each control offers what was recorded for the choices before it (switch, fault, monitor,
        mode), keeping its value (or the ``prefer``-red one) when it still can."""
        lang = self.lang.value
        want = {name: control.value for name, control in self.controls().items()}
        want.update(prefer or {})
        pool = [run.params for run in self.runs if _plain(run)]
        self._quiet = True
        try:
            switches, switch, pool = _narrowed(pool, want["switch"], DEFAULTS["switch"], SWITCHES,
                                               lambda p: p.switch)
            self._set(self.switch, [(t(f"widgets.switch_choice.{s}", lang), s) for s in switches], switch)
            faults, fault, pool = _narrowed(pool, want["fault"], DEFAULTS["fault"], FAULTS,
                                            lambda p: p.fault)
            self._set(self.fault, [(t(f"widgets.fault_choice.{f}", lang), f) for f in faults], fault)
            order = sorted({_monitor_key(p) for p in pool}, key=lambda k: (k.startswith("arp"), int(k[3:])))
            monitors, monitor, pool = _narrowed(pool, want["monitor"], DEFAULTS["monitor"], order,
                                                _monitor_key)
            labels = [(t(f"widgets.monitor_{m[:3]}", lang, ms=int(m[3:])), m) for m in monitors]
            self._set(self.monitor, labels, monitor)
            modes = [m for m in MODES if any(p.fail_over_mac == m for p in pool)]
            mode_choices = [(m, m) for m in modes] + ([(t("widgets.all_modes", lang), ALL)] if len(modes) > 1
                                                      else [])
            values = [v for _, v in mode_choices]
            mode = want["mode"] if want["mode"] in values else \
                DEFAULTS["mode"] if DEFAULTS["mode"] in values else (values[0] if values else None)
            self._set(self.mode, mode_choices, mode)
            window = self.window.value if self.window.value in WINDOWS else DEFAULTS["window"]
            self._set(self.window, [(t(f"widgets.window.{name}", lang, start=start, end=end), name)
                                    for name, (start, end) in WINDOWS.items()], window)
        finally:
            self._quiet = False

    @staticmethod
    def _set(control: w.Dropdown, options: Sequence[tuple[str, object]], value: object) -> None:
        if list(control.options) != options:
            control.options = options
        control.value = value

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
        if self._quiet:
            return
        if change.get("owner") is self.lang:
            self._relabel()
        elif change.get("owner") is not self.window:
            self._fill_options()
        self.redraw()

    def _relabel(self) -> None:
        lang = self.lang.value
        for name, control in self.controls().items():
            # the language buttons name themselves: a label beside them would wrap them onto a new line
            control.description = "" if control is self.lang else t(f"widgets.{name}", lang)
        self._fill_options()

    def _view(self) -> tuple[list[Run], bool, str, tuple[float, float]]:
        """What the controls ask to see: the runs, side by side or not, the language, the window."""
        return self.selection(), self.mode.value == ALL, self.lang.value, WINDOWS[self.window.value]

    @staticmethod
    def _view_key(runs: list[Run], together: bool, lang: str, xlim: tuple[float, float]) -> tuple:
        """A view as the cache and the kept figures know it."""
        return tuple(id(r) for r in runs), together, lang, xlim

    def _draw(self, runs: list[Run], together: bool, lang: str, xlim: tuple[float, float]) -> Figure:
        """Draw a view on the figure kept for its layout (one policy, or so many side by side).

        A layout's figure is drawn on again rather than made anew: its axes and ticks cost more to
        make than the drawing on them."""
        layout = ("all", len(runs)) if together or not runs else ("one", 1)
        px = FIGURE_PX[layout[0]]
        size = (px[0] / self.dpi, px[1] / self.dpi)
        into = self._figures.get(layout)
        if layout[0] == "all":
            figure = comparison_figure(runs, lang, xlim=xlim, fast=True, size=size, into=into)
        else:
            figure = run_figure(runs[0], lang, xlim=xlim, fast=True, size=size, into=into)
        self._figures[layout] = figure
        self._drawn = self._view_key(runs, together, lang, xlim)
        self._figure = figure
        return figure

    @property
    def figure(self) -> Figure | None:
        """The figure shown, as matplotlib objects. A view that came from the cache (its image only)
        is drawn again first, so this always matches ``png``."""
        if self._key is not None and self._drawn != self._key:
            self._draw(*self._view())
        return self._figure

    def redraw(self) -> None:
        """Draw the selection into the image (the PNG cached per selection and language)."""
        start = time.perf_counter()
        runs, together, lang, xlim = self._view()
        key = self._view_key(runs, together, lang, xlim)
        self.last_redraw_cached = key in self._cache
        if key not in self._cache:
            # A drawing makes tens of thousands of short-lived objects; a garbage collection in the
            # middle of one adds 100 ms. Collection waits until the image is there.
            collecting = gc.isenabled()
            gc.disable()
            try:
                figure = self._draw(runs, together, lang, xlim)
                buffer = io.BytesIO()
                figure.savefig(buffer, format="png", dpi=self.dpi, pil_kwargs={"compress_level": 1})
            finally:
                if collecting:
                    gc.enable()
            self._cache[key] = (buffer.getvalue(), runs)
        self._key = key
        self.png, self.shown = self._cache[key]
        self.image.value = self.png
        self.last_redraw_ms = (time.perf_counter() - start) * 1000
        self.status.value = _status_html(t("widgets.drawn", lang, count=len(runs),
                                           ms=f"{self.last_redraw_ms:.0f}"))

    def add(self, run: Run) -> None:
        """Add a run (a live one) and show it."""
        self.runs.append(run)
        p = run.params
        self._fill_options(prefer={"switch": p.switch, "fault": p.fault, "monitor": _monitor_key(p),
                                   "mode": p.fail_over_mac})
        self.redraw()


class LiveRun:
    """A control that runs one experiment on the notebook's lab, shows its progress and adds it to an
    explorer.

    ``session`` is the notebook's lab session (``nb.open_lab()``); ``lab`` a lab object directly (for
    tests). Without either, or with the lab switched off by ``BONDKIT_NB_LAB=off``, the button runs
    nothing and says why: it never goes looking for a lab the notebook did not open.
    """

    def __init__(self, explorer: Explorer | None = None, session: Any = None, *, lab: Any = None,
                 lang: str | None = None) -> None:
        lang = get_lang(lang)
        self.explorer = explorer
        self.session = session
        self.lab = lab
        self.lang = lang
        style = {"description_width": "initial"}
        wide, narrow = w.Layout(width="290px"), w.Layout(width="250px")
        self.mode = w.Dropdown(options=MODES, value="active", description=t("widgets.mode", lang),
                               style=style, layout=narrow)
        self.fault = w.Dropdown(options=[(t(f"widgets.fault_choice.{f}", lang), f) for f in FAULTS],
                                value="admin-down", description=t("widgets.fault", lang), style=style,
                                layout=wide)
        self.switch = w.Dropdown(options=[(t(f"widgets.switch_choice.{s}", lang), s) for s in SWITCHES],
                                 value="learning", description=t("widgets.switch", lang), style=style,
                                 layout=wide)
        self.miimon = w.Dropdown(options=[50, 100, 200, 500], value=100,
                                 description=t("widgets.miimon", lang), style=style, layout=narrow)
        self.arp_interval = w.Dropdown(options=[(t("widgets.arp_off", lang), 0), ("100", 100), ("200", 200),
                                                ("500", 500)], value=0,
                                       description=t("widgets.arp_interval", lang), style=style, layout=wide)
        self.button = w.Button(description=t("widgets.run", lang), button_style="primary",
                               layout=w.Layout(width="auto"))
        self.progress = w.IntProgress(min=0, max=len(STAGES), value=0)
        self.status = w.HTML(layout=w.Layout(width="auto"))
        self.status.add_class("bondkit-status")
        self.last: Run | None = None
        self.button.on_click(lambda _: self.run())
        self.widget = w.VBox([w.HBox([self.mode, self.switch, self.fault]),
                              w.HBox([self.miimon, self.arp_interval, self.button]),
                              w.HBox([self.progress, self.status])])
        self.widget.add_class("bondkit-live-run")

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return _with_fallback(self.widget, static_fallback(t("widgets.static_live", self.lang)),
                              include, exclude)

    def params(self) -> RunParams:
        return RunParams(fail_over_mac=self.mode.value, fault=self.fault.value, switch=self.switch.value,
                         miimon=self.miimon.value, arp_interval=self.arp_interval.value)

    def _lab(self) -> tuple[Any, str | None]:
        """The lab to run on, or None and why not (switched off, none opened, none in the session)."""
        from bondkit.notebook.session import lab_switched_off

        switched = lab_switched_off()
        if switched:
            return None, t("widgets.lab_switched_off", self.lang, switch=switched)
        if self.lab is not None:
            return self.lab, None
        if self.session is None:
            return None, t("widgets.no_session", self.lang)
        if getattr(self.session, "lab", None) is None:
            return None, t("widgets.no_lab", self.lang, why=self.session.message())
        return self.session.lab, None

    def run(self) -> Run | None:
        """Run the experiment the controls describe; errors are shown, not raised (it is a button)."""
        self.progress.value = 0
        lab, why = self._lab()
        if lab is None:
            self.status.value = _status_html(why or "")
            return None
        self.button.disabled = True
        try:
            params = self.params()
            self.status.value = _status_html(t("widgets.running", self.lang, id=params.run_id()))

            def progress(stage: str) -> None:
                self.progress.value += 1
                self.progress.description = t(f"failover.step.{stage}", self.lang, mode=params.fail_over_mac)

            run = run_failover(lab, params, progress=progress)
        except BondkitError as exc:
            self.status.value = _status_html(exc.message(self.lang))
            return None
        finally:
            self.button.disabled = False
        self.last = run
        m = run.metrics
        detect = t("plot.ms", self.lang, ms=f"{m.detect_ms:.0f}") if m.detect_ms is not None \
            else t("plot.no_failover", self.lang)
        self.status.value = _status_html(t("widgets.done", self.lang, id=run.id, detect=detect, lost=m.lost))
        if self.explorer is not None:
            self.explorer.add(run)
        return run
