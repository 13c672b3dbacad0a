"""Figures of failover runs: ping RTT over time above a MAC-address timeline, in English or Korean.

One run's figure has two panels on one time axis (milliseconds since the fault), and beside them the
fault up close. Above: the RTT of each answered ping, the fault, the failover and the restore as
vertical lines. Below: a lane of lost pings with the outage shaded, one lane per interface of the
faulted host (bond0 and its slaves) coloured by the MAC address it had, with the active slave
outlined, and one lane for the MAC the pinger's ARP table holds for it, which is where its pings go.
On a vbox-hostonly switch each slave lane also says which MAC its port lets through, so a failover
that breaks the connection can be read off the colours.

A MAC keeps its colour in every figure (colours follow the adapters, not the order of appearance),
so three modes side by side can be compared by eye. Nothing here reads or writes files: callers save.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any
from weakref import WeakKeyDictionary

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullLocator

from bondkit.failover.params import MODES
from bondkit.failover.record import Run
from bondkit.fonts import use_korean_font
from bondkit.i18n import display_width, get_lang, t

#: Colours of MAC addresses: the faulted host's adapters first (enp0s8 blue, enp0s9 orange), then any
#: other address in order of appearance.
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22")
UNKNOWN_COLOUR = "#bbbbbb"
LOST_COLOUR = "#d62728"
FAULT_COLOUR = "#8b0000"
FAILOVER_COLOUR = "#2e7d32"
#: Points of the text written on a lane segment (its MAC, "active", "down"): large enough to read on a
#: projector at the width a notebook shows the figure (a 10-inch figure in ~850 px).
LANE_FONT = 9.5


def mac_palette(runs: Sequence[Run]) -> dict[str, str]:
    """MAC -> colour, the same for every run of the lab (adapters first, sorted by interface)."""
    colours: dict[str, str] = {}

    def add(mac: object) -> None:
        if isinstance(mac, str) and mac not in colours:
            colours[mac] = PALETTE[len(colours) % len(PALETTE)]

    for run in runs:
        adapters = run.meta.get("adapters", {})
        for host in (run.params.host, *sorted(adapters)):
            for ifname in sorted(adapters.get(host, {})):
                add(adapters[host][ifname])
    for run in runs:
        for mac in run.lanes()["mac"]:
            add(mac)
        for mac in run.neigh["mac"]:
            add(mac)
    return colours


def mac_owners(run: Run) -> dict[str, str]:
    """MAC -> ``host/ifname`` whose adapter it belongs to (the permanent address)."""
    owners = {}
    for host, nics in run.meta.get("adapters", {}).items():
        for ifname, mac in nics.items():
            owners[mac] = ifname if host == run.params.host else f"{host} {ifname}"
    return owners


# ------------------------------------------------------------------------------------------ panels

#: The window of the zoomed view: the fault up close, where a 30-60 ms outage is wide enough to see.
ZOOM = (-100.0, 300.0)


def _ms(value: float | None) -> str:
    return "-" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.0f}"


def _vline(ax: Axes, x: float, **style: Any) -> None:
    """A vertical line across ``ax`` at ``x`` (ms). Added as an artist: ``axvline`` also updates the data
    limits, which costs a redraw more than drawing the line does."""
    ax.add_artist(Line2D([x, x], [0, 1], transform=ax.get_xaxis_transform(), **style))


def _vspan(ax: Axes, start: float, stop: float, **style: Any) -> None:
    """A band across ``ax`` from ``start`` to ``stop`` (ms), added as :func:`_vline` is (not ``axvspan``)."""
    ax.add_artist(Rectangle((start, 0), stop - start, 1, transform=ax.get_xaxis_transform(), **style))


def draw_rtt(ax: Axes, run: Run, lang: str) -> None:
    """The upper panel: RTT of answered pings (log scale) with the fault, failover and restore instants.

    Lost pings are not drawn here (at the floor of a log axis they would look like fast replies): they
    have a strip of their own, :func:`draw_lost`. Labels are generic, so one legend serves every panel;
    each panel's numbers are in its title.
    """
    pings = run.pings
    answered = pings[~pings["lost"]]
    ax.plot(answered["t"] * 1000, answered["rtt_ms"].clip(lower=0.01), ".", ms=2.5, color="#455a64",
            label=t("plot.reply", lang))
    ax.set_yscale("log")
    # Plain numbers: the default log labels are mathtext (10^-1), whose minus sign NanumGothic lacks.
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    ax.yaxis.set_minor_locator(NullLocator())  # fewer tick artists: redraws stay fast
    ax.yaxis.set_major_locator(LogLocator(numticks=4))
    rtts = answered["rtt_ms"].clip(lower=0.01)
    low = float(rtts.min()) if len(answered) else 0.05
    top = float(rtts.max()) if len(answered) else 1.0
    ax.set_ylim(max(low / 2, 0.005), max(top * 3, low * 10))
    _instants(ax, run, lang, labels=True)
    ax.set_ylabel(t("plot.rtt_axis", lang))
    ax.grid(True, which="major", alpha=0.3)


def _instants(ax: Axes, run: Run, lang: str, *, labels: bool = False) -> None:
    """The fault (and the time it takes effect), the failover and the restore as vertical lines."""
    metrics, meta = run.metrics, run.meta

    def label(key: str) -> str | None:
        return t(key, lang) if labels else None

    window = float(meta.get("fault_window_ms", 0.0))
    if window > 0:
        _vspan(ax, -window, 0, color=FAULT_COLOUR, alpha=0.12, lw=0, label=label("plot.fault_window"))
    _vline(ax, 0, color=FAULT_COLOUR, lw=1.5, label=label("plot.fault_line"))
    if metrics.detect_ms is not None:
        _vline(ax, metrics.detect_ms, color=FAILOVER_COLOUR, lw=1.5, ls="--",
                   label=label("plot.failover_mark"))
    restore = meta.get("restore_t")
    if restore is not None:
        _vline(ax, float(restore) * 1000, color="#616161", lw=1.2, ls=":", label=label("plot.restore_line"))


def draw_lost(ax: Axes, run: Run, lang: str, y: float) -> None:
    """The lost pings' own lane (at ``y`` of the lanes panel): one mark per lost ping, the outage shaded.
    A lane of their own, not the floor of the log RTT axis, where they would look like fast replies."""
    pings, metrics = run.pings, run.metrics
    lost = pings[pings["lost"]]
    if metrics.first_lost_ms is not None:
        start = metrics.first_lost_ms
        ax.add_artist(Rectangle((start, y - 0.34), metrics.outage_ms, 0.68, facecolor=LOST_COLOUR, alpha=0.2,
                               lw=0, label=t("plot.outage_mark", lang)))
    if len(lost):
        ax.plot(lost["t"] * 1000, np.full(len(lost), y), "|", ms=8, color=LOST_COLOUR, mew=1.4,
                label=t("plot.lost", lang))


def _segments(samples: pd.DataFrame, keys: list[str], end: float) -> list[tuple[float, float, tuple]]:
    """Runs of equal ``keys`` values in time-ordered samples: (start, stop, values)."""
    if samples.empty:
        return []
    values = list(samples[keys].itertuples(index=False, name=None))
    times = samples["t"].to_numpy(dtype=float)
    segments = []
    start = 0
    for i in range(1, len(values) + 1):
        if i == len(values) or values[i] != values[start]:
            stop = times[i] if i < len(values) else max(end, times[-1])
            segments.append((times[start], stop, values[start]))
            start = i
    return segments


def text_colour(face: str) -> str:
    """Black or white, whichever stands out more from ``face`` (WCAG contrast of relative luminance):
    white on the orange of enp0s9 made "99:81:8a" read "99:01:0a" on a projector."""
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in to_rgb(face))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "black" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "white"


def _text_width(text: str, points: float) -> float:
    """Inches a line of ``text`` takes at ``points``: about 0.6 em a column (Hangul takes two)."""
    return max(display_width(line) for line in text.split("\n")) * points * 0.6 / 72


class _Labels:
    """The texts of one lane, one per segment at most, never overlapping each other: a label that does
    not fit inside the visible part of its segment, or would touch the one before it, is left out (the
    colour and the legend still say which MAC it is)."""

    def __init__(self, ax: Axes, view: tuple[float, float], enabled: bool) -> None:
        fig = ax.get_figure(root=True)
        inches = ax.get_position().width * (fig.get_size_inches()[0] if isinstance(fig, Figure) else 8.0)
        self.ax, self.view, self.enabled = ax, view, enabled
        self.per_inch = (view[1] - view[0]) / max(inches, 0.1)  # seconds of the view per inch
        self.right: dict[float, float] = {}

    def add(self, start: float, stop: float, y: float, text: str, face: str) -> bool:
        if not self.enabled:
            return False
        left, right = max(start, self.view[0]), min(stop, self.view[1])
        need = (_text_width(text, LANE_FONT) + 0.08) * self.per_inch
        if right - left < need:
            return False
        middle = (left + right) / 2
        if middle - need / 2 < self.right.get(y, -math.inf):
            return False
        self.right[y] = middle + need / 2
        self.ax.text(middle * 1000, y, text, ha="center", va="center", fontsize=LANE_FONT,
                     color=text_colour(face), clip_on=True)
        return True


class _Bars:
    """Lane segments gathered into one collection: a figure has dozens of them, and one artist per
    segment would cost the explorer its redraw budget."""

    def __init__(self) -> None:
        self.verts: list[list[tuple[float, float]]] = []
        self.faces: list[str] = []
        self.active: list[bool] = []

    def add(self, start: float, stop: float, y: float, colour: str, active: bool) -> None:
        x0, x1 = start * 1000, stop * 1000
        self.verts.append([(x0, y - 0.34), (x1, y - 0.34), (x1, y + 0.34), (x0, y + 0.34)])
        self.faces.append(colour)
        self.active.append(active)

    def draw(self, ax: Axes, alpha: float = 1.0, hatch: str | None = None) -> None:
        if not self.verts:
            return
        bars = PolyCollection(self.verts, facecolors=self.faces, alpha=alpha, hatch=hatch,
                              edgecolors=["black" if a else "white" for a in self.active],
                              linewidths=[2.0 if a else 0.5 for a in self.active])
        ax.add_collection(bars)
        points = np.array([corner for verts in self.verts for corner in verts])
        ax.update_datalim(points)
        ax.autoscale_view()


#: How many echo replies a frames lane shows across its view at most: one every few pixels would be
#: a solid bar; spaced out, each still says "replies leave here now".
WIRE_ECHO_MARKS = 60
#: Marker, size and legend key of each kind of frame a frames lane draws (ICMP: the replies).
WIRE_MARKS = {"garp": ("*", 15, "plot.wire.garp"), "arp-request": ("^", 8, "plot.wire.arp_request"),
              "arp-reply": ("v", 8, "plot.wire.arp_reply"), "icmp-reply": ("|", 9, "plot.wire.echo_reply")}


def wire_nics(run: Run) -> list[str]:
    """The faulted host's data NICs that have a frames lane (none for a run recorded without frames)."""
    if run.frames.empty:
        return []
    return sorted(run.meta.get("adapters", {}).get(run.params.host, {}))


