"""Figures from the recorded runs: panels, lanes, labels in both languages, no missing glyph, and a
recorded run that reloads into the identical figure."""

from __future__ import annotations

import io
import logging
import re
import warnings

import pytest

from bondkit.failover import MODES, Run
from bondkit.failover.store import default_runs_dir, load_runs
from bondkit.plot import (
    LANE_FONT,
    PALETTE,
    ZOOM,
    comparison_figure,
    mac_palette,
    run_figure,
    sweep_figure,
    text_colour,
)

HANGUL = re.compile("[\uac00-\ud7a3]")


@pytest.fixture(scope="module")
def runs() -> dict[str, Run]:
    return {run.id: run for run in load_runs()}


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=60)
    return buffer.getvalue()


def _texts(fig) -> list[str]:
    return [text.get_text() for text in fig.findobj(lambda artist: hasattr(artist, "get_text"))]


def _render_without_missing_glyphs(fig, caplog) -> None:
    """Draw ``fig``; fail on any missing-glyph warning (warnings module or matplotlib's log), and on
    a layout that could not be applied."""
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.WARNING):
        warnings.simplefilter("always")
        _png(fig)
    messages = [str(w.message) for w in caught] + [r.getMessage() for r in caplog.records]
    pattern = re.compile(r"Glyph .* missing|does not have a glyph|missing from font|layout not applied")
    missing = [m for m in messages if pattern.search(m)]
    assert not missing, missing


def _legend_texts(fig) -> list[str]:
    return [text.get_text() for legend in fig.legends for text in legend.get_texts()]


def test_run_figure_has_rtt_lost_pings_and_mac_lanes_and_the_fault_up_close(runs):
    run = runs["follow_carrier-loss_learning_mii100"]
    fig = run_figure(run, "en")
    rtt, lanes, zoom_rtt, zoom_lanes = fig.axes
    assert rtt.get_ylabel() == "ping RTT (ms)" and lanes.get_xlabel() == "time relative to the fault (ms)"
    labels = [tick.get_text() for tick in lanes.get_yticklabels()]
    assert labels[:4] == ["lost pings", "bond0", "enp0s8", "enp0s9"] and "client's ARP entry" in labels[4]
    texts = _texts(fig)
    assert any(text.startswith("fail_over_mac=follow") for text in texts)
    assert any("enp0s8's own MAC" in text for text in texts)  # the legend names each address's owner
    assert any(text.endswith("active") for text in texts)  # the active slave is shown in its lane
    # lost pings on a lane of their own, one mark each; the RTT panel shows only replies
    marks = [line for line in lanes.get_lines() if line.get_marker() == "|"]
    assert run.metrics.lost and len(marks[0].get_xdata()) == run.metrics.lost
    replies = [line for line in rtt.get_lines() if line.get_marker() == "."]
    assert len(replies[0].get_xdata()) == run.metrics.sent - run.metrics.lost
    # the zoomed view: the fault up close, named in its title
    assert zoom_rtt.get_xlim() == ZOOM and zoom_lanes.get_xlim() == ZOOM
    assert "up close: -100..300 ms" in zoom_rtt.get_title()
    # one line under the figure says what to look at
    assert any(text.startswith("Look at the lost pings") for text in texts)


def test_legends_are_generic_and_the_numbers_are_in_the_titles(runs):
    run = runs["active_carrier-loss_learning_mii100"]  # a run that lost pings: their marks are in the legend
    assert run.metrics.lost > 0
    fig = run_figure(run, "en")
    legend = _legend_texts(fig)
    assert {"reply", "fault", "failover", "restore", "outage", "lost ping"} <= set(legend)
    marks = [text for text in legend if "MAC" not in text]
    assert not any(ch.isdigit() for text in marks for ch in text), marks
    title = fig.axes[0].get_title(loc="left")
    assert f"failover to enp0s9 after {run.metrics.detect_ms:.0f} ms" in title
    assert f"{run.metrics.lost} of {run.metrics.sent} pings lost" in title
    assert "1 MAC change" in title and "1 MAC changes" not in title


def test_a_run_without_failover_says_so_plainly(runs):
    fig = run_figure(runs["active_silent-drop_learning_mii100"], "en")
    title = fig.axes[0].get_title(loc="left")
    assert "no failover seen" in title and "after none seen" not in title


def test_vbox_hostonly_lanes_say_what_each_port_lets_through(runs):
    run = runs["none_admin-down_vbox-hostonly_mii100"]
    labels = [tick.get_text() for tick in run_figure(run, "en").axes[1].get_yticklabels()]
    port = run.meta["adapters"]["server"]["enp0s9"][-8:]
    assert f"enp0s9\nport accepts {port}" in labels


