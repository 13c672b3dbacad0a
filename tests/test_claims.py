"""The claim catalog (``notebooks/claims.yaml``) against the text and against its checks.

Every statement the notebooks, the teacher's guides, the answer keys and the messages make about what
the kernel or a tool does has an entry there: its source, the places that state it (each with the
sentence as it stands there) and the test that checks it, on the live lab (``tests/test_claims_live.py``),
against the recorded runs (here), or against the real ``netplan generate`` / ``aws`` (here and in
``tests/test_exercises.py``).

A sentence edited in a notebook source or a guide no longer matches its place in the catalog, and the
test below fails until the catalog is updated with it, and with it its check is looked at again.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from statistics import median

import pandas as pd
import pytest
import yaml

from bondkit.failover import Run
from bondkit.failover.store import load_sweeps
from bondkit.i18n import catalog

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "notebooks" / "claims.yaml"
RUNS = ROOT / "data" / "runs"
SWEEPS = ROOT / "data" / "sweeps"
KINDS = {"live", "recorded", "tool", "document"}
NETPLAN = shutil.which("netplan") or next(
    (p for p in ("/usr/sbin/netplan", "/sbin/netplan") if Path(p).exists()), None)


def claims() -> dict[str, dict]:
    return yaml.safe_load(CATALOG.read_text(encoding="utf-8"))["claims"]


def prose(path: Path) -> str:
    """A file's text as a reader reads it: comment markers of the notebook sources and line breaks gone,
    runs of spaces made one, so that rewrapping a paragraph does not count as changing it."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".py":
        text = "\n".join(re.sub(r"^# ?", "", line) for line in text.splitlines())
    return " ".join(text.split())


def _place_text(place: dict) -> tuple[str, str]:
    """(where, the text there) for one place of a claim."""
    if "message" in place:
        words = catalog()
        key = place["message"]
        assert key in words, f"no message {key}"
        lang = place.get("lang", "en")
        return f"message {key} ({lang})", " ".join(words[key][lang].split())
    path = ROOT / place["file"]
    assert path.exists(), f"no file {place['file']}"
    return place["file"], prose(path)


ALL = claims()


def test_the_catalog_is_well_formed():
    assert len(ALL) >= 25
    for cid, claim in ALL.items():
        assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", cid), cid
        assert claim.get("claim") and claim.get("source") and claim.get("places"), cid
        assert claim["check"]["kind"] in KINDS, cid
        assert claim["check"].get("test") or claim["check"]["kind"] == "document", cid


@pytest.mark.parametrize("cid", sorted(ALL))
def test_every_place_still_states_the_claim_as_the_catalog_has_it(cid):
    for place in ALL[cid]["places"]:
        where, text = _place_text(place)
        sentence = " ".join(place["text"].split())
        assert sentence in text, (f"{cid}: {where} no longer says {sentence!r}. If the text changed, "
                                  "update notebooks/claims.yaml and look at the claim's check again.")


def _functions(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}


@pytest.mark.parametrize("cid", sorted(ALL))
def test_every_check_names_a_test_that_exists(cid):
    test = ALL[cid]["check"].get("test")
    if test is None:
        return
    for one in test.split():
        file, _, function = one.partition("::")
        path = ROOT / file
        assert path.exists(), f"{cid}: {file} does not exist"
        assert function.split("[")[0] in _functions(path), f"{cid}: no {function} in {file}"


def test_every_live_claim_test_is_named_by_a_claim():
    named = {c["check"]["test"].partition("::")[2].split("[")[0]
             for c in ALL.values() if c["check"].get("test", "").startswith("tests/test_claims_live.py")}
    live = _functions(ROOT / "tests" / "test_claims_live.py")
    defined = {name for name in live if name.startswith("test_")}
    assert defined == named


def test_every_recorded_and_tool_claim_here_has_its_function():
    """The checks that live in this file are named after the claim: ``test_claim_<id with _>``."""
    here = _functions(Path(__file__))
    for cid, claim in ALL.items():
        if claim["check"].get("test", "").startswith("tests/test_claims.py::"):
            assert f"test_claim_{cid.replace('-', '_')}" == claim["check"]["test"].partition("::")[2], cid
            assert f"test_claim_{cid.replace('-', '_')}" in here, cid