def draw_wire(ax: Axes, run: Run, lang: str, colours: dict[str, str], view: tuple[float, float],
              top: float) -> list[tuple[float, str]]:
    """The frames lanes, one per data NIC of the faulted host from ``top`` down: what that NIC sent,
    each frame in the colour of its source MAC. A gratuitous ARP is a large star, other ARPs triangles
    (requests up, replies down), echo replies thin ticks, spaced out to at most
    :data:`WIRE_ECHO_MARKS` across ``view`` (seconds). Returns the lanes' (y, label)."""
    host = run.params.host
    frames = run.frames[run.frames["direction"] == "out"]
    labelled: set[str] = set()
    lanes = []
    for row, nic in enumerate(wire_nics(run)):
        y = top - row
        lanes.append((y, t("plot.lane_wire", lang, nic=nic)))
        sent = frames[frames["nic"] == f"{host}/{nic}"]
        kinds = {"garp": sent[sent["gratuitous"] & sent["kind"].str.startswith("arp")],
                 "arp-request": sent[(sent["kind"] == "arp-request") & ~sent["gratuitous"]],
                 "arp-reply": sent[(sent["kind"] == "arp-reply") & ~sent["gratuitous"]],
                 "icmp-reply": _spaced(sent[sent["kind"] == "icmp-reply"], view)}
        for kind, chosen in kinds.items():
            marker, size, key = WIRE_MARKS[kind]
            for mac, group in chosen.groupby("src_mac", sort=True):
                colour = colours.get(str(mac), UNKNOWN_COLOUR)
                label = t(key, lang) if kind not in labelled else None
                labelled.add(kind)
                tick = kind == "icmp-reply"
                ax.plot(group["t"] * 1000, np.full(len(group), y), marker, ls="none", ms=size,
                        color=colour, mec=colour if tick else "black", mew=1.2 if tick else 0.8,
                        label=label, zorder=4 if kind == "garp" else 3, clip_on=True)
    return lanes