def test_mac_colours_follow_the_adapters_in_every_figure(runs):
    palette = mac_palette([runs["none_admin-down_learning_mii100"]])
    other = mac_palette([runs["active_carrier-loss_vbox-hostonly_mii100"]])
    adapters = runs["none_admin-down_learning_mii100"].meta["adapters"]["server"]
    for mac in adapters.values():
        assert palette[mac] == other[mac]


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_figures_render_without_missing_glyphs(runs, lang, caplog):
    for run_id in ("active_silent-drop_learning_arp100", "none_admin-down_vbox-hostonly_mii100"):
        _render_without_missing_glyphs(run_figure(runs[run_id], lang), caplog)
    for switch in ("learning", "vbox-hostonly"):
        trio = [runs[f"{mode}_admin-down_{switch}_mii100"] for mode in MODES]
        _render_without_missing_glyphs(comparison_figure(trio, lang), caplog)


def test_korean_labels(runs):
    run = runs["active_admin-down_learning_mii100"]
    fig = run_figure(run, "ko")
    assert fig.axes[1].get_xlabel() == "장애 시점 기준 시간 (ms)"
    assert any(HANGUL.search(text) for text in _texts(fig))
    assert any("ip link set down으로 내림" in text for text in _texts(fig))
    assert f"{run.metrics.detect_ms:.0f} ms 뒤 enp0s9로 페일오버" in fig.axes[0].get_title(loc="left")


def test_comparison_puts_the_three_modes_side_by_side(runs):
    trio = [runs[f"{mode}_admin-down_learning_mii100"] for mode in ("follow", "none", "active")]
    fig = comparison_figure(trio, "en")
    assert len(fig.axes) == 6  # RTT, and lost pings with the lanes, for each
    titles = [ax.get_title() for ax in fig.axes[::2]]
    assert [title.splitlines()[0] for title in titles] == [f"fail_over_mac={m}" for m in MODES]
    assert "share one MAC" in titles[0] and "takes the bond's MAC" in titles[2]
    for title, run in zip(titles, sorted(trio, key=lambda r: MODES.index(r.params.fail_over_mac)),
                          strict=True):  # each panel's own numbers
        assert f"{run.metrics.lost} of {run.metrics.sent} pings lost" in title
    assert fig._suptitle.get_text().startswith("Side by side: ip link set down")


def test_each_panel_names_the_setting_that_varies(runs):
    sweep = [runs[f"active_carrier-loss_learning_mii{ms}"] for ms in (50, 100, 200, 500)]
    fig = comparison_figure(sweep, "en", zoom=ZOOM)
    titles = [ax.get_title().splitlines()[0] for ax in fig.axes[::2]]
    assert titles == [f"miimon {ms} ms" for ms in (50, 100, 200, 500)]
    assert "fail_over_mac=active" in fig._suptitle.get_text() and "miimon" not in fig._suptitle.get_text()
    assert all(ax.get_xlim() == ZOOM for ax in fig.axes)
    silent = [runs["active_silent-drop_learning_mii100"], runs["active_silent-drop_learning_arp100"]]
    titles = [ax.get_title().splitlines()[0] for ax in comparison_figure(silent, "en").axes[::2]]
    assert titles[0].startswith("miimon 100 ms") and titles[1].startswith("ARP monitoring every 100 ms")


def test_a_recorded_run_reloads_into_the_identical_figure(tmp_path):
    original = Run.load(default_runs_dir() / "follow_carrier-loss_learning_mii100")
    png = _png(run_figure(original, "ko"))
    copy = Run.load(original.save(tmp_path / original.id))
    assert _png(run_figure(copy, "ko")) == png


def test_a_figure_drawn_again_matches_a_new_one_pixel_for_pixel(runs):
    """The explorer draws each view on the figure of its layout again: nothing of the view before
    (data, titles, limits, legends, scales) may remain in the image."""
    one = [runs["active_admin-down_learning_mii100"], runs["none_silent-drop_learning_arp100"],
           runs["follow_carrier-loss_learning_mii100"]]
    trios = [[runs[f"{mode}_admin-down_learning_mii100"] for mode in MODES],
             [runs[f"{mode}_silent-drop_learning_arp100"] for mode in MODES]]
    fig = None
    windows = ((-1000, 2500), (-100, 300), (-200, 1000))
    for run, lang, xlim in zip(one, ("en", "ko", "en"), windows, strict=True):
        fig = run_figure(run, lang, xlim=xlim, fast=True, size=(8.4, 5.3), into=fig)
        assert _png(fig) == _png(run_figure(run, lang, xlim=xlim, fast=True, size=(8.4, 5.3)))
    fig = None
    for trio, lang, xlim in zip(trios, ("ko", "en"), ((-100, 300), (-1000, 2500)), strict=True):
        again = comparison_figure(trio, lang, xlim=xlim, fast=True, size=(8.4, 6.0), into=fig)
        assert fig is None or again is fig
        fig = again
        assert _png(fig) == _png(comparison_figure(trio, lang, xlim=xlim, fast=True, size=(8.4, 6.0)))


def test_plot_module_does_no_io():
    import bondkit.plot as plot

    source = open(plot.__file__, encoding="utf-8").read()
    for call in ("savefig(", "open(", "to_csv(", "read_csv(", "write_"):
        assert call not in source


