"""Figures of failover runs: ping RTT over time above a MAC-address timeline, in English or Korean.

One run's figure has two panels on one time axis (milliseconds since the fault). Above: the RTT of
each answered ping, lost pings marked, the fault, the failover and the restore as vertical lines, the
outage shaded. Below: one lane per interface of the faulted host (bond0 and its slaves) coloured by
the MAC address it had, with the active slave outlined, and one lane for the MAC the pinger's ARP
table holds for it, which is where its pings go. On a vbox-hostonly switch each slave lane also says
which MAC its port lets through, so a failover that breaks the connection can be read off the colours.

A MAC keeps its colour in every figure (colours follow the adapters, not the order of appearance),
so three modes side by side can be compared by eye. Nothing here reads or writes files: callers save.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator, NullLocator

from bondkit.failover.params import MODES
from bondkit.failover.record import Run
from bondkit.fonts import use_korean_font
from bondkit.i18n import get_lang, t

#: Colours of MAC addresses: the faulted host's adapters first (enp0s8 blue, enp0s9 orange), then any
#: other address in order of appearance.
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22")
UNKNOWN_COLOUR = "#bbbbbb"
LOST_COLOUR = "#d62728"
FAULT_COLOUR = "#8b0000"
FAILOVER_COLOUR = "#2e7d32"


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


def _ms(value: float | None) -> str:
    return "-" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.0f}"


def draw_rtt(ax: Axes, run: Run, lang: str, *, legend: bool = True) -> None:
    """The upper panel: RTT of answered pings (log scale), lost pings, fault/failover/restore, outage."""
    pings, metrics, meta = run.pings, run.metrics, run.meta
    answered = pings[~pings["lost"]]
    ax.plot(answered["t"] * 1000, answered["rtt_ms"].clip(lower=0.01), ".", ms=2.5, color="#455a64",
            label=t("plot.reply", lang))
    lost = pings[pings["lost"]]
    if len(lost):  # unclipped so the marks sit on the axis; an empty unclipped line would upset layout
        ax.plot(lost["t"] * 1000, np.full(len(lost), 0.02), "x", ms=5, color=LOST_COLOUR, mew=1.2,
                label=t("plot.lost", lang) + f" ({len(lost)})", clip_on=False)
    ax.set_yscale("log")
    # Plain numbers: the default log labels are mathtext (10^-1), whose minus sign NanumGothic lacks.
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    ax.yaxis.set_minor_locator(NullLocator())  # fewer tick artists: redraws stay fast
    top = max(float(answered["rtt_ms"].max()) if len(answered) else 1.0, 1.0)
    ax.set_ylim(0.015, top * 40)  # room above the points for the legend
    window = float(meta.get("fault_window_ms", 0.0))
    if window > 0:
        ax.axvspan(-window, 0, color=FAULT_COLOUR, alpha=0.12, lw=0, label=t("plot.fault_window", lang))
    ax.axvline(0, color=FAULT_COLOUR, lw=1.5, label=t("plot.fault_line", lang))
    if metrics.detect_ms is not None:
        ax.axvline(metrics.detect_ms, color=FAILOVER_COLOUR, lw=1.5, ls="--",
                   label=t("plot.failover_line", lang, slave=metrics.active_after or "?",
                           ms=_ms(metrics.detect_ms)))
    restore = meta.get("restore_t")
    if restore is not None:
        ax.axvline(float(restore) * 1000, color="#616161", lw=1.2, ls=":", label=t("plot.restore_line", lang))
    if metrics.first_lost_ms is not None:
        start = metrics.first_lost_ms
        ax.axvspan(start, start + metrics.outage_ms, color=LOST_COLOUR, alpha=0.15, lw=0,
                   label=t("plot.outage_span", lang, ms=_ms(metrics.outage_ms)))
    ax.set_ylabel(t("plot.rtt_axis", lang))
    ax.grid(True, which="major", alpha=0.3)
    if legend:
        ax.legend(loc="upper right", fontsize=7, ncol=2, framealpha=0.85)


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


def draw_lanes(ax: Axes, run: Run, lang: str, colours: dict[str, str],
               xlim: tuple[float, float] | None = None) -> list[str]:
    """The lower panel: one lane per interface coloured by MAC, plus the pinger's ARP entry lane.

    Segments wide enough (within ``xlim``, in ms, when given) carry their MAC in text. Returns the
    MACs drawn, for the legend.
    """
    params, meta = run.params, run.meta
    lanes = run.lanes().sort_values("t", kind="stable")
    period = float(meta.get("sample_period_ms") or params.sample_ms) / 1000
    end = float(lanes["t"].max()) + period if len(lanes) else 0.0
    names = [n for n in ("bond0",) if n in set(lanes["ifname"])]
    names += sorted(n for n in set(lanes["ifname"]) if n != "bond0")
    ports = meta.get("adapters", {}).get(params.host, {})
    view = (xlim[0] / 1000, xlim[1] / 1000) if xlim else (float(lanes["t"].min()) if len(lanes) else 0.0, end)
    span = max(view[1] - view[0], 1e-3)

    def label_at(start: float, stop: float) -> float | None:
        """Where a segment's text goes: the middle of its visible part, if that part is wide enough."""
        left, right = max(start, view[0]), min(stop, view[1])
        return (left + right) / 2 * 1000 if (right - left) / span > 0.12 else None

    seen: list[str] = []
    labels = []
    rows = len(names) + 1
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
            where = label_at(start, stop)
            if where is not None:
                words = [mac[-8:] if isinstance(mac, str) else "?"]
                if active:
                    words.append(t("plot.active", lang))
                if not up:
                    words.append(t("plot.down", lang))
                ax.text(where, y, " · ".join(words), ha="center", va="center",
                        fontsize=7, color="white" if up else "black", clip_on=True)
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
        where = label_at(start, stop)
        if where is not None:
            text = mac[-8:] if resolved else t("plot.unresolved", lang)
            ax.text(where, 0, text, ha="center", va="center", fontsize=7,
                    color="white" if resolved else "black", clip_on=True)
    bars.draw(ax)
    down_bars.draw(ax, alpha=0.4, hatch="///")
    ax.axvline(0, color=FAULT_COLOUR, lw=1.5)
    if run.metrics.detect_ms is not None:
        ax.axvline(run.metrics.detect_ms, color=FAILOVER_COLOUR, lw=1.5, ls="--")
    if meta.get("restore_t") is not None:
        ax.axvline(float(meta["restore_t"]) * 1000, color="#616161", lw=1.2, ls=":")
    ax.set_yticks([y for y, _ in labels], [label for _, label in labels], fontsize=8)
    ax.set_ylim(-0.6, rows - 0.4)
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