def _spaced(frames: pd.DataFrame, view: tuple[float, float]) -> pd.DataFrame:
    """``frames`` inside ``view`` (seconds), at most one per 1/:data:`WIRE_ECHO_MARKS` of it."""
    inside = frames[(frames["t"] >= view[0]) & (frames["t"] <= view[1])]
    if inside.empty:
        return inside
    step = (view[1] - view[0]) / WIRE_ECHO_MARKS
    bins = ((inside["t"] - view[0]) // step).astype(int)
    return inside[~bins.duplicated()]


def draw_lanes(ax: Axes, run: Run, lang: str, colours: dict[str, str],
               xlim: tuple[float, float] | None = None, *, texts: bool = True,
               wire: bool = False) -> list[str]:
    """The lower panel: one lane per interface coloured by MAC, plus the pinger's ARP entry lane, and
    with ``wire`` the frames lanes (:func:`draw_wire`) when the run has frames.

    Segments wide enough (within ``xlim``, in ms, when given) carry their MAC in text, unless ``texts``
    is False (narrow panels redrawn often: the colours and the legend say the same). Returns the MACs
    drawn, for the legend.
    """
    params, meta = run.params, run.meta
    lanes = run.lanes().sort_values("t", kind="stable")
    period = float(meta.get("sample_period_ms") or params.sample_ms) / 1000
    end = float(lanes["t"].max()) + period if len(lanes) else 0.0
    names = [n for n in ("bond0",) if n in set(lanes["ifname"])]
    names += sorted(n for n in set(lanes["ifname"]) if n != "bond0")
    ports = meta.get("adapters", {}).get(params.host, {})
    view = (xlim[0] / 1000, xlim[1] / 1000) if xlim else (float(lanes["t"].min()) if len(lanes) else 0.0, end)
    labels_drawn = _Labels(ax, view, texts)

    seen: list[str] = []
    rows = len(names) + 1
    labels: list[tuple[float, str]] = [(rows, t("plot.lost_axis", lang))]
    draw_lost(ax, run, lang, rows)
    bars, down_bars = _Bars(), _Bars()
    for row, name in enumerate(names):
        y = rows - 1 - row
        label = name
        if params.switch == "vbox-hostonly" and name in ports:
            label += "\n" + t("plot.port_accepts", lang, mac=ports[name][-8:])
        labels.append((y, label))
        lane = lanes[lanes["ifname"] == name]
        for start, stop, (mac, oper, active) in _segments(lane, ["mac", "operstate", "is_active"], end):
            colour = colours.get(mac, UNKNOWN_COLOUR) if isinstance(mac, str) else UNKNOWN_COLOUR
            if isinstance(mac, str) and mac not in seen:
                seen.append(mac)
            up = oper in ("up", "unknown")
            (bars if up else down_bars).add(start, stop, y, colour, active)
            words = [mac[-8:] if isinstance(mac, str) else "?"]
            if active:
                words.append(t("plot.active", lang))
            if not up:
                words.append(t("plot.down", lang))
            # a segment too narrow for all its words gets the MAC alone, then nothing
            if not labels_drawn.add(start, stop, y, " · ".join(words), colour if up else "#ffffff") \
                    and len(words) > 1:
                labels_drawn.add(start, stop, y, words[0], colour if up else "#ffffff")
    # The pinger's ARP entry for the faulted host: the MAC its pings are sent to.
    arp = run.neigh[run.neigh["host"] == params.pinger].sort_values("t", kind="stable")
    peer = meta.get("addresses", {}).get(params.host, params.host).split("/")[0]
    labels.append((0, t("plot.lane_arp", lang, host=params.pinger, peer=peer)))
    arp_end = float(arp["t"].max()) + period if len(arp) else end
    for start, stop, (mac, state) in _segments(arp, ["mac", "state"], arp_end):
        resolved = state == "complete" and isinstance(mac, str)
        colour = colours.get(mac, UNKNOWN_COLOUR) if resolved else UNKNOWN_COLOUR
        if resolved and mac not in seen:
            seen.append(mac)
        bars.add(start, stop, 0, colour, False)
        labels_drawn.add(start, stop, 0, mac[-8:] if resolved else t("plot.unresolved", lang), colour)
    bars.draw(ax)
    down_bars.draw(ax, alpha=0.4, hatch="///")
    bottom = 0
    if wire:
        wire_lanes = draw_wire(ax, run, lang, colours, view, -1)
        labels += wire_lanes
        bottom = -len(wire_lanes)
    _instants(ax, run, lang)
    ax.set_yticks([y for y, _ in labels], [label for _, label in labels], fontsize=8)
    ax.set_ylim(bottom - 0.6, rows + 0.6)
    ax.set_xlabel(t("plot.time_axis", lang))
    return seen


def mac_legend_handles(macs: Sequence[str], colours: dict[str, str], owners: dict[str, str],
                       lang: str) -> list[Patch]:
    return [Patch(facecolor=colours.get(mac, UNKNOWN_COLOUR),
                  label=t("plot.mac_owner", lang, mac=mac, owner=owners[mac]) if mac in owners
                  else t("plot.mac_other", lang, mac=mac))
            for mac in sorted(macs, key=lambda m: list(colours).index(m) if m in colours else 99)]


# ------------------------------------------------------------------------------------------ titles


def _monitor(run: Run, lang: str) -> str:
    p = run.params
    if p.arp_interval:
        target = p.arp_ip_target or run.meta.get("bond_options", {}).get(p.host, {}).get("arp_ip_target", "?")
        return t("plot.monitor_arp", lang, interval=p.arp_interval, target=target)
    return t("plot.monitor_mii", lang, miimon=p.miimon)


def run_title(run: Run, lang: str) -> str:
    p = run.params
    return t("plot.title", lang, mode=p.fail_over_mac, fault=t(f"plot.fault.{p.fault}", lang),
             slave=run.meta.get("failed_slave", "?"), host=p.host)


def run_numbers(run: Run, lang: str) -> str:
    """What this run measured, in one line: failover, lost pings, outage, MAC changes."""
    m = run.metrics
    failover = (t("plot.failover_after", lang, ms=_ms(m.detect_ms), slave=m.active_after or "?")
                if m.detect_ms is not None else t("plot.no_failover", lang))
    outage = (t("plot.ms", lang, ms=_ms(m.outage_ms)) if m.recovered
              else t("plot.not_recovered", lang, ms=_ms(m.outage_ms)))
    changes = t("plot.mac_change_one" if m.mac_changes == 1 else "plot.mac_changes", lang,
                count=m.mac_changes)
    return t("plot.numbers", lang, failover=failover, lost=m.lost, sent=m.sent, outage=outage,
             changes=changes)


def run_subtitle(run: Run, lang: str) -> str:
    p = run.params
    return t("plot.run_subtitle", lang, switch=t(f"plot.switch.{p.switch}", lang),
             monitor=_monitor(run, lang), numbers=run_numbers(run, lang))


#: Settings that can tell runs apart, in the order a panel's title names them.
_SETTINGS = ("fail_over_mac", "fault", "switch", "monitor", "updelay", "downdelay", "primary")


def _setting(run: Run, name: str, lang: str) -> str:
    p = run.params
    if name == "fail_over_mac":
        return f"fail_over_mac={p.fail_over_mac}"
    if name == "fault":
        return t(f"plot.fault.{p.fault}", lang)
    if name == "switch":
        return t(f"plot.switch.{p.switch}", lang)
    if name == "monitor":
        return _monitor(run, lang)
    return f"{name}={getattr(p, name) or 0}"


def varying_settings(runs: Sequence[Run]) -> list[str]:
    """The settings whose values differ between ``runs`` (what each panel of a comparison is about)."""
    return [name for name in _SETTINGS if len({_setting(run, name, "en") for run in runs}) > 1]


# ------------------------------------------------------------------------------------------ figures


def _lane_margin(runs: Sequence[Run], lang: str, width_px: float) -> float:
    """The left margin (a fraction of the figure) that the longest lane label needs, so none is cut."""
    longest = 0
    for run in runs:
        ports = run.meta.get("adapters", {}).get(run.params.host, {})
        words = [t("plot.lane_arp", lang, host=run.params.pinger, peer="192.168.199.199")]
        if run.params.switch == "vbox-hostonly" and ports:
            words.append(t("plot.port_accepts", lang, mac="00:00:00"))
        words.append(t("plot.lost_axis", lang))
        longest = max([longest, *(display_width(line) for word in words for line in word.splitlines())])
    return min(0.4, (longest * 5.6 + 48) / width_px)  # 8 pt text at 100 dpi: about 5.6 px a column


#: Heights (inches) of what sits under the panels: the x-axis label, each legend row, the caption.
_XLABEL_IN, _LEGEND_IN, _CAPTION_IN = 0.42, 0.24, 0.34


def _footer(fig: Figure, ax_rtt: Axes, ax_lanes: Axes, macs: list[str], colours: dict[str, str],
            owners: dict[str, str], lang: str, caption: str | None) -> float:
    """Under the panels: one row of generic marks (they mean the same in every panel), one row of
    MAC colours, and (``caption``, a catalog key) one line saying what to look at. Returns the height
    (a fraction of the figure) they take, for the layout to leave free."""
    height = fig.get_figheight()
    bottom = 0.02
    if caption:
        fig.text(0.5, bottom / height, t(caption, lang), ha="center", va="bottom", fontsize=8.5,
                 style="italic", color="#37474f", wrap=True)
        bottom += _CAPTION_IN
    marks = ax_rtt.get_legend_handles_labels()[0] + ax_lanes.get_legend_handles_labels()[0]
    frame_words = {t(key, lang) for _, _, key in WIRE_MARKS.values()}
    frame_marks = [mark for mark in marks if mark.get_label() in frame_words]
    marks = [mark for mark in marks if mark.get_label() not in frame_words]
    for handles in (frame_marks, mac_legend_handles(macs, colours, owners, lang), marks):
        if handles:
            fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, bottom / height),
                       ncol=len(handles), fontsize=7.5, frameon=False, handlelength=1.4,
                       columnspacing=1.1, borderaxespad=0, borderpad=0.2)
            bottom += _LEGEND_IN
    return bottom / height