# --------------------------------------------------------------------------- a room can read them


def _contrast(a: str, b: str) -> float:
    from matplotlib.colors import to_rgb

    def luminance(colour: str) -> float:
        r, g, b_ = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(colour))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b_

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_lane_text_stands_out_from_every_mac_colour():
    """The text written on a lane is black or white, whichever contrasts more; on each colour of the
    palette that is at least 3:1 (WCAG's large text), which white on the orange lane was not."""
    for face in PALETTE:
        assert _contrast(text_colour(face), face) >= 3.0, face
    assert text_colour("#ff7f0e") == "black" and text_colour("#1f77b4") == "white"


def _lane_labels(ax):
    return [text for text in ax.texts if text.get_text() and text.get_fontsize() == LANE_FONT]


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_lane_labels_are_large_one_per_segment_and_never_overlap(runs, lang):
    """Projector size: lane labels at 9.5 pt or more, and in every panel (the zoomed ones included) no
    two labels of one lane overlap and none spills out of the panel."""
    assert LANE_FONT >= 9
    trio = [runs[f"{mode}_admin-down_learning_mii100"] for mode in MODES]
    follow = runs["follow_admin-down_learning_mii100"]
    for fig in (comparison_figure(trio, lang, zoom=ZOOM), run_figure(follow, lang)):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        fig.set_dpi(150)
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        renderer = canvas.get_renderer()
        for ax in fig.axes:
            labels = _lane_labels(ax)
            panel = ax.get_window_extent(renderer)
            boxes = [(text.get_position()[1], text.get_window_extent(renderer)) for text in labels]
            for _y, box in boxes:
                assert panel.x0 - 1 <= box.x0 and box.x1 <= panel.x1 + 1, (lang, box, panel)
            for i, (y, box) in enumerate(boxes):
                for other_y, other in boxes[i + 1:]:
                    if y == other_y:
                        assert not box.overlaps(other), (lang, y)
        assert any(_lane_labels(ax) for ax in fig.axes)


def test_notebook_figures_are_rendered_at_150_dpi_or_more():
    from bondkit.notebook.language import FIGURE_DPI

    assert FIGURE_DPI >= 150


def test_the_sweep_figure_draws_where_the_rule_puts_each_setting():
    import pandas as pd

    from bondkit.failover.store import default_sweeps_dir
    from bondkit.plot import expected_detect

    sweeps = pd.read_csv(default_sweeps_dir() / "index.csv")
    assert expected_detect(sweeps[sweeps["setting"] == "miimon100"]) == (0.0, 100.0)
    assert expected_detect(sweeps[sweeps["setting"] == "downdelay200"]) == (200.0, 300.0)
    assert expected_detect(sweeps[sweeps["setting"] == "arp200"]) == (500.0, 700.0)
    fig = sweep_figure(sweeps, "en")
    assert any("where the rule puts it" in text for text in _texts(fig))


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_frames_lanes_show_the_gratuitous_arp_where_it_left(runs, lang):
    """The run figure's frames lanes (one per server slave): the gratuitous ARP is a star at the moment
    and on the lane of the NIC that sent it, in the colour of its source MAC, named in a legend row of
    its own that overlaps no other."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.colors import to_hex

    run = runs["none_carrier-loss_learning_mii100"]
    frames = run.frames
    garp = frames[frames["gratuitous"] & (frames["direction"] == "out") & (frames["nic"] == "server/enp0s9")]
    assert len(garp) == 1
    fig = run_figure(run, lang)
    lanes = fig.axes[1]
    ticks = {tick.get_text(): y for tick, y in zip(lanes.get_yticklabels(), lanes.get_yticks(), strict=True)}
    wire = [label for label in ticks if "enp0s9" in label and label not in ("enp0s9",)]
    assert len(wire) == 1, ticks
    stars = [line for line in lanes.get_lines() if line.get_marker() == "*"]
    assert len(stars) == 1
    assert list(stars[0].get_xdata()) == pytest.approx([float(garp["t"].iloc[0]) * 1000])
    assert list(stars[0].get_ydata()) == [ticks[wire[0]]]
    assert to_hex(stars[0].get_color()) == mac_palette([run])[garp["src_mac"].iloc[0]]
    legend = _legend_texts(fig)
    assert ("gratuitous ARP" in legend)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    boxes = [legend.get_window_extent(canvas.get_renderer()) for legend in fig.legends]
    assert len(boxes) == 3
    for i, box in enumerate(boxes):
        assert not any(box.overlaps(other) for other in boxes[i + 1:])


def test_a_run_recorded_without_frames_has_no_frames_lanes(runs):
    recorded = runs["none_carrier-loss_learning_mii100"]
    old = Run(meta=recorded.meta, pings=recorded.pings, links=recorded.links, neigh=recorded.neigh)
    labels = [tick.get_text() for tick in run_figure(old, "en").axes[1].get_yticklabels()]
    assert len(labels) == 5 and not [line for line in run_figure(old, "en").axes[1].get_lines()
                                     if line.get_marker() == "*"]
