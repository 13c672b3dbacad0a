"""Widget callbacks, driven by setting control values in Python and checking what is drawn; the
live-run control's refusal to touch any lab the notebook did not open or the environment switched off."""

from __future__ import annotations

import pytest

from bondkit.failover import STAGES
from bondkit.failover.store import load_runs
from bondkit.notebook import LabSession
from bondkit.widgets import ALL, DPI, FIGURE_PX, WINDOWS, Explorer, LiveRun, _monitor_key, _plain

VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(scope="module")
def recorded():
    return load_runs()


@pytest.fixture
def explorer(recorded):
    return Explorer(list(recorded), lang="en")


def _title(explorer: Explorer) -> str:
    return explorer.figure._suptitle.get_text()


def _values(control) -> list:
    return [value for _, value in control.options]


def test_the_first_view_is_the_learning_switch_as_in_the_text(explorer):
    assert (explorer.switch.value, explorer.fault.value, explorer.monitor.value, explorer.mode.value) == \
        ("learning", "admin-down", "mii100", "active")
    assert [run.id for run in explorer.shown] == ["active_admin-down_learning_mii100"]


def test_explorer_draws_the_selected_run(explorer):
    explorer.fault.value = "carrier-loss"
    explorer.monitor.value = "mii500"
    explorer.mode.value = "follow"
    assert [run.id for run in explorer.shown] == ["follow_carrier-loss_learning_mii500"]
    assert _title(explorer).startswith("fail_over_mac=follow: carrier loss")
    assert bytes(explorer.image.value).startswith(b"\x89PNG")
    assert "miimon 500 ms" in explorer.figure.axes[0].get_title(loc="left")


def test_the_image_is_drawn_at_the_size_it_is_shown(explorer):
    png = bytes(explorer.image.value)
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == FIGURE_PX["one"]
    assert explorer.image.layout.width == f"{width}px" and explorer.dpi == DPI


def test_changing_a_control_redraws(explorer):
    before = explorer.image.value
    explorer.mode.value = "none"
    assert explorer.image.value != before and _title(explorer).startswith("fail_over_mac=none")


def test_all_modes_side_by_side(explorer):
    explorer.switch.value = "vbox-hostonly"
    explorer.mode.value = ALL
    assert [run.params.fail_over_mac for run in explorer.shown] == ["none", "active", "follow"]
    assert len(explorer.figure.axes) == 6


def test_every_offered_combination_has_a_recorded_run(explorer, recorded, monkeypatch):
    """Each control offers only what was recorded for the choices before it: no blank figure."""
    monkeypatch.setattr(explorer, "redraw", lambda: None)  # the choices are the point here, not drawing
    seen = set()
    for switch in _values(explorer.switch):
        explorer.switch.value = switch
        for fault in _values(explorer.fault):
            explorer.fault.value = fault
            for monitor in _values(explorer.monitor):
                explorer.monitor.value = monitor
                for mode in _values(explorer.mode):
                    explorer.mode.value = mode
                    assert explorer.shown, (switch, fault, monitor, mode)
                    seen.add((switch, fault, monitor))
    plain = {(r.params.switch, r.params.fault, _monitor_key(r.params)) for r in recorded if _plain(r)}
    assert seen == plain  # and every recorded combination can be reached


def test_arp_runs_and_window(explorer):
    explorer.fault.value = "silent-drop"
    explorer.monitor.value = "arp100"
    explorer.mode.value = "active"
    assert explorer.shown[0].params.arp_interval == 100
    explorer.window.value = "zoom"
    assert explorer.figure.axes[0].get_xlim() == WINDOWS["zoom"]
    assert [name for _, name in explorer.window.options] == list(WINDOWS)


def test_language_switch_relabels_and_redraws_in_korean(explorer):
    explorer.lang.value = "ko"
    assert explorer.fault.description == "장애"
    assert "fail_over_mac=" in _title(explorer) and any("\uac00" <= ch <= "\ud7a3" for ch in _title(explorer))
    assert dict(explorer.fault.options)["관리자 다운(ip link set down)"] == "admin-down"
    assert dict(explorer.switch.options)["학습 스위치"] == "learning"


def test_a_second_view_of_a_selection_comes_from_the_cache(explorer):
    explorer.mode.value = "follow"
    explorer.mode.value = "active"
    first = explorer.image.value
    explorer.mode.value = "follow"
    explorer.mode.value = "active"
    assert explorer.image.value == first and explorer.last_redraw_cached
    # the figure is drawn again for a view that came from the cache: it shows what the image shows
    assert "fail_over_mac=active" in _title(explorer)
    explorer.mode.value = "follow"
    assert "fail_over_mac=follow" in _title(explorer)


def test_displayed_widgets_carry_a_static_fallback(explorer):
    bundle = explorer._repr_mimebundle_()
    assert VIEW in bundle and bundle["text/plain"].startswith("Run this cell for the controls")
    assert bundle["image/png"] and "data:image/png;base64," in bundle["text/html"]
    assert "VBox(" not in bundle["text/plain"]
    live = LiveRun(explorer, LabSession(), lang="ko")._repr_mimebundle_()
    assert VIEW in live and live["text/plain"].startswith("이 셀을 실행하면")


class _Tripwire:
    """A lab class whose every use fails the test: nothing may look for a lab the notebook did not open."""

    def __getattr__(self, name):
        raise AssertionError(f"the live-run control reached for a lab ({name})")


@pytest.fixture
def no_other_lab(monkeypatch):
    import bondkit.lab

    monkeypatch.setattr(bondkit.lab, "Lab", _Tripwire())


def test_live_run_with_the_lab_switched_off_runs_nothing_and_says_so(explorer, monkeypatch, no_other_lab):
    monkeypatch.setenv("BONDKIT_NB_LAB", "off")
    lab = _Tripwire()  # even a lab handed over is not touched while the environment says off
    live = LiveRun(explorer, LabSession(), lab=lab, lang="en")
    assert live.run() is None and live.progress.value == 0
    assert "switched off (BONDKIT_NB_LAB=off)" in live.status.value and "`" not in live.status.value
    live = LiveRun(explorer, LabSession(), lang="ko")
    assert live.run() is None and "꺼져 있어" in live.status.value


def test_live_run_without_the_notebooks_lab_says_why_and_looks_for_no_other(explorer, monkeypatch,
                                                                             no_other_lab):
    monkeypatch.delenv("BONDKIT_NB_LAB", raising=False)
    session = LabSession(error="the guest did not boot (see `bondkit lab up`)")
    live = LiveRun(explorer, session, lang="en")
    assert live.run() is None
    assert "This notebook has no lab" in live.status.value and "did not boot" in live.status.value
    assert "`" not in live.status.value and "<code>bondkit lab up</code>" in live.status.value
    assert LiveRun(explorer, lang="en").run() is None  # no session at all: nothing either


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


def test_no_two_dropdown_choices_repeat(explorer):
    for control in (explorer.mode, explorer.switch, explorer.fault, explorer.monitor, explorer.window):
        labels = [label for label, _ in control.options]
        assert len(labels) == len(set(labels)), labels