def _leave_room(fig: Figure, footer: float, fast: bool, **margins: float) -> None:
    """Fixed margins (``fast``) or the automatic layout, both keeping the footer free."""
    if fast:
        fig.subplots_adjust(bottom=footer + _XLABEL_IN / fig.get_figheight(), **margins)
    else:
        engine = fig.get_layout_engine()
        assert isinstance(engine, ConstrainedLayoutEngine)  # not ``fast``: _canvas made it "constrained"
        engine.set(rect=(0, footer, 1, 1 - footer), h_pad=0.04)


#: Panel titles at a fixed place above the axes: placed automatically, matplotlib measures every tick
#: label of the axes first, which was a third of a redraw.
_TITLE: dict[str, Any] = {"y": 1.0, "pad": 5}


def _column(fig: Figure, axes: Sequence[Axes], run: Run, lang: str, colours: dict[str, str],
            xlim: tuple[float, float] | None, texts: bool = True, wire: bool = False) -> list[str]:
    """One run's two panels (RTT; lost pings and MAC lanes, and with ``wire`` its frames) on one time
    axis; returns the MACs drawn."""
    ax_rtt, ax_mac = axes
    draw_rtt(ax_rtt, run, lang)
    macs = draw_lanes(ax_mac, run, lang, colours, xlim, texts=texts, wire=wire)
    if xlim:
        ax_rtt.set_xlim(*xlim)
    ax_mac.xaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
    return macs