def run_subtitle(run: Run, lang: str) -> str:
    p, m = run.params, run.metrics
    detect = t("plot.ms", lang, ms=_ms(m.detect_ms)) if m.detect_ms is not None else t("plot.never", lang)
    outage = (t("plot.ms", lang, ms=_ms(m.outage_ms)) if m.recovered
              else t("plot.not_recovered", lang, ms=_ms(m.outage_ms)))
    return t("plot.subtitle", lang, switch=t(f"plot.switch.{p.switch}", lang), monitor=_monitor(run, lang),
             detect=detect, lost=m.lost, sent=m.sent, outage=outage, changes=m.mac_changes)


# ------------------------------------------------------------------------------------------ figures


def draw_run(fig: Figure, run: Run, lang: str | None = None, xlim: tuple[float, float] | None = None) -> None:
    """Draw one run's two panels into an empty ``fig`` (the explorer reuses its figure this way)."""
    lang = get_lang(lang)
    use_korean_font()
    ax_rtt, ax_mac = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 2]})
    colours = mac_palette([run])
    draw_rtt(ax_rtt, run, lang)
    macs = draw_lanes(ax_mac, run, lang, colours, xlim)
    ax_rtt.set_title(run_subtitle(run, lang), fontsize=8.5)
    fig.suptitle(run_title(run, lang), fontsize=12)
    fig.legend(handles=mac_legend_handles(macs, colours, mac_owners(run), lang),
               loc="outside lower center" if fig.get_layout_engine() else "lower center",
               ncol=min(len(macs), 3) or 1, fontsize=8, frameon=False)
    if xlim:
        ax_rtt.set_xlim(*xlim)


