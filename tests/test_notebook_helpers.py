"""bondkit.notebook: the helpers the notebooks share (language, paths, questions, environment check)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from bondkit import notebook as nb
from bondkit.i18n import display_width, get_lang, set_lang


@pytest.fixture(autouse=True)
def _reset_lang(monkeypatch):
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    monkeypatch.delenv("BONDKIT_LANG", raising=False)
    yield
    set_lang(None)


def test_language_comes_from_the_notebook_folder(tmp_path, monkeypatch):
    for lang in ("en", "ko"):
        folder = tmp_path / lang
        folder.mkdir()
        monkeypatch.chdir(folder)
        assert nb.notebook_lang() == lang


def test_language_from_jupyter_session_name_wins(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JPY_SESSION_NAME", str(tmp_path / "notebooks" / "ko" / "02_bond_configs.ipynb"))
    assert nb.notebook_lang() == "ko"


def test_language_falls_back_to_default_then_environment(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert nb.notebook_lang("ko_KR") == "ko"
    monkeypatch.setenv("BONDKIT_LANG", "ko")
    assert nb.notebook_lang() == "ko"


def test_setup_sets_bondkit_language_for_this_process_and_children(tmp_path, monkeypatch):
    folder = tmp_path / "ko"
    folder.mkdir()
    monkeypatch.chdir(folder)
    assert nb.setup() == "ko"
    assert get_lang() == "ko"
    assert os.environ["BONDKIT_LANG"] == "ko"
    assert nb.setup("en") == "en"
    assert get_lang() == "en"


def test_data_path_is_relative_to_the_current_directory(monkeypatch):
    notebooks_en = Path(__file__).resolve().parents[1] / "notebooks" / "en"
    notebooks_en.mkdir(parents=True, exist_ok=True)
    monkeypatch.chdir(notebooks_en)
    path = nb.data_path("seed", "ip-link", "none-before.txt")
    assert path == Path("../../data/seed/ip-link/none-before.txt")
    assert path.exists()


def test_question_with_catalog_choices_gives_feedback_at_once():
    set_lang("en")
    question = nb.ask("00_shared_mac", answer=3)
    assert question.labels[2] == "bond0, enp0s8 and enp0s9"
    assert question.choose(1) is False
    assert question.feedback(1).startswith("Not this one")
    assert question.choose(3) is True
    assert question.solved and question.tries == 2
    assert question.feedback(3).startswith("Right.")
    assert "bond0, enp0s8 and enp0s9" in question.reveal()


def test_question_with_value_choices_and_korean_text():
    question = nb.Question("00_shared_mac", choices=["08:00:27:e8:26:58", "08:00:27:27:a9:2d"],
                           answer="08:00:27:27:a9:2d", lang="ko")
    text = question.text()
    assert text.startswith("스스로 확인: ")
    assert "  a) 08:00:27:e8:26:58" in text and "  b) 08:00:27:27:a9:2d" in text
    assert question.reveal().startswith("정답: 08:00:27:27:a9:2d.")


def test_question_refuses_an_answer_that_is_not_a_choice():
    with pytest.raises(ValueError):
        nb.ask("00_shared_mac", answer=9)
    with pytest.raises(ValueError):
        nb.ask("00_shared_mac", choices=["a", "b"], answer="c")


def test_question_widget_click_shows_feedback_and_reveal_shows_evidence():
    set_lang("en")
    question = nb.ask("00_shared_mac", answer=3, evidence="the evidence")
    widget = question.widget
    title, choices, feedback, button, answer, _evidence = widget.children
    assert "Self-check" in title.value and button.layout.width == "auto"  # the whole label shows
    choices.index = 0
    assert "✘" in feedback.value and question.tries == 1
    choices.index = 2
    assert "✔" in feedback.value and question.solved
    button.click()
    assert question.reveal().startswith("Answer: bond0, enp0s8 and enp0s9.")
    assert "Answer: bond0" in answer.value and "white-space:normal" in answer.value  # prose, not a <pre>


def test_the_lab_switched_off_is_said_alike_by_the_check_and_the_session(monkeypatch):
    monkeypatch.setenv("BONDKIT_NB_LAB", "off")
    report = nb.check_environment("en", lab_pieces=lambda: [])  # the machine could run it
    lab_row = [row for row in report.rows if row.key == "lab"][0]
    assert not report.lab_ready and "switched off (BONDKIT_NB_LAB=off)" in lab_row.found
    assert "switched off" in report.summary() and "live lab" not in report.summary()
    session = nb.open_lab(lab_pieces=lambda: [], lab_class=object())  # never asked for a lab
    assert not session.live and "switched off (BONDKIT_NB_LAB=off)" in session.message()
    assert "cannot run" not in session.message()


def test_question_shows_as_plain_text_where_widgets_do_not_run():
    set_lang("en")
    question = nb.ask("00_without_lab", answer=2)
    bundle = question._repr_mimebundle_()
    assert bundle["text/plain"] == question.text()
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_environment_check_without_lab_is_ready_but_says_so():
    report = nb.check_environment("en", lab_pieces=lambda: [("User-Mode Linux (linux.uml)", "apt install x")])
    assert report.ok
    assert not report.lab_ready
    assert "without the lab" in report.summary()
    lab_row = [row for row in report.rows if row.key == "lab"][0]
    assert not lab_row.required and "User-Mode Linux" in lab_row.found
    assert "apt install x" in lab_row.fix
    assert "–" in repr(report)
    assert "<table" in report._repr_html_()


def test_environment_check_with_lab_in_korean():
    report = nb.check_environment("ko", lab_pieces=lambda: [])
    assert report.lab_ready
    frame = report.frame()
    assert list(frame.columns) == ["상태", "항목", "확인 결과", "해결 방법"]
    if report.ok:
        assert report.summary().startswith("모두 준비되었습니다")


def test_environment_check_reports_a_missing_package(monkeypatch):
    real = nb.environment._version
    monkeypatch.setattr(nb.environment, "_version", lambda name: None if name == "boto3" else real(name))
    report = nb.check_environment("en", lab_pieces=lambda: [])
    assert not report.ok
    row = [row for row in report.rows if row.what == "boto3"][0]
    assert row.found == "not installed" and "make setup" in row.fix
    assert "✘ boto3" in repr(report)


def test_show_files_numbers_lines_and_names_them(tmp_path):
    (tmp_path / "ifcfg-b").write_text("B=2\n")
    (tmp_path / "ifcfg-a").write_text("A=1\nC=3\n")
    shown = nb.show_files(tmp_path)
    text = repr(shown)
    assert text.index("ifcfg-a") < text.index("ifcfg-b")
    assert "1 | A=1" in text and "2 | C=3" in text
    assert "<pre" in shown._repr_html_()
    rendered = repr(nb.show_text({"50-bond.yaml": "network:\n"}))
    assert rendered == "# 50-bond.yaml\nnetwork:"


class FakeLab:
    """Stands for bondkit.lab.Lab in open_lab: records what was done to it."""

    running: FakeLab | None = None
    fail: str | None = None

    def __init__(self, switch="learning", keep=False):
        self.switch = switch
        self.keep = keep
        self.hosts = ["client", "server"]
        self.downs = 0
        self.switches = []

    @classmethod
    def current(cls):
        return cls.running

    def up(self):
        if FakeLab.fail:
            from bondkit.errors import LabError

            raise LabError("lab.not_running")
        return self

    def down(self):
        self.downs += 1

    def set_switch(self, profile):
        self.switches.append(profile)
        self.switch = profile


@pytest.fixture
def fake_lab():
    FakeLab.running, FakeLab.fail = None, None
    yield FakeLab
    FakeLab.running, FakeLab.fail = None, None


def test_open_lab_without_the_pieces_falls_back_and_says_what_is_missing(fake_lab):
    session = nb.open_lab(lab_pieces=lambda: [("User-Mode Linux", "apt-get install user-mode-linux")],
                          lab_class=fake_lab)
    assert not session and session.lab is None
    set_lang("ko")
    assert "기록해 둔 데이터" in repr(session) and "User-Mode Linux" in repr(session)
    assert session.close() == "실습 환경은 쓰지 않았습니다"


def test_open_lab_starts_one_and_finish_stops_it(fake_lab):
    set_lang("en")
    session = nb.open_lab(switch="vbox-hostonly", lab_pieces=lambda: [], lab_class=fake_lab)
    lab = session.lab
    assert session.live and session.started and lab.switch == "vbox-hostonly"
    assert "The last cell stops it" in repr(session)
    folder = nb.workdir()
    (folder / "TestKeyPair.pem").write_text("x")
    text = nb.finish(session)
    assert lab.downs == 1 and session.lab is None
    assert not folder.exists()
    assert text.splitlines() == ["removed 1 work folder(s) with the files this notebook made",
                                 "Nothing this notebook started is left running."]


def test_open_lab_reuses_a_running_lab_and_leaves_it_as_it_was(fake_lab):
    set_lang("en")
    running = fake_lab(switch="learning")
    fake_lab.running = running
    session = nb.open_lab(switch="vbox-hostonly", lab_pieces=lambda: [], lab_class=fake_lab)
    assert session.lab is running and not session.started
    assert running.switch == "vbox-hostonly"
    assert "already running" in repr(session)
    text = nb.finish(session)
    assert running.downs == 0 and running.switch == "learning"
    assert text == "Nothing this notebook started is left running."  # the same whoever started the lab


def test_open_lab_that_fails_to_start_is_a_fallback_not_an_error(fake_lab):
    set_lang("en")
    fake_lab.fail = "boom"
    session = nb.open_lab(lab_pieces=lambda: [], lab_class=fake_lab)
    assert not session and "did not start" in repr(session)


def test_show_findings_prints_like_the_cli_or_says_there_are_none():
    from bondkit import formats, lint

    set_lang("en")
    assert repr(nb.show_findings([])) == "no findings: lint has nothing to say about these files"
    broken = ("network:\n  version: 2\n  ethernets:\n    enp0s8: {}\n    enp0s9: {}\n  bonds:\n    bond0:\n"
              "      interfaces: [enp0s8, enp0s9]\n      parameters:\n        mode: active-backup\n"
              "        mii-monitor-interval: 100\n        primary: enp0s10\n")
    shown = nb.show_findings(lint.lint(formats.parse_text(broken, "b.yaml")))
    assert "primary-not-slave" in shown.rules()
    assert "b.yaml:12: error: primary=enp0s10" in repr(shown)


def test_show_step_lays_out_cli_boto3_result_check_and_notes():
    from bondkit.ec2 import CliCommand, Step

    class Agreement:
        cli_line, cli_value, boto3_value, same = "aws ec2 describe-x --query X", ["a"], ["a"], True

    step = Step("describe_instances", ["i-0123456789abcdef0"], python="ec2.describe_instances()",
                cli=[CliCommand(["aws", "ec2", "describe-instances"])], notes=["a note"])
    view = nb.StepView(step, Agreement(), lang="ko")
    lines = repr(view).splitlines()
    assert lines[0].startswith("[") and lines[0].endswith("]")
    assert lines[1].endswith("$ aws ec2 describe-instances")
    assert '["i-0123456789abcdef0"]' in lines[3]
    assert "aws CLI" in lines[-2] and lines[-1] == "  · a note"
    assert view.same is True
    # labels are padded by display width, so Korean labels line up with Latin ones
    starts = {display_width(match.group(1)) + len(match.group(2))
              for match in (re.match(r"(\S+)(\s+)", line) for line in lines[1:5])}
    assert len(starts) == 1


RECORDED = Path(__file__).resolve().parents[1] / "data" / "recorded" / "lab"


class FakeHost:
    def __init__(self, outputs):
        self.outputs = outputs
        self.commands = []

    def run(self, command, check=False, **_):
        self.commands.append(command)

        class Result:
            stdout = self.outputs.get(command, "up\n")

        return Result()


class FakeRunningLab(FakeLab):
    def __init__(self, hosts):
        super().__init__()
        self._hosts = hosts
        self.faults = []

    def __getitem__(self, name):
        return self._hosts[name]

    def fault(self, host, iface, kind):
        self.faults.append((host, iface, kind))


def test_sh_reads_the_recorded_file_without_a_lab_and_says_so():
    set_lang("en")
    offline = nb.LabSession(missing=[("x", "y")])
    seen = nb.sh(offline, "server", "cat /proc/net/bonding/bond0",
                 recorded=RECORDED / "active-after.proc-bonding.txt")
    assert not seen.live
    assert seen.parsed()["active_slave"] == "enp0s9"
    text = repr(seen)
    assert text.startswith("[server]$ cat /proc/net/bonding/bond0\nEthernet Channel Bonding Driver")
    assert text.splitlines()[-1].startswith("(recorded: ") and "active-after.proc-bonding.txt" in text


def test_sh_runs_on_the_lab_when_live_and_shows_a_table():
    set_lang("ko")
    text = (RECORDED / "active-before.ip-link.txt").read_text()
    host = FakeHost({"ip link show": text})
    live = nb.LabSession(FakeRunningLab({"server": host}), started=True)
    seen = nb.sh(live, "server", "ip link show", recorded="/nonexistent", table=["ifname", "mac"])
    assert seen.live and host.commands == ["ip link show"]
    lines = repr(seen).splitlines()
    assert lines[0] == "[server]$ ip link show"
    assert any("bond0" in line and "08:00:27" in line for line in lines)
    assert lines[-1] == "(실시간: 방금 실습 환경의 호스트 server에서 실행)"
    assert "<table" in seen._repr_html_()


def _conftest():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "notebooks_conftest", Path(__file__).resolve().parents[1] / "notebooks" / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _stored_output(obj) -> dict:
    """``obj`` as a notebook stores its output: the display data IPython makes, with its metadata."""
    from types import SimpleNamespace

    from IPython.core.interactiveshell import InteractiveShell

    data, metadata = InteractiveShell.instance().display_formatter.format(obj)
    return SimpleNamespace(cell=SimpleNamespace(outputs=[{"output_type": "execute_result", "data": data,
                                                          "metadata": metadata}]))


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_recorded_run_is_expected_to_end_with_exactly_its_recorded_line(lang):
    """Nothing masks the provenance line: under BONDKIT_NB_LAB=off nbval expects the committed (live)
    output with its live line replaced by the recorded line that output itself names, and that is
    exactly what the recorded run prints, text and HTML."""
    set_lang(lang)
    path = RECORDED / "active-after.proc-bonding.txt"
    text = path.read_text()
    live = nb.sh(nb.LabSession(FakeRunningLab({"server": FakeHost({"cat x": text})}), started=True),
                 "server", "cat x", recorded=path)
    recorded = nb.sh(nb.LabSession(), "server", "cat x", recorded=path)
    item = _stored_output(live)
    assert item.cell.outputs[0]["data"]["text/plain"] != repr(recorded)
    _conftest().expect_recorded(item)
    expected = item.cell.outputs[0]["data"]
    assert expected["text/plain"] == repr(recorded)
    assert expected["text/html"] == recorded._repr_html_()
    # a step done on the lab, and the demonstration of 03, are expected the same way
    for live_one, recorded_one in ((nb.Action("server", "ip link set dev enp0s8 down", True),
                                    nb.Action("server", "ip link set dev enp0s8 down", False)),):
        item = _stored_output(live_one)
        _conftest().expect_recorded(item)
        assert item.cell.outputs[0]["data"]["text/plain"] == repr(recorded_one)


def test_an_output_already_recorded_is_left_as_it_is():
    set_lang("en")
    recorded = nb.sh(nb.LabSession(), "server", "cat x", recorded=RECORDED / "active-after.proc-bonding.txt")
    item = _stored_output(recorded)
    _conftest().expect_recorded(item)
    assert item.cell.outputs[0]["data"]["text/plain"] == repr(recorded)


def test_the_no_monitor_demo_says_what_it_is_without_a_lab(capsys):
    from bondkit.notebook.demos import EXPECTED, no_monitor

    set_lang("en")
    demo = no_monitor(nb.LabSession())
    text = repr(demo)
    assert not demo.live and "MII Polling Interval (ms): 0" in text
    assert text.splitlines()[-1].startswith("(no lab here") and "tests/test_claims_live.py" in text
    assert dict(demo.steps)['grep "Currently Active" /proc/net/bonding/bond0'] == EXPECTED[
        'grep "Currently Active" /proc/net/bonding/bond0']


def test_run_or_recorded_finds_a_setting_recorded_only_as_a_sweep(capsys):
    set_lang("en")
    run = nb.run_or_recorded(nb.LabSession(), fail_over_mac="active", fault="carrier-loss", miimon=100,
                             updelay=0, downdelay=200)
    assert run.params.downdelay == 200 and run.params.updelay == 0
    assert "data/sweeps/downdelay200" in capsys.readouterr().out


def test_fault_shows_the_tutorial_command_and_acts_only_on_a_live_lab():
    set_lang("en")
    offline = nb.fault(nb.LabSession(), "server", "enp0s8", "admin-down")
    assert repr(offline).splitlines()[0] == "[server]$ ip link set dev enp0s8 down"
    assert "(recorded: " in repr(offline)
    lab = FakeRunningLab({})
    live = nb.fault(nb.LabSession(lab, started=True), "server", "enp0s8", "carrier-loss", settle=0)
    assert lab.faults == [("server", "enp0s8", "carrier-loss")]
    assert "cable" in repr(live) and "(live: " in repr(live)


def test_run_or_recorded_without_a_lab_loads_the_recorded_run(capsys):
    set_lang("en")
    run = nb.run_or_recorded(nb.LabSession(), fail_over_mac="follow", fault="admin-down")
    assert run.id == "follow_admin-down_learning_mii100"
    assert "recorded run follow_admin-down_learning_mii100" in capsys.readouterr().out


def test_apply_configs_without_a_lab_applies_nothing_and_says_so():
    set_lang("en")
    shown = nb.apply_configs(nb.LabSession(), {"server": "x"})
    assert shown.reports == {} and "nothing was applied" in repr(shown)
    assert "nothing was applied" in repr(nb.restore_configs(nb.LabSession(), ["server"]))


def test_mac_table_puts_the_tutorials_outputs_side_by_side():
    seed = Path(__file__).resolve().parents[1] / "data" / "seed" / "ip-link"
    table = nb.mac_table({"before": seed / "follow-before.txt", "after": seed / "follow-after.txt"})
    assert list(table.index) == ["enp0s8", "enp0s9", "bond0"]
    assert table.loc["bond0", "before"] == table.loc["bond0", "after"] == "08:00:27:e8:26:58"
    assert table.loc["enp0s8", "after"] == "08:00:27:27:a9:2d"


class BrokenHost:
    def run(self, command, check=False, **_):
        from bondkit.errors import SSHError

        raise SSHError("ssh.connection_lost", where="server", reason="gone")


def test_a_lab_that_breaks_down_falls_back_to_recorded_data_and_says_why(capsys):
    set_lang("en")
    lab = FakeRunningLab({"server": BrokenHost()})
    session = nb.LabSession(lab, started=True)
    seen = nb.sh(session, "server", "cat x", recorded=RECORDED / "active-after.proc-bonding.txt")
    assert not seen.live and seen.parsed()["active_slave"] == "enp0s9"
    assert "the command failed on lab host server" in capsys.readouterr().out

    def failing_run(lab, params):
        from bondkit.failover import FailoverError

        raise FailoverError("failover.no_lab")

    import bondkit.failover as failover

    original = failover.run_failover
    failover.run_failover = failing_run
    try:
        run = nb.run_or_recorded(session, fail_over_mac="active", fault="admin-down")
    finally:
        failover.run_failover = original
    out = capsys.readouterr().out
    assert run.id == "active_admin-down_learning_mii100"
    assert "the run on the lab failed" in out and "recorded run" in out


def test_shared_lab_starts_one_lab_for_a_series_and_stops_it(fake_lab):
    with nb.shared_lab(lab_pieces=lambda: [], lab_class=fake_lab) as lab:
        assert lab.keep
        fake_lab.running = lab  # what Lab.current() now finds
        session = nb.open_lab(lab_pieces=lambda: [], lab_class=fake_lab)
        assert session.lab is lab and not session.started
        nb.finish(session)
        assert lab.downs == 0
    assert lab.downs == 1


def test_shared_lab_leaves_a_running_lab_alone_and_needs_the_pieces(fake_lab, monkeypatch):
    running = fake_lab()
    fake_lab.running = running
    with nb.shared_lab(lab_pieces=lambda: [], lab_class=fake_lab) as lab:
        assert lab is running
    assert running.downs == 0
    with nb.shared_lab(lab_pieces=lambda: [("x", "y")], lab_class=fake_lab) as lab:
        assert lab is None
    monkeypatch.setenv("BONDKIT_NB_SHARED_LAB", "0")
    with nb.shared_lab(lab_pieces=lambda: [], lab_class=fake_lab) as lab:
        assert lab is None


def test_the_lab_can_be_turned_off_for_the_notebooks(fake_lab, monkeypatch):
    monkeypatch.setenv("BONDKIT_NB_LAB", "off")
    session = nb.open_lab(lab_pieces=lambda: [], lab_class=fake_lab)
    assert not session and "BONDKIT_NB_LAB=off" in repr(session)
    with nb.shared_lab(lab_pieces=lambda: [], lab_class=fake_lab) as lab:
        assert lab is None


def test_sh_table_can_keep_only_the_bonds_interfaces():
    set_lang("en")
    seen = nb.sh(nb.LabSession(), "server", "ip link show", recorded=RECORDED / "active-after.ip-link.txt",
                 table=["ifname", "mac"], rows=["enp0s8", "enp0s9", "bond0"])
    body = repr(seen).splitlines()[1:-1]
    assert [line.split()[0] for line in body[1:]] == ["enp0s8", "enp0s9", "bond0"]