#: The axes :func:`_grid` made on a figure, with the grid's shape (columns, zoom).
_GRIDS: WeakKeyDictionary[Figure, tuple[tuple[int, bool], list[list[Axes]]]] = WeakKeyDictionary()


def _grid(fig: Figure, columns: int, zoom: bool) -> list[list[Axes]]:
    """Axes for ``columns`` runs (rows: RTT; lost pings and lanes), each with a zoomed twin when ``zoom``.
    Two axes a run, not three: each axes costs the explorer's redraw time. A figure whose axes were
    made for the same grid gets them back wiped (see :func:`_wipe`) instead of new ones."""
    shape = (columns, zoom)
    made = _GRIDS.get(fig)
    if made is not None and made[0] == shape:
        for made_column in made[1]:
            for ax in made_column:
                _wipe(ax)
        return made[1]
    fig.clear()
    grid = fig.add_gridspec(2, columns * (2 if zoom else 1), height_ratios=[3, 2.6],
                            width_ratios=[2.2, 1] * columns if zoom else None, hspace=0.06)
    result: list[list[Axes]] = []
    for column in range(grid.ncols):
        top = fig.add_subplot(grid[0, column])
        lanes = fig.add_subplot(grid[1, column], sharex=top)
        top.tick_params(labelbottom=False)
        result.append([top, lanes])
    _GRIDS[fig] = (shape, result)
    return result


