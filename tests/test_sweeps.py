"""The repeated runs behind notebook 05's timing claims (data/sweeps, scripts/record_sweeps.py):
enough of them, and the stories the notebook tells hold across all of them, not in one lucky draw."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from bondkit.failover import Run
from bondkit.failover.report import sweep_frame
from bondkit.failover.store import SWEEPS, default_sweeps_dir, load_sweeps

SWEEPS_FRAME = load_sweeps()
pytestmark = pytest.mark.skipif(SWEEPS_FRAME.empty, reason="data/sweeps has not been recorded")


def detect(setting: str) -> pd.Series:
    rows = SWEEPS_FRAME[SWEEPS_FRAME["setting"] == setting]
    return pd.to_numeric(rows["detect_ms"], errors="coerce")


def test_every_setting_has_at_least_ten_real_runs_on_disk():
    for setting in SWEEPS:
        rows = SWEEPS_FRAME[SWEEPS_FRAME["setting"] == setting]
        assert len(rows) >= 10, setting
        for path in rows["path"]:
            run = Run.load(default_sweeps_dir() / path)
            assert run.meta["clock_offsets_ms"] and run.meta["kernel"]


def longest_sampling_gap_ms(path: str) -> float:
    """The longest wait between two link samples of the faulted host after the fault: the detection
    cannot be seen more closely than that (an emulated guest busy with the failover samples late)."""
    run = Run.load(default_sweeps_dir() / path)
    times = sorted(set(run.links.loc[(run.links["host"] == run.params.host) & (run.links["t"] >= 0), "t"]))
    return max((b - a for a, b in zip(times, times[1:], strict=False)), default=0.0) * 1000


def test_miimon_detection_lies_within_about_one_period_and_its_median_grows_with_the_period():
    medians = []
    for ms in (50, 100, 200, 500):
        rows = SWEEPS_FRAME[SWEEPS_FRAME["setting"] == f"miimon{ms}"]
        values = detect(f"miimon{ms}")
        assert values.notna().all()  # a pulled cable is always noticed
        # One period, plus sampling and scheduling; a run whose samples paused seen as far as they allow.
        for value, path in zip(values, rows["path"], strict=True):
            assert value <= ms + 80 + max(longest_sampling_gap_ms(path) - 80, 0), (ms, path, value)
        assert values.median() <= ms + 40, (ms, list(values))
        medians.append(values.median())
    assert medians == sorted(medians)
    assert medians[-1] > 2 * medians[0]


def test_downdelay_adds_its_wait_to_the_detection():
    assert detect("downdelay200").median() >= 200
    assert detect("downdelay200").median() > detect("miimon100").median() + 100


def test_arp_monitoring_notices_a_silent_drop_later_for_longer_intervals():
    medians = [detect(f"arp{ms}").median() for ms in (50, 100, 200, 500)]
    assert all(pd.notna(medians)) and medians == sorted(medians)
    for ms, median in zip((50, 100, 200, 500), medians, strict=True):
        assert median >= ms  # a slave is declared down only after missed intervals


def test_every_cable_pull_is_ridden_out_and_the_primary_comes_back():
    mii = SWEEPS_FRAME[SWEEPS_FRAME["monitoring"] == "mii"]
    assert mii["survived"].astype(str).eq("True").all()
    for path in SWEEPS_FRAME.loc[SWEEPS_FRAME["setting"] == "primary-failback", "path"]:
        run = Run.load(default_sweeps_dir() / path)
        active = run.links[run.links["is_active"]].sort_values("t")
        assert active["ifname"].iloc[-1] == "enp0s8"  # failed back to the primary after the restore


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_sweep_figure_and_table_draw_in_both_languages(lang):
    from bondkit import plot

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing Hangul glyph is a warning
        fig = plot.sweep_figure(SWEEPS_FRAME, lang)
        fig.canvas.draw()
    labels = [tick.get_text() for ax in fig.axes for tick in ax.get_xticklabels()]
    assert "miimon 500" in labels and "arp 50" in labels
    table = sweep_frame(SWEEPS_FRAME, lang)
    assert len(table) == len(SWEEPS)