def test_the_wrong_miimon_default_is_stated_nowhere():
    """The sentence that taught the opposite (no monitor written means 100 in active-backup)."""
    wrong = ["current kernels use 100", "current kernels default to 100", "요즘 커널은 100",
             "요즘 커널은 `miimon`과 `arp_interval`을 둘 다 적지 않으면 100"]
    files = [*sorted((ROOT / "notebooks" / "src").glob("*.py")),
             *sorted((ROOT / "notebooks" / "teachers").glob("*.md"))]
    for path in files:
        text = prose(path)
        for phrase in wrong:
            assert phrase not in text, f"{path.name}: {phrase}"


# --------------------------------------------------------------------------- recorded checks


def _sweeps() -> pd.DataFrame:
    return pd.read_csv(SWEEPS / "index.csv")


def test_claim_miimon_detects_within_one_period():
    """Over the sweeps, the median detection stays within one period (plus the 40 ms a link sample of
    a busy emulated guest can lag) and most runs are within one period and two samples."""
    sweeps = _sweeps()
    for ms in (50, 100, 200, 500):
        rows = sweeps[sweeps["setting"] == f"miimon{ms}"]
        assert len(rows) >= 5, ms
        assert rows["detect_ms"].median() <= ms + 40, ms
        within = rows["detect_ms"] <= ms + 2 * rows["sample_period_ms"]
        assert within.mean() >= 0.7, (ms, rows["detect_ms"].tolist())


def test_claim_detect_can_exceed_the_period_by_the_sampling_step():
    """What 05 §3a explains: the highest dot above its period, quoted with its value."""
    sweeps = _sweeps()
    rows = sweeps[sweeps["setting"] == "miimon200"]
    highest = round(rows["detect_ms"].max())
    assert highest > 200
    text = prose(ROOT / "notebooks" / "src" / "05_beyond.py")
    assert f"(`miimon=200`'s highest is {highest} ms)" in text and f"점은 {highest} ms)" in text, highest


def test_claim_outage_can_be_shorter_than_detect():
    """The outage is measured on the pings, detection on the link samples: with ARP monitoring the
    traffic can come back before the sampler sees the change (arp500's medians)."""
    sweeps = _sweeps()
    arp = sweeps[sweeps["setting"].str.startswith("arp")]
    assert (arp["outage_ms"] < arp["detect_ms"]).any()


def test_claim_arp_monitor_detects_after_a_few_intervals():
    sweeps = _sweeps()
    for ms in (100, 200, 500):
        rows = sweeps[sweeps["setting"] == f"arp{ms}"]
        assert len(rows) >= 5, ms
        assert 1.5 * ms <= rows["detect_ms"].median() <= 4 * ms, (ms, rows["detect_ms"].median())


def test_claim_downdelay_adds_its_value():
    sweeps = _sweeps()
    plain = sweeps[sweeps["setting"] == "miimon100"]["outage_ms"].median()
    delayed = sweeps[sweeps["setting"] == "downdelay200"]["outage_ms"].median()
    assert 150 <= delayed - plain <= 300, (plain, delayed)


def test_claim_failback_costs_about_one_ping():
    """The failback with primary costs one or two pings here: the median quoted in 05, 03 and the key."""
    rows = _sweeps()
    rows = rows[rows["setting"] == "primary-failback"]
    assert len(rows) >= 5
    middle = round(rows["failback_outage_ms"].median())
    assert middle <= 20, rows["failback_outage_ms"].tolist()
    for name in ("05_beyond.py", "03_failover_test.py"):
        assert f"a median of {middle} ms" in prose(ROOT / "notebooks" / "src" / name), name
    assert f"a median of {middle} ms" in prose(ROOT / "notebooks" / "teachers" / "solutions.en.md")


def test_claim_no_failback_recorded():
    run = Run.load(RUNS / "active_admin-down_learning_mii100")
    lanes = run.lanes()
    after = lanes[(lanes["t"] > run.meta["restore_t"] + 0.3) & lanes["is_active"]]
    assert set(after["ifname"]) == {"enp0s9"}


def test_claim_vbox_outage_lasts_past_the_restore():
    """none and follow behind a host-only port: no reply until the end of the run, after the restore."""
    for mode in ("none", "follow"):
        run = Run.load(RUNS / f"{mode}_admin-down_vbox-hostonly_mii100")
        pings = run.pings
        after = pings[pings["t"] > run.meta["restore_t"]]
        assert not run.metrics.survived
        assert after["lost"].all(), mode
    assert Run.load(RUNS / "active_admin-down_vbox-hostonly_mii100").metrics.survived