def _wipe(ax: Axes) -> None:
    """Take off what a drawing put on ``ax`` (its data, titles, limits) and keep the axes, their
    spines and their ticks: making them again costs more than drawing into them."""
    for artist in [*ax.lines, *ax.collections, *ax.patches, *ax.texts, *ax.artists, *ax.images]:
        artist.remove()
    for loc in ("left", "center", "right"):
        ax.set_title("", loc=loc)
    ax.set_ylabel("")
    ax.set_xlabel("")
    ax.relim()
    ax.set_autoscale_on(True)


def _canvas(into: Figure | None, size: tuple[float, float], fast: bool) -> Figure:
    """``into`` ready to draw on again (its figure-wide texts and legends taken off), or a new figure."""
    if into is None:
        return Figure(figsize=size, layout=None if fast else "constrained")
    for artist in [*into.texts, *into.legends]:  # the suptitle each figure sets again
        artist.remove()
    into.set_size_inches(size)
    return into


def _same_scales(columns: list[list[Axes]]) -> None:
    """One scale for each row of panels, its labels once, on the left. Limits are copied rather than
    the axes shared: shared axes keep every panel's tick labels, only hidden, and each costs a redraw."""
    for row in range(len(columns[0])):
        axes = [column[row] for column in columns]
        low = min(ax.get_ylim()[0] for ax in axes)
        high = max(ax.get_ylim()[1] for ax in axes)
        left = min(ax.get_xlim()[0] for ax in axes)
        right = max(ax.get_xlim()[1] for ax in axes)
        for index, ax in enumerate(axes):
            ax.set_ylim(low, high)
            ax.set_xlim(left, right)
            if index:
                ax.yaxis.set_major_locator(NullLocator())


