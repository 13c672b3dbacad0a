"""The answer key is checked, not trusted: every block of ``notebooks/teachers/solutions.*.md`` marked
``solution=ID`` is run the way the exercise runs it (the real `aws` CLI against the embedded EC2
endpoint, bondkit's parsers and lint, Debian's ``netplan generate``, the recorded runs), and what the
key says it gives is asserted. The exercise cells themselves must exist in the notebooks, under an
"Exercise" / "연습 문제" heading, and their starting values must be what the key changes.
"""

from __future__ import annotations

import configparser
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bondkit import formats, lint
from bondkit import notebook as nb
from bondkit.failover import Run
from bondkit.failover.store import load_sweeps
from bondkit.formats import ifcfg
from bondkit.notebook.evidence import active_changes, ping_gap

ROOT = Path(__file__).resolve().parent.parent
TEACHERS = ROOT / "notebooks" / "teachers"
SOURCES = sorted((ROOT / "notebooks" / "src").glob("0[1-5]_*.py"))
SEED = ROOT / "data" / "seed"
RUNS = ROOT / "data" / "runs"
NETPLAN = shutil.which("netplan") or next(
    (p for p in ("/usr/sbin/netplan", "/sbin/netplan") if Path(p).exists()), None)
needs_netplan = pytest.mark.skipif(NETPLAN is None,
                                   reason="netplan is not installed (set-up installs netplan.io)")

sys.path.insert(0, str(ROOT / "scripts"))
import build_notebooks as build  # noqa: E402

_BLOCK = re.compile(r"^```(\w+) solution=([\w-]+)\n(.*?)^```", re.S | re.M)


def solutions(lang: str = "en") -> dict[str, str]:
    text = (TEACHERS / f"solutions.{lang}.md").read_text(encoding="utf-8")
    found = {}
    for _kind, name, body in _BLOCK.findall(text):
        assert name not in found, f"solution={name} appears twice in solutions.{lang}.md"
        found[name] = body
    return found


def run_solution(name: str, namespace: dict) -> dict:
    """Execute a Python solution block in ``namespace`` (the exercise cell's variables) and return it."""
    exec(compile(solutions()[name], f"solutions.en.md:{name}", "exec"), namespace)  # noqa: S102
    return namespace


# --------------------------------------------------------------------------- the key and the notebooks


def test_both_answer_keys_hold_the_same_solutions():
    english, korean = solutions("en"), solutions("ko")
    assert english == korean
    expected = {"01-1", "01-2", "02-1", "02-2", "02-2-file", "02-challenge", "03-1", "03-2",
                "03-challenge", "04-1", "04-2", "05-1", "05-2", "05-challenge"}
    assert set(english) == expected


@pytest.mark.parametrize("path", SOURCES, ids=[p.stem for p in SOURCES])
def test_each_notebook_ends_with_at_least_two_exercises_and_a_challenge(path):
    cells = build.read_source(path).cells
    english = "\n".join(c.source for c in cells if c.metadata.get("lang") == "en")
    korean = "\n".join(c.source for c in cells if c.metadata.get("lang") == "ko")
    assert "## Exercises" in english and "## 연습 문제" in korean
    assert len(re.findall(r"^### Exercise \d", english, re.M)) >= 2
    assert len(re.findall(r"^### 연습 문제 \d", korean, re.M)) >= 2
    assert "challenge" in english.lower() and "도전 과제" in korean
    # the exercises close the notebook: after their heading come only exercise cells (01 then tells
    # how the same steps run on real AWS, and every notebook ends with its closing cell)
    first = next(i for i, c in enumerate(cells) if "## Exercises" in c.source)
    later = [c.source.splitlines()[0] for c in cells[first + 1:]
             if c.metadata.get("lang") == "en" and c.source.startswith("## ")]
    assert set(later) <= {"## Final challenge", "## On real AWS"}, later