def test_claim_follow_swaps_in_two_writes():
    """What a recorded follow run shows of the swap: the bond keeps its address, the new active slave
    has it after the failover and the old one the new one's former address (the two writes fall
    between two link samples, so the moment both carry the bond's address is not in the samples)."""
    run = Run.load(RUNS / "follow_admin-down_learning_mii100")
    lanes = run.lanes()
    before = lanes[lanes["t"] < 0].groupby("ifname")["mac"].last()
    after = lanes[lanes["t"] < run.meta["restore_t"]].groupby("ifname")["mac"].last()
    assert before["bond0"] == after["bond0"] == before["enp0s8"] == after["enp0s9"]
    assert after["enp0s8"] == before["enp0s9"] != before["enp0s8"]


def test_claim_gratuitous_arp_after_failover():
    """With active the client's ARP entry moves to enp0s9's address after the failover (the bond's
    gratuitous ARP); with follow the address it sends to never changes."""
    def client(run: Run) -> pd.DataFrame:
        neigh = run.neigh
        return neigh[(neigh["host"] == "client") & (neigh["t"] < run.meta["restore_t"])]

    active = Run.load(RUNS / "active_admin-down_learning_mii100")
    entries = client(active)
    assert entries[entries["t"] < 0]["mac"].iloc[-1] == "08:00:27:ad:1b:ac"
    assert entries["mac"].iloc[-1] == "08:00:27:99:81:8a"
    assert set(client(Run.load(RUNS / "follow_admin-down_learning_mii100"))["mac"]) == {"08:00:27:ad:1b:ac"}


def test_claim_miimon_500_single_runs():
    """The three single runs quoted in 05 §3 (none, active, follow on a pulled cable, miimon=500)."""
    quoted = sorted(round(Run.load(RUNS / f"{mode}_carrier-loss_learning_mii500").metrics.detect_ms)
                    for mode in ("none", "active", "follow"))
    text = prose(ROOT / "notebooks" / "src" / "05_beyond.py")
    assert f"runs show {quoted[0]}, {quoted[1]} and {quoted[2]} ms" in text, quoted
    assert f"실행 세 개는 {quoted[0]}, {quoted[1]}, {quoted[2]} ms" in text, quoted


def test_claim_fault_call_ms_range():
    """05 §3 gives the range of ``fault_call_ms`` over the single runs."""
    calls = [Run.load(path.parent).meta.get("fault_call_ms") for path in RUNS.glob("*/run.json")]
    calls = sorted(c for c in calls if c)
    text = prose(ROOT / "notebooks" / "src" / "05_beyond.py")
    stated = re.search(r"`fault_call_ms` in each `run\.json`, (\d+) to (\d+) ms here", text)
    assert stated, "05 §3 no longer states the range"
    assert int(stated.group(1)) <= round(calls[0]) and round(calls[-1]) <= int(stated.group(2)), calls
    assert f"{stated.group(1)}~{stated.group(2)} ms" in text


def test_claim_delays_outages_quoted():
    """The outages quoted for exercise 05-1: the run without delays and the one with both."""
    plain = Run.load(RUNS / "active_carrier-loss_learning_mii100").metrics.outage_ms
    both = Run.load(RUNS / "active_carrier-loss_learning_mii100_updelay200_downdelay200").metrics.outage_ms
    text = prose(ROOT / "notebooks" / "teachers" / "solutions.en.md")
    stated = re.search(r"an outage of (\d+) ms against (\d+) ms", text)
    assert stated
    assert abs(int(stated.group(1)) - both) <= 10 and abs(int(stated.group(2)) - plain) <= 10, (both, plain)
    medians = load_sweeps().groupby("setting")["outage_ms"].median()
    quoted = re.search(r"\((\d+) ms\s+against (\d+) ms\)", text)
    assert quoted, "the repeated runs' medians are quoted"
    assert abs(int(quoted.group(1)) - medians["downdelay200"]) <= 10
    assert abs(int(quoted.group(2)) - medians["miimon100"]) <= 10
    assert medians["downdelay200"] - medians["miimon100"] >= 150


