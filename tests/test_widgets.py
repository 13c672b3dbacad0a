"""Widget callbacks, driven by setting control values in Python and checking what is drawn."""

from __future__ import annotations

import pytest

from bondkit.failover import STAGES
from bondkit.failover.store import load_runs
from bondkit.widgets import Explorer, LiveRun


@pytest.fixture(scope="module")
def recorded():
    return load_runs()


@pytest.fixture
def explorer(recorded):
    return Explorer(list(recorded), lang="en")


def _title(explorer: Explorer) -> str:
    return explorer.figure._suptitle.get_text()


def test_explorer_draws_the_selected_run(explorer):
    explorer.fault.value = "carrier-loss"
    explorer.switch.value = "learning"
    explorer.monitor.value = "mii500"
    explorer.mode.value = "follow"
    assert [run.id for run in explorer.shown] == ["follow_carrier-loss_learning_mii500"]
    assert _title(explorer).startswith("fail_over_mac=follow: carrier loss")
    assert bytes(explorer.image.value).startswith(b"\x89PNG")
    assert "miimon 500 ms" in explorer.figure.axes[0].get_title()


def test_changing_a_control_redraws(explorer):
    explorer.mode.value = "active"
    before = explorer.image.value
    explorer.mode.value = "none"
    assert explorer.image.value != before and _title(explorer).startswith("fail_over_mac=none")


def test_all_modes_side_by_side(explorer):
    explorer.switch.value = "vbox-hostonly"
    explorer.fault.value = "admin-down"
    explorer.monitor.value = "mii100"
    explorer.mode.value = "all"
    assert [run.params.fail_over_mac for run in explorer.shown] == ["none", "active", "follow"]
    assert len(explorer.figure.axes) == 6


def test_arp_runs_and_window(explorer):
    explorer.monitor.value = "arp100"
    explorer.fault.value = "silent-drop"
    explorer.switch.value = "learning"
    explorer.mode.value = "active"
    assert explorer.shown[0].params.arp_interval == 100
    explorer.window.value = (-100, 600)
    assert explorer.figure.axes[0].get_xlim() == (-100, 600)


def test_language_switch_relabels_and_redraws_in_korean(explorer):
    explorer.lang.value = "ko"
    assert explorer.fault.description == "장애"
    assert "fail_over_mac=" in _title(explorer) and any("\uac00" <= ch <= "\ud7a3" for ch in _title(explorer))
    assert dict(explorer.fault.options)["관리적 다운(ip link set down)"] == "admin-down"


def test_no_matching_run_says_so(explorer):
    explorer.switch.value = "vbox-hostonly"
    explorer.fault.value = "silent-drop"
    explorer.monitor.value = "mii500"  # recorded on the learning switch only
    assert explorer.shown == []
    assert any("no recorded run" in text.get_text() for text in explorer.figure.texts)


def test_a_second_view_of_a_selection_comes_from_the_cache(explorer):
    explorer.mode.value = "follow"
    explorer.mode.value = "active"
    first = explorer.image.value
    explorer.mode.value = "follow"
    explorer.mode.value = "active"
    assert explorer.image.value == first and explorer.last_redraw_ms < 50


def test_live_run_without_a_lab_says_so(explorer, monkeypatch):
    from bondkit.lab import Lab

    monkeypatch.setattr(Lab, "current", classmethod(lambda cls, directory=None: None))
    live = LiveRun(explorer, lang="en")
    assert live.run() is None
    assert "no lab is running" in live.status.value


@pytest.mark.lab
def test_live_run_adds_the_new_run_to_the_explorer(lab, explorer):
    live = LiveRun(explorer, lab=lab, lang="en")
    live.mode.value = "follow"
    live.fault.value = "carrier-loss"
    live.switch.value = "vbox-hostonly"
    live.miimon.value = 200
    run = live.run()
    assert run is not None and live.progress.value == len(STAGES)
    assert explorer.shown == [run] and explorer.mode.value == "follow" and explorer.monitor.value == "mii200"
    assert _title(explorer).startswith("fail_over_mac=follow")
    assert run.id in live.status.value