def _cell_with(path: Path, marker: str) -> str:
    code = [c.source for c in build.read_source(path).cells if c.cell_type == "code"]
    found = [source for source in code if marker in source]
    assert found, f"{path.name}: no exercise cell with {marker!r}"
    return found[0]


# --------------------------------------------------------------------------- 01: the real aws CLI


@pytest.fixture(scope="module")
def ec2_target(tmp_path_factory):
    """The embedded endpoint with the exercise's set-up: the walkthrough's instance terminated, then
    two t2.micro and one t3.micro launched with the tutorial's command (as notebook 01 does)."""
    from bondkit import ec2
    from bondkit.ec2 import emulator
    from bondkit.ec2.twin import run_line

    work = tmp_path_factory.mktemp("ec2")
    emu = emulator.Emulator().start()
    emu.reset()  # moto keeps its state per process: start as a student's notebook does, from nothing
    try:
        target = ec2.Target.emulator(emu.url, aws_dir=work / "aws")
        ec2.configure(target)
        ec2.create_key_pair(target, key_dir=work)
        launched = ec2.run_instances(target).result
        ec2.terminate_instances(target, [i.instance_id for i in launched])
        for instance_type, count in (("t2.micro", 2), ("t3.micro", 1)):
            done = run_line(target, "aws ec2 run-instances --image-id ami-082bdb3b2d54d5a19 "
                                    f"--count {count} --instance-type {instance_type}")
            assert done.status == 0, done.stderr
        yield target
    finally:
        emu.stop()


def _aws(target, line: str):
    from bondkit.ec2.twin import run_line

    done = run_line(target, line)
    assert done.status == 0, done.stderr
    return json.loads(done.stdout)


def test_01_the_starting_filter_lists_the_terminated_instance_too(ec2_target):
    cell = _cell_with(SOURCES[0], "my_filters =")
    start = re.search(r"my_filters = '(.*?)'", cell).group(1)
    line = f'aws ec2 describe-instances --filters {start} --query "Reservations[].Instances[].InstanceType"'
    assert _aws(ec2_target, line) == ["t2.micro"] * 3


def test_01_exercise_1_the_filter_returns_the_t3_micro_only(ec2_target):
    assert _aws(ec2_target, solutions()["01-1"].strip()) == ["t3.micro"]


def test_01_exercise_2_the_query_returns_the_running_t2_micro_as_objects(ec2_target):
    assert _aws(ec2_target, solutions()["01-2"].strip()) == [{"type": "t2.micro", "state": "running"}] * 2


# --------------------------------------------------------------------------- 02: lint and netplan


def _saved_and_published():
    published = SEED / "centos" / "server-as-published"
    saved = {"ifcfg-bond0": (published / "ifcfg-bond0").read_text(),
             "ifcfg-enp0s9": (SEED / "centos" / "server" / "ifcfg-enp0s9").read_text()}
    return saved, published


def test_02_exercise_1_starts_broken_and_the_fix_lints_clean():
    saved, published = _saved_and_published()
    before = ifcfg.parse(dict(saved))
    assert before[0].slave_names == ["enp0s9"]
    assert "single-slave" in [f.rule for f in lint.lint(before)]
    fixed = run_solution("02-1", {"saved": saved, "published": published})["my_server"]
    specs = ifcfg.parse(fixed)
    assert specs[0].slave_names == ["enp0s8", "enp0s9"]
    assert lint.lint(specs) == []