def run_figure(run: Run, lang: str | None = None, xlim: tuple[float, float] | None = None,
               fast: bool = False, size: tuple[float, float] | None = None,
               zoom: tuple[float, float] | None = ZOOM, into: Figure | None = None) -> Figure:
    """One run: RTT, lost pings and the MAC lanes on one time axis, with the fault up close beside it.

    ``zoom`` (ms, None for none) adds the zoomed view on the right; ``fast``: fixed margins and no
    zoom or caption (the explorer's redraws, which choose their window instead). ``into``: a figure
    this made before (``fast`` ones only), drawn on again rather than a new one made.
    """
    lang = get_lang(lang)
    use_korean_font()
    zoom = None if fast else zoom
    wire = not fast and bool(wire_nics(run))
    width, height = size or ((10.0, 6.4) if zoom else (8.6, 5.6))
    if wire and not size:  # the frames lanes and their legend row
        height += 0.45 * len(wire_nics(run)) + _LEGEND_IN
    fig = _canvas(into if fast else None, (width, height), fast)
    colours = mac_palette([run])
    columns = _grid(fig, 1, zoom is not None)
    macs = _column(fig, columns[0], run, lang, colours, xlim, wire=wire)
    columns[0][0].set_title(run_subtitle(run, lang), fontsize=8.5, loc="left", **_TITLE)
    if zoom is not None:
        _column(fig, columns[1], run, lang, colours, zoom, wire=wire)
        columns[1][0].set_title(t("plot.zoom_title", lang, start=_ms(zoom[0]), end=_ms(zoom[1])),
                                fontsize=8.5, **_TITLE)
        columns[1][1].set_yticks([])
        columns[1][0].set_ylabel("")
        for ax in columns[1]:
            ax.set_xlim(*zoom)
        for ax in columns[0]:
            _vspan(ax, *zoom, color="#ffd54f", alpha=0.12, lw=0, zorder=0)
    fig.suptitle(run_title(run, lang), fontsize=11.5)
    footer = _footer(fig, columns[0][0], columns[0][1], macs, colours, mac_owners(run), lang,
                     None if fast else "plot.caption.run")
    _leave_room(fig, footer, fast, left=_lane_margin([run], lang, width * 100), right=0.975,
                top=1 - 0.8 / height)
    return fig


def comparison_figure(runs: Sequence[Run], lang: str | None = None, xlim: tuple[float, float] | None = None,
                      fast: bool = False, size: tuple[float, float] | None = None,
                      zoom: tuple[float, float] | None = None, into: Figure | None = None) -> Figure:
    """The runs side by side (by mode, then monitor and interval), on one time scale and one MAC palette.

    Each panel's title names what tells it apart from the others (the setting that varies) and its own
    numbers; the figure's title names what they share. ``xlim`` or ``zoom`` (ms) chooses the window (the
    notebooks show the fault up close with ``zoom=plot.ZOOM``). ``fast`` trades the automatic layout (a
    second pass over every text) for fixed margins: the explorer redraws this way, ``into`` the figure
    it drew before when it has one (as :func:`run_figure`).
    """
    lang = get_lang(lang)
    use_korean_font()
    runs = sorted(runs, key=lambda r: (MODES.index(r.params.fail_over_mac), bool(r.params.arp_interval),
                                       r.params.arp_interval or r.params.miimon, r.params.downdelay,
                                       r.params.updelay, r.id))
    xlim = zoom or xlim
    width, height = size or (10.0, 7.2)
    # The frames lanes when every run has them (the explorer's fast redraws leave them out).
    wire = not fast and bool(runs) and all(wire_nics(run) for run in runs)
    if wire and not size:
        height += 0.45 * max(len(wire_nics(run)) for run in runs) + _LEGEND_IN
    fig = _canvas(into if fast and runs else None, (width, height), fast)
    if not runs:
        fig.text(0.5, 0.5, t("plot.no_data", lang), ha="center", va="center", fontsize=14)
        return fig
    colours = mac_palette(runs)
    columns = _grid(fig, len(runs), False)
    varying = varying_settings(runs) or ["fail_over_mac"]
    macs: list[str] = []
    owners: dict[str, str] = {}
    for index, (run, axes) in enumerate(zip(runs, columns, strict=True)):
        macs += [m for m in _column(fig, axes, run, lang, colours, xlim, texts=not fast, wire=wire)
                 if m not in macs]
        owners.update(mac_owners(run))
        heading = ", ".join(_setting(run, name, lang) for name in varying)
        lines = [heading]
        if varying == ["fail_over_mac"] and not fast:  # the explorer's panels are too narrow for it
            lines.append(t(f"plot.mode.{run.params.fail_over_mac}", lang))
        lines += run_numbers(run, lang).split(" · ")
        axes[0].set_title("\n".join(lines), fontsize=8, linespacing=1.35, **_TITLE)
        if index:
            axes[0].set_ylabel("")
        for ax in axes:
            ax.xaxis.set_major_locator(MaxNLocator(nbins=4 if len(runs) < 3 or not fast else 3,
                                                   steps=[1, 2, 2.5, 5, 10]))
    _same_scales(columns)
    shared = [name for name in ("fail_over_mac", "fault", "switch", "monitor") if name not in varying]
    first = runs[0]
    settings = ", ".join(_setting(first, name, lang) for name in shared)
    fig.suptitle(t("plot.compare_settings", lang, settings=settings), fontsize=11.5)
    footer = _footer(fig, columns[0][0], columns[0][1], macs, colours, owners, lang,
                     None if fast else "plot.caption.compare")
    _leave_room(fig, footer, fast, left=_lane_margin(runs, lang, width * 100), right=0.98,
                top=1 - 1.3 / height, wspace=0.1)
    return fig