def run_figure(run: Run, lang: str | None = None, xlim: tuple[float, float] | None = None,
               fast: bool = False) -> Figure:
    """One run: RTT with lost pings and the fault/failover/restore instants above the MAC timeline.

    ``fast``: fixed margins instead of the automatic layout (for the explorer's redraws).
    """
    use_korean_font()
    fig = Figure(figsize=(11, 6.6), layout=None if fast else "constrained")
    if fast:
        fig.subplots_adjust(left=0.14, right=0.99, top=0.87, bottom=0.15, hspace=0.06)
    else:
        fig.get_layout_engine().set(h_pad=0.08)
    draw_run(fig, run, lang, xlim)
    return fig


def comparison_figure(runs: Sequence[Run], lang: str | None = None, xlim: tuple[float, float] | None = None,
                      fast: bool = False) -> Figure:
    """The runs side by side (ordered none, active, follow), on one time scale and one MAC palette.

    ``fast`` trades the automatic layout (a second pass over every text) for fixed margins: the
    explorer redraws this way.
    """
    lang = get_lang(lang)
    use_korean_font()
    runs = sorted(runs, key=lambda r: (MODES.index(r.params.fail_over_mac), r.id))
    fig = Figure(figsize=(5.6 * max(len(runs), 1), 7.8), layout=None if fast else "constrained")
    if fast:
        fig.subplots_adjust(left=0.13, right=0.99, top=0.74, bottom=0.13, hspace=0.06, wspace=0.06)
    if not runs:
        fig.text(0.5, 0.5, t("plot.no_data", lang), ha="center", va="center")
        return fig
    colours = mac_palette(runs)
    axes = fig.subplots(2, len(runs), sharex=True, sharey="row", squeeze=False,
                        gridspec_kw={"height_ratios": [3, 2]})
    macs: list[str] = []
    owners: dict[str, str] = {}
    for column, run in enumerate(runs):
        draw_rtt(axes[0][column], run, lang, legend=column == 0 and not fast)
        macs += [m for m in draw_lanes(axes[1][column], run, lang, colours, xlim) if m not in macs]
        owners.update(mac_owners(run))
        p = run.params
        details = "\n".join(run_subtitle(run, lang).split(" | ")[1:])
        mode = t(f"plot.mode.{p.fail_over_mac}", lang)
        axes[0][column].set_title(f"fail_over_mac={p.fail_over_mac}\n{mode}\n{details}", fontsize=8.5,
                                  linespacing=1.5)
        if column:  # the rows share their y axes: labels once, on the left
            axes[0][column].set_ylabel("")
            for ax in axes[:, column]:
                ax.tick_params(labelleft=False)
    axes[1][0].xaxis.set_major_locator(MaxNLocator(nbins=5))  # columns sit close: fewer labels
    if xlim:
        axes[0][0].set_xlim(*xlim)
    first = runs[0]
    fig.suptitle(t("plot.compare_title", lang, fault=t(f"plot.fault.{first.params.fault}", lang),
                   switch=t(f"plot.switch.{first.params.switch}", lang), monitor=_monitor(first, lang)),
                 fontsize=12)
    fig.legend(handles=mac_legend_handles(macs, colours, owners, lang),
               loc="outside lower center" if fig.get_layout_engine() else "lower center",
               ncol=min(len(macs), 4) or 1, fontsize=8, frameon=False)
    return fig