def _netplan_generate(yaml_text: str, tmp_path: Path) -> dict[str, configparser.ConfigParser]:
    """Run Debian's ``netplan generate`` on one file in a scratch root; the networkd files it wrote."""
    etc = tmp_path / "etc" / "netplan"
    etc.mkdir(parents=True)
    (etc / "50-cloud-init.yaml").write_text(yaml_text)
    (etc / "50-cloud-init.yaml").chmod(0o600)
    done = subprocess.run([NETPLAN, "generate", "--root-dir", str(tmp_path)], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    out = {}
    for path in (tmp_path / "run" / "systemd" / "network").glob("*"):
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        parser.optionxform = str
        parser.read_string(path.read_text())
        out[path.name] = parser
    return out


def test_02_exercise_2_the_replacement_gives_the_file_of_the_key_and_lints_clean():
    original = (SEED / "ubuntu" / "server" / "50-cloud-init.yaml").read_text()
    assert [f.rule for f in lint.lint(formats.parse_text(original, "x.yaml"))] == ["gateway4-deprecated"]
    edited = run_solution("02-2", {"my_netplan": original})["my_netplan"]
    assert edited.split("\nnetwork:\n", 1)[1] == solutions()["02-2-file"].split("network:\n", 1)[1]
    spec = formats.parse_text(edited, "50-cloud-init.yaml")[0]
    assert spec.to_dict()["gateway"] == "192.168.225.1"  # a default route is read as the bond's gateway
    assert lint.lint([spec]) == []
    assert "default" not in edited


@needs_netplan
def test_02_exercise_2_netplan_generate_accepts_the_18_04_form(tmp_path):
    files = _netplan_generate(solutions()["02-2-file"], tmp_path)
    network = next(parser for name, parser in files.items() if name.endswith("bond0.network"))
    assert network["Route"]["Destination"] == "0.0.0.0/0"
    assert network["Route"]["Gateway"] == "192.168.225.1"


@needs_netplan
def test_02_challenge_renders_back_to_the_tutorials_options_with_primary(tmp_path):
    specs = formats.parse_text(solutions()["02-challenge"], "client.yaml")
    assert lint.lint(specs) == []
    bonding_opts = formats.render(specs[0], "ifcfg")["ifcfg-bond0"]
    line = next(line for line in bonding_opts.splitlines() if line.startswith("BONDING_OPTS="))
    words = set(line.split("=", 1)[1].strip('"').split())
    assert words == {"mode=active-backup", "miimon=100", "fail_over_mac=active", "primary=enp0s8"}
    assert "DEFROUTE=yes" not in bonding_opts
    _netplan_generate(solutions()["02-challenge"], tmp_path)


# --------------------------------------------------------------------------- 03 and 04: recorded runs


def test_03_exercise_1_primary_brings_the_bond_back_after_the_restore():
    cell = _cell_with(SOURCES[2], "my_primary =")
    assert "my_primary = None" in cell
    namespace = run_solution("03-1", {})
    off = nb.LabSession(missing=[("lab", "off")])
    without = active_changes(nb.run_or_recorded(off, fail_over_mac="active", fault="admin-down"))
    with_primary = active_changes(nb.run_or_recorded(off, fail_over_mac="active", fault="admin-down",
                                                     primary=namespace["my_primary"]))
    assert list(without["active_slave"]) == ["enp0s8", "enp0s9"]
    assert list(with_primary["active_slave"]) == ["enp0s8", "enp0s9", "enp0s8"]
    back = float(with_primary["after_restore_ms"].iloc[-1])
    # The guest's own run of the restore (a program start, slow in an emulated guest: the run keeps how
    # long that call took), then one MII check and one link sample.
    run = Run.load(RUNS / "active_admin-down_learning_mii100_primaryenp0s8")
    assert 0 < back < run.meta["restore_call_ms"] + 100 + run.meta["sample_period_ms"]


def test_03_exercise_2_both_faults_are_seen_within_a_miimon_period():
    """The key's claim, on the ten repeated pulled-cable runs (one run is one draw: a busy emulated
    guest's timer is sometimes late), and each recorded run within two periods, losing few pings."""
    fault = run_solution("03-2", {})["my_fault"]
    assert fault == "carrier-loss"
    repeated = load_sweeps()
    repeated = repeated[repeated["setting"] == "miimon100"]
    assert len(repeated) >= 10 and set(repeated["fault"]) == {fault}
    assert (repeated["detect_ms"] < 100 + repeated["sample_period_ms"]).all()
    for name in (fault, "admin-down"):
        run = Run.load(RUNS / f"active_{name}_learning_mii100")
        assert run.metrics.detect_ms < 2 * 100 + run.meta["sample_period_ms"]
        # The pings stop for less than two MII periods: one to notice, and the switch relearning.
        assert 0 < run.metrics.lost * run.meta["ping_interval_ms"] < 2 * 100 and run.metrics.recovered


@needs_netplan
def test_03_challenge_parameters_lint_clean_and_reach_networkd(tmp_path):
    block = solutions()["03-challenge"]
    indented = "\n".join("      " + line for line in block.splitlines())
    text = ("network:\n  version: 2\n  ethernets:\n    enp0s8: {dhcp4: false}\n    enp0s9: {dhcp4: false}\n"
            "  bonds:\n    bond0:\n      interfaces: [enp0s8, enp0s9]\n" + indented + "\n")
    specs = formats.parse_text(text, "bond.yaml")
    assert specs[0].options["primary_reselect"] == "failure" and specs[0].options["updelay"] == 200
    assert lint.lint(specs) == []
    netdev = next(p for n, p in _netplan_generate(text, tmp_path).items() if n.endswith(".netdev"))
    assert netdev["Bond"]["PrimaryReselectPolicy"] == "failure"
    assert netdev["Bond"]["UpDelaySec"] == "200ms"


def _lanes_at(run: Run, moment: str):
    at = run.meta["restore_t"] + 0.3 if moment == "after the restore" else 0.5
    lanes = run.lanes()
    frame = lanes[lanes["t"] <= at].sort_values("t").groupby("ifname").last()  # each lane's last sample
    return frame["mac"].to_dict(), frame.index[frame["is_active"]].tolist()


def test_04_exercise_1_nothing_swaps_back_after_the_restore():
    namespace = run_solution("04-1", {})
    follow = Run.load(RUNS / f"{namespace['policy']}_admin-down_learning_mii100")
    macs, active = _lanes_at(follow, namespace["moment"])
    bond_mac, enp0s9_mac = "08:00:27:ad:1b:ac", "08:00:27:99:81:8a"
    assert macs == {"bond0": bond_mac, "enp0s8": enp0s9_mac, "enp0s9": bond_mac}
    assert active == ["enp0s9"]
    macs, _ = _lanes_at(Run.load(RUNS / "active_admin-down_learning_mii100"), "after the restore")
    assert macs == {"bond0": enp0s9_mac, "enp0s8": bond_mac, "enp0s9": enp0s9_mac}
    macs, _ = _lanes_at(Run.load(RUNS / "none_admin-down_learning_mii100"), "after the restore")
    assert set(macs.values()) == {"08:00:27:ad:1b:ac"}


def test_04_exercise_2_only_active_survives_the_filtering_switch():
    switch = run_solution("04-2", {})["switch"]
    survived = {mode: Run.load(RUNS / f"{mode}_admin-down_{switch}_mii100").metrics.survived
                for mode in ("none", "active", "follow")}
    assert survived == {"none": False, "active": True, "follow": False}


# --------------------------------------------------------------------------- 05


def test_05_exercise_1_downdelay_adds_to_the_outage_as_the_key_predicts():
    delays = run_solution("05-1", {})["my_delays"]
    assert delays["updelay"] == 0 and delays["downdelay"] == 200
    # The prediction, on ten repeated runs of each setting: downdelay adds its 200 ms to the outage.
    repeated = load_sweeps().groupby("setting")["outage_ms"].median()
    assert repeated["downdelay200"] - repeated["miimon100"] >= 150
    plain = Run.load(RUNS / "active_carrier-loss_learning_mii100").metrics
    both = Run.load(RUNS / "active_carrier-loss_learning_mii100_updelay200_downdelay200").metrics
    assert both.outage_ms > plain.outage_ms + 100  # one recorded pair: one draw of each


def _arp_server(my_opts: str) -> list:
    files = {path.name: path.read_text() for path in sorted((SEED / "centos" / "server").iterdir())}
    files["ifcfg-bond0"] = files["ifcfg-bond0"].replace("mode=1 miimon=100 fail_over_mac=1", my_opts)
    return ifcfg.parse(files)


def test_05_exercise_2_the_validated_bond_lints_clean_and_keeps_arp_monitoring():
    cell = _cell_with(SOURCES[4], "my_opts =")
    start = re.search(r'my_opts = "(.*?)"', cell).group(1)
    assert "arp_validate" not in _arp_server(start)[0].options
    spec = _arp_server(run_solution("05-2", {})["my_opts"])[0]
    assert spec.options["arp_validate"] == "all" and spec.options["arp_interval"] == 100
    assert "miimon" not in spec.options
    assert lint.lint([spec]) == []


@needs_netplan
def test_05_exercise_2_the_validated_bond_reaches_networkd(tmp_path):
    spec = _arp_server(run_solution("05-2", {})["my_opts"])[0]
    text = formats.render(spec, "netplan")["bond0.yaml"]
    netdev = next(p for n, p in _netplan_generate(text, tmp_path).items() if n.endswith(".netdev"))
    assert netdev["Bond"]["ARPValidate"] == "all"


@needs_netplan
def test_05_final_challenge_meets_its_three_conditions(tmp_path):
    text = solutions()["05-challenge"]
    specs = formats.parse_text(text, "50-cloud-init.yaml")
    options = specs[0].options
    assert options["arp_validate"] == "all" and options["primary_reselect"] == "failure"
    assert "miimon" not in options and specs[0].to_dict()["gateway"] == "192.168.99.1"
    assert "gateway4" not in text and "default" not in text
    assert [f for f in lint.lint(specs) if f.severity != "info"] == []
    netdev = next(p for n, p in _netplan_generate(text, tmp_path).items() if n.endswith(".netdev"))
    bond = netdev["Bond"]
    assert (bond["ARPValidate"], bond["PrimaryReselectPolicy"], bond["ARPIntervalSec"],
            bond["ARPIPTargets"]) == ("all", "failure", "100ms", "192.168.99.1")


# --------------------------------------------------------------------------- the evidence helpers


def test_ping_gap_of_a_recorded_run_shows_the_icmp_seq_gap_and_says_it_is_parsed():
    run = Run.load(RUNS / "active_admin-down_learning_mii100")
    gap = ping_gap(run)
    assert not gap.raw and gap.first_lost is not None
    lost = gap.frame[gap.frame["lost"]]["icmp_seq"].tolist()
    assert lost == list(range(gap.first_lost, gap.last_lost + 1)) and gap.lost == run.metrics.lost
    answered = gap.frame[~gap.frame["lost"]]["icmp_seq"]
    assert answered.min() < gap.first_lost and answered.max() > gap.last_lost
    assert "parsed" in repr(gap)


def test_ping_gap_of_a_fresh_run_shows_the_pingers_own_lines():
    """A fresh run's raw output as the runner collects it: link samples, the separator, fping's lines."""
    run = Run.load(RUNS / "active_admin-down_learning_mii100")
    lost = set(run.pings.loc[run.pings["lost"], "seq"].astype(int))
    first, last = min(lost), max(lost)
    lines = [f"[1795620556.{seq:05d}] 192.168.99.102 : [{seq - 1}], "
             + ("timed out (0.21 avg, 1% loss)" if seq in lost else "64 bytes, 0.21 ms (0.21 avg, 0% loss)")
             for seq in range(first - 7, last + 7)]
    run.raw = {"client": "L 1795620556.0 - \n---\n" + "\n".join(lines)
               + "\n\n192.168.99.102 : xmt/rcv/%loss = 30/26/13%, min/avg/max = 0.2/0.2/0.3\n"}
    gap = ping_gap(run)
    assert gap.raw and gap.lines[0].endswith(f": [{first - 4}], 64 bytes, 0.21 ms (0.21 avg, 0% loss)")
    assert len(gap.lines) == last - first + 7
    assert sum("timed out" in line for line in gap.lines) == len(lost)
    assert f"probes [{first - 1}] to [{last - 1}]" in gap.origin()


def test_the_recorded_ping_during_the_fault_shows_its_gap_as_ping_printed_it():
    from bondkit.notebook.evidence import ping_gap_text

    path = ROOT / "data" / "recorded" / "lab" / "ping-during-fault.txt"
    gap = ping_gap_text(path)
    assert gap.raw and gap.source == str(path) and 1 <= gap.lost <= 20
    lost = [f"no answer yet for icmp_seq={seq}" for seq in range(gap.first_lost, gap.last_lost + 1)]
    assert all(any(line.endswith(text) for line in gap.lines) for text in lost)
    replies = [line for line in gap.lines if "bytes from" in line]
    assert any(f"icmp_seq={gap.first_lost - 1} " in line for line in replies)
    assert any(f"icmp_seq={gap.last_lost + 1} " in line for line in replies)
    assert "packets transmitted" in gap.lines[-1]
    proc = (path.parent / "ping-during-fault.proc-bonding.txt").read_text()
    assert "Currently Active Slave: enp0s9" in proc


def test_05_exercise_2_the_lab_recorded_what_the_key_predicts():
    """Only a unicast-drop with broadcasts on the wire and no validation keeps the bond on the dead
    slave; every other case fails over (data/recorded/lab/arp-validate.csv, record_arp_validate.py)."""
    import csv

    with (ROOT / "data" / "recorded" / "lab" / "arp-validate.csv").open() as recorded:
        rows = list(csv.DictReader(recorded))
    assert len(rows) == 8 and all(row["active_before"] == "enp0s8" for row in rows)
    stayed = [(r["fault"], r["broadcasts"], r["arp_validate"]) for r in rows if r["active_after"] == "enp0s8"]
    assert stayed == [("unicast-drop", "yes", "none")]
    assert "arp_validate=all" in solutions()["05-2"]


# --------------------------------------------------------------------------- every exercise without a lab

#: The exercise cells that read a failover run, by the line a student edits and the key's solution for it.
RECORDED_EXERCISES = [(3, "my_primary =", "03-1"), (3, "my_fault =", "03-2"), (4, "switch =", "04-2"),
                      (5, "my_delays =", "05-1")]


@pytest.mark.parametrize(("source", "marker", "solution"), RECORDED_EXERCISES,
                         ids=[s for _, _, s in RECORDED_EXERCISES])
@pytest.mark.parametrize("version", ["as given", "solved"])
def test_each_exercise_and_its_solution_run_in_recorded_mode(source, marker, solution, version, monkeypatch,
                                                             capsys):
    """The guide recommends recorded mode for big classes: an exercise cell, as given and with the key's
    change, must run there and say that its run is recorded (05-1's ``downdelay`` alone is in data/sweeps
    only)."""
    monkeypatch.setenv("BONDKIT_NB_LAB", "off")
    path = SOURCES[source - 1]
    cells = [c.source for c in build.read_source(path).cells if c.cell_type == "code"]
    cell = _cell_with(path, marker)
    if version == "solved":
        lines = cell.splitlines()
        at = next(i for i, line in enumerate(lines) if line.startswith(marker))
        cell = "\n".join(lines[:at] + solutions()[solution].splitlines() + lines[at + 1:])
    namespace: dict = {"__name__": "exercise"}
    exec(compile(cells[0], f"{path.name}: imports", "exec"), namespace)  # noqa: S102
    namespace["lab"] = nb.open_lab()
    assert not namespace["lab"].live
    exec(compile(cell, f"{path.name}: {solution} {version}", "exec"), namespace)  # noqa: S102
    printed = capsys.readouterr().out
    if "run_or_recorded" in cell:
        assert "BONDKIT_NB_LAB=off" in printed and "recorded run" in printed, printed
    if solution == "05-1" and version == "solved":
        assert "data/sweeps/downdelay200" in printed