#: The panels of a sweep figure: the MII sweep and downdelay on a pulled cable, the ARP sweep on a
#: silent drop (settings as ``bondkit.failover.store.SWEEPS`` names them).
SWEEP_PANELS = (("mii", ("miimon50", "miimon100", "miimon200", "miimon500", "downdelay200")),
                ("arp", ("arp50", "arp100", "arp200", "arp500")))


def sweep_figure(sweeps: pd.DataFrame, lang: str | None = None) -> Figure:
    """Detection time of every repeated run, a dot each, and a bar at each setting's median: the
    spread one run hides (the fault lands anywhere in the monitor's period). Under each panel: how
    many runs it holds and the time resolution (link samples, ping interval)."""
    lang = get_lang(lang)
    use_korean_font()
    fig = Figure(figsize=(10, 3.8), layout="constrained")
    axes = fig.subplots(1, len(SWEEP_PANELS), width_ratios=[5, 4])  # own scales: ARP waits 10x longer
    jitter = np.random.default_rng(0)
    recorded = set(sweeps["setting"]) if "setting" in sweeps else set()
    for ax, (monitor, settings) in zip(axes, SWEEP_PANELS, strict=True):
        shown = [name for name in settings if name in recorded]
        for x, name in enumerate(shown):
            rows = sweeps.loc[sweeps["setting"] == name, "detect_ms"]
            detect = pd.to_numeric(rows, errors="coerce").dropna()
            ax.scatter(x + jitter.uniform(-0.15, 0.15, len(detect)), detect, s=16, color=PALETTE[0],
                       alpha=0.75, zorder=3)
            if len(detect):
                ax.hlines(detect.median(), x - 0.32, x + 0.32, color=FAULT_COLOUR, linewidth=2.2, zorder=4)
            band = expected_detect(sweeps[sweeps["setting"] == name])
            if band is not None:
                ax.fill_between([x - 0.38, x + 0.38], *band, color=FAILOVER_COLOUR, alpha=0.13, lw=0,
                                zorder=1, label=t("plot.sweep.band", lang) if x == 0 else None)
        ax.set_xticks(range(len(shown)), [t(f"plot.sweep.{name}", lang) for name in shown], fontsize=9)
        ax.set_xlim(-0.6, max(len(shown), 1) - 0.4)
        ax.set_title(t(f"plot.sweep.title_{monitor}", lang), fontsize=11)
        rows = sweeps[sweeps["setting"].isin(shown)] if shown else sweeps.iloc[0:0]
        sample = pd.to_numeric(rows.get("sample_period_ms", pd.Series(dtype=float)), errors="coerce")
        ping = pd.to_numeric(rows.get("ping_interval_ms", pd.Series(dtype=float)), errors="coerce")
        ax.set_xlabel(t("plot.sweep.resolution", lang, runs=len(rows), sample=_ms(sample.median()),
                        ping=_ms(ping.median())), fontsize=9)
        ax.grid(axis="y", alpha=0.3)
        ax.legend(loc="upper left", fontsize=8.5, frameon=False)
    axes[0].set_ylabel(t("plot.sweep.detect_axis", lang))
    return fig


def expected_detect(rows: pd.DataFrame) -> tuple[float, float] | None:
    """Where the rule puts a setting's detection time (ms): within one period after the fault with
    ``miimon`` (after ``downdelay`` more), and between 2.5 and 3.5 intervals with ARP monitoring (a
    slave is given up once it heard nothing for ``arp_missed_max`` = 2 intervals and a half, checked
    once an interval). Drawn behind the dots, so the dots above it (one link sample late) show."""
    if rows.empty:
        return None
    first = rows.iloc[0]
    miimon, arp = float(first.get("miimon") or 0), float(first.get("arp_interval") or 0)
    if arp:
        return 2.5 * arp, 3.5 * arp
    if miimon:
        delay = float(first.get("downdelay") or 0)
        return delay, delay + miimon
    return None