def test_claim_recorded_run_lost_pings():
    """03_outage's explanation quotes how many pings the recorded tutorial run lost, and 05 exercise 1
    the outage of the run without delays."""
    lost = Run.load(RUNS / "active_admin-down_learning_mii100").metrics.lost
    words = catalog()["quiz.03_outage.why"]
    assert f"lost {lost}." in words["en"] and f"{lost}개를 잃었습니다" in words["ko"], lost
    plain = Run.load(RUNS / "active_carrier-loss_learning_mii100").metrics.outage_ms
    text = prose(ROOT / "notebooks" / "src" / "05_beyond.py")
    stated = re.search(r"the run without delays \(about (\d+) ms\)", text)
    assert stated and abs(int(stated.group(1)) - plain) <= 10, plain
    assert f"지연이 없는 실행({stated.group(1)} ms쯤)" in text


def test_claim_downdelay_sweep_median():
    rows = _sweeps()
    delayed = rows[rows["setting"] == "downdelay200"]["outage_ms"]
    assert len(delayed) >= 5
    text = prose(ROOT / "notebooks" / "teachers" / "guide.en.md")
    stated = re.search(r"`downdelay=200` alone: median outage (\d+) ms", text)
    assert stated and abs(int(stated.group(1)) - median(delayed)) <= 10, median(delayed)


# --------------------------------------------------------------------------- tool checks


def _netplan(yaml_text: str) -> str:
    with tempfile.TemporaryDirectory() as root:
        folder = Path(root) / "etc" / "netplan"
        folder.mkdir(parents=True)
        (folder / "50-bond.yaml").write_text(yaml_text, encoding="utf-8")
        (folder / "50-bond.yaml").chmod(0o600)
        done = subprocess.run([NETPLAN, "generate", "--root-dir", root], capture_output=True, text=True,
                              timeout=60, check=False)
        assert done.returncode == 0, done.stderr
        return "\n".join(p.read_text() for p in sorted(Path(root).glob("run/systemd/network/*.netdev")))


def _netplan_version() -> tuple[int, ...]:
    out = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "netplan.io"], capture_output=True,
                         text=True, check=False).stdout
    return tuple(int(x) for x in re.findall(r"\d+", out.split("-")[0])[:2])


_BOND = """network:
  version: 2
  ethernets:
    enp0s8: {{dhcp4: false}}
    enp0s9: {{dhcp4: false}}
  bonds:
    bond0:
      interfaces: [enp0s8, enp0s9]
      parameters:
        mode: {mode}
        {key}: {value}
"""


@pytest.mark.skipif(NETPLAN is None, reason="netplan is not installed (set-up installs netplan.io)")
def test_claim_netplan_member_keys_since_0_106():
    """0.106 renamed the bond keys and still accepts the old spellings, so the old ones are the portable
    ones (what 18.04's netplan knows); both give the same networkd setting."""
    assert _netplan_version() >= (0, 106)
    cases = [("all-slaves-active", "all-members-active", "active-backup", "true", "AllSlavesActive=1"),
             ("packets-per-slave", "packets-per-member", "balance-rr", "2", "PacketsPerSlave=2")]
    for old, new, mode, value, networkd in cases:
        for key in (old, new):
            assert networkd in _netplan(_BOND.format(mode=mode, key=key, value=value)), key


@pytest.mark.skipif(NETPLAN is None, reason="netplan is not installed (set-up installs netplan.io)")
def test_claim_netplan_to_default_needs_0_103():
    text = ("network:\n  version: 2\n  ethernets:\n    enp0s3: {dhcp4: false, addresses: [10.0.2.15/24],"
            " routes: [{to: 0.0.0.0/0, via: 10.0.2.2}]}\n")
    with tempfile.TemporaryDirectory() as root:
        folder = Path(root) / "etc" / "netplan"
        folder.mkdir(parents=True)
        (folder / "a.yaml").write_text(text)
        (folder / "a.yaml").chmod(0o600)
        done = subprocess.run([NETPLAN, "generate", "--root-dir", root], capture_output=True, text=True,
                              timeout=60, check=False)
        assert done.returncode == 0, done.stderr
        network = "\n".join(p.read_text() for p in Path(root).glob("run/systemd/network/*.network"))
    assert "Destination=0.0.0.0/0" in network and "Gateway=10.0.2.2" in network


def test_claim_aws_cli_version_1():
    aws = ROOT / ".venv" / "bin" / "aws"
    if not aws.exists():
        pytest.skip("the aws command is not installed in .venv (make setup)")
    out = subprocess.run([str(aws), "--version"], capture_output=True, text=True, timeout=60, check=True)
    assert (out.stdout + out.stderr).startswith("aws-cli/1."), out.stdout + out.stderr
