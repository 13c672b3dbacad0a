"""A second local user against a student's lab, keys and files: each attack of the security review, tried.

Run as root, the tests make two throwaway accounts (an attacker and a victim, removed afterwards with
everything they made, even when a test fails) and play the attacker for real: folders and links planted
in /tmp, a fake OpenSSH control master, requests to the victim's EC2 emulator. After each attack the
victim's own files (an ~/.ssh with keys, a .bashrc, a file outside any lab) must be unchanged, byte for
byte and mode for mode. Run as an ordinary user, the tests do what one account can: the folder checks,
the emulator's refusals, the confinement's rules, a malformed state file. The guest test needs the lab.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bondkit.errors import LabError
from bondkit.lab import confine, places

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CONFINE = [PYTHON, "-I", "-S", confine.__file__]
AS_ROOT = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("useradd"),
                             reason="playing a second local user needs root (to make two throwaway accounts)")


# -- accounts --------------------------------------------------------------------------------------------


@dataclass
class Account:
    name: str
    uid: int
    gid: int
    home: Path

    def env(self, **extra: str) -> dict[str, str]:
        return {"HOME": str(self.home), "USER": self.name, "LOGNAME": self.name, "LANG": "C.UTF-8",
                "BONDKIT_LANG": "en", "PATH": f"{Path(PYTHON).parent}:/usr/local/bin:/usr/bin:/bin", **extra}

    def run(self, argv: list[str], *, timeout: float = 120, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(argv, user=self.uid, group=self.gid, extra_groups=[], env=self.env(**env),
                              cwd=str(self.home), capture_output=True, text=True, timeout=timeout)

    def start(self, argv: list[str], **env: str) -> subprocess.Popen[str]:
        return subprocess.Popen(argv, user=self.uid, group=self.gid, extra_groups=[], env=self.env(**env),
                                cwd=str(self.home), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                start_new_session=True)

    def python(self, code: str, **env: str) -> subprocess.CompletedProcess[str]:
        return self.run([PYTHON, "-c", textwrap.dedent(code)], **env)

    def bondkit(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return self.run([PYTHON, "-m", "bondkit", *args], **env)


def _make_account(prefix: str) -> Account:
    name = prefix + secrets.token_hex(3)
    subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", name], check=True,
                   capture_output=True)
    info = subprocess.run(["id", "-u", name], capture_output=True, text=True, check=True).stdout
    gid = subprocess.run(["id", "-g", name], capture_output=True, text=True, check=True).stdout
    return Account(name, int(info), int(gid), Path(os.path.expanduser(f"~{name}")))


def _pids_of(uid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError, ValueError, IndexError):
            real_uid = (entry / "status").read_text().split("\nUid:")[1].split()[0]
            if entry.name.isdigit() and real_uid == str(uid):
                pids.append(int(entry.name))
    return pids


def _let_through(account: Account) -> list[Path]:
    """Let the account pass every folder above the checkout and the interpreter (a clone under /root or
    a private temporary folder would stop it), as scripts/as_student.sh does; returns what was opened."""
    opened = []
    for start in (ROOT, Path(PYTHON).resolve().parent):
        for folder in (start, *start.parents):
            if folder != Path("/") and account.run(["test", "-x", str(folder)]).returncode != 0:
                subprocess.run(["setfacl", "-m", f"u:{account.name}:x", str(folder)], check=True)
                opened.append(folder)
    return opened


def _close_again(account: Account, opened: list[Path]) -> None:
    for folder in opened:
        subprocess.run(["setfacl", "-x", f"u:{account.name}", str(folder)], capture_output=True)


def _remove_account(account: Account) -> None:
    """Every process the account runs (all started by these tests), every file it left in /tmp, then
    the account and its home."""
    for pid in _pids_of(account.uid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    for entry in Path(tempfile.gettempdir()).iterdir():
        with contextlib.suppress(OSError):
            if os.lstat(entry).st_uid == account.uid:
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    entry.unlink()
    subprocess.run(["userdel", "--remove", account.name], capture_output=True)


@pytest.fixture(scope="module")
def two_users() -> Iterator[tuple[Account, Account]]:
    """(attacker, victim). The victim has an ~/.ssh with keys, a .bashrc and a file of notes."""
    made: list[Account] = []
    opened: dict[str, list[Path]] = {}
    try:
        attacker = _make_account("bksa")
        made.append(attacker)
        victim = _make_account("bksv")
        made.append(victim)
        done = victim.run(["bash", "-c", "mkdir -m 700 ~/.ssh && ssh-keygen -q -t ed25519 -N '' "
                                         "-f ~/.ssh/id_ed25519 && echo '[127.0.0.1]:2222 ssh-ed25519 AAAA' "
                                         "> ~/.ssh/known_hosts && echo 'export EDITOR=nano' >> ~/.bashrc "
                                         "&& echo 'my notes' > ~/notes.txt && chmod 600 ~/notes.txt"])
        assert done.returncode == 0, done.stderr
        for account in made:
            opened[account.name] = _let_through(account)
        yield attacker, victim
    finally:
        for account in made:
            _close_again(account, opened.get(account.name, []))
            _remove_account(account)


def snapshot(account: Account) -> dict[str, tuple[int, int, int, bytes]]:
    """Every file and folder of the account's home but the kit's own (``.cache``): type and mode, owner,
    content (a link's target)."""
    seen = {}
    for path in [account.home, *account.home.rglob("*")]:
        relative = path.relative_to(account.home)
        if relative.parts[:1] == (".cache",):
            continue
        info = os.lstat(path)
        content = (path.read_bytes() if stat.S_ISREG(info.st_mode)
                   else os.readlink(path).encode() if stat.S_ISLNK(info.st_mode) else b"")
        seen[str(relative)] = (info.st_mode, info.st_uid, info.st_gid, content)
    return seen


@contextlib.contextmanager
def unchanged(account: Account) -> Iterator[None]:
    before = snapshot(account)
    kept = {".ssh/id_ed25519", ".ssh/id_ed25519.pub", ".ssh/known_hosts", ".bashrc", "notes.txt"}
    assert kept <= set(before)
    yield
    assert snapshot(account) == before, "the victim's files changed"


def _refused(done: subprocess.CompletedProcess[str], *words: str) -> None:
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr and all(word in done.stderr for word in words), done.stderr


# -- 1: the lab folder -------------------------------------------------------------------------------------


@AS_ROOT
def test_a_planted_tmp_lab_folder_is_never_used_nor_emptied(two_users):
    """The review's H1a: /tmp/bondkit-<uid>/lab made a link to the victim's ~/.ssh. The default lab
    folder is no longer there, and pointed at it, the lab refuses it and removes nothing."""
    attacker, victim = two_users
    planted = Path(tempfile.gettempdir()) / f"bondkit-{victim.uid}"
    assert attacker.run(["bash", "-c", f"mkdir -m 777 {planted} && ln -s {victim.home}/.ssh {planted}/lab"]
                        ).returncode == 0
    other_run = Path(tempfile.gettempdir()) / f"run-{attacker.name}"
    assert attacker.run(["mkdir", "-m", "700", str(other_run)]).returncode == 0
    with unchanged(victim):
        where = victim.python("from bondkit.lab import default_directory; print(default_directory())",
                              XDG_RUNTIME_DIR=str(other_run))
        assert where.stdout.strip() == str(victim.home / ".cache" / "bondkit" / "lab"), where.stderr
        assert victim.bondkit("lab", "down").returncode == 0
        assert victim.bondkit("lab", "down", XDG_RUNTIME_DIR=str(other_run)).returncode == 0
        for verb in ("down", "status"):
            _refused(victim.bondkit("lab", verb, BONDKIT_LAB_DIR=f"{planted}/lab"),
                     "not safe", "nothing in it")
    assert os.readlink(planted / "lab") == f"{victim.home}/.ssh"  # not even the link was touched


@AS_ROOT
def test_a_lab_folder_others_may_enter_or_change_is_refused_before_anything(two_users):
    """H1b: a world-writable lab folder of the attacker's, its guests/ a link into the victim's home.
    ``lab up`` stops at the check (with a QEMU that would fail anyway, no guest can start here); an
    open folder of the victim's own is refused too."""
    attacker, victim = two_users
    base = Path(tempfile.gettempdir()) / f"lab-{attacker.name}"
    script = (f"mkdir -m 777 {base} {base}/lab && mkdir {base}/mine "
              f"&& ln -s {victim.home} {base}/mine/client && ln -s {base}/mine {base}/lab/guests")
    assert attacker.run(["bash", "-c", script]).returncode == 0
    with unchanged(victim):
        _refused(victim.bondkit("lab", "up", BONDKIT_LAB_DIR=f"{base}/lab", BONDKIT_QEMU="/bin/false"),
                 "not safe")
        _refused(victim.bondkit("lab", "down", BONDKIT_LAB_DIR=f"{base}/lab"), "not safe")
        own = victim.home / "open-lab"
        assert victim.run(["mkdir", "-m", "755", str(own)]).returncode == 0
        _refused(victim.bondkit("lab", "up", BONDKIT_LAB_DIR=str(own), BONDKIT_QEMU="/bin/false"),
                 "other users may read or enter it")
        assert victim.run(["rmdir", str(own)]).returncode == 0
    assert sorted(p.name for p in (base / "lab").iterdir()) == ["guests"]
    assert sorted(p.name for p in (base / "mine").iterdir()) == ["client"]


@AS_ROOT
def test_confinement_rules_never_follow_a_planted_link(two_users):
    """H1b's second half: a write rule for guests/client, a link to the victim's home, must not let a
    confined process write ~/.bashrc, whether the kit's launcher or confine.py itself is handed it."""
    attacker, victim = two_users
    base = Path(tempfile.gettempdir()) / f"rules-{attacker.name}"
    assert attacker.run(["bash", "-c", f"mkdir -m 755 {base} && ln -s {victim.home} {base}/client"]
                        ).returncode == 0
    with unchanged(victim):
        done = victim.run([*CONFINE, "--write", f"{base}/client", "--", "sh", "-c",
                           "echo owned >> \"$HOME/.bashrc\""])
        assert done.returncode != 0 and "symbolic link" in done.stderr, done.stderr
        launched = victim.python(f"""
            from pathlib import Path
            from bondkit.errors import LabError
            from bondkit.lab.processes import start_confined
            try:
                start_confined(["sh", "-c", "echo owned >> $HOME/.bashrc"], [Path("{base}/client")],
                               Path("/dev/null"))
            except LabError as error:
                print("refused:", error)
            """)
        assert launched.stdout.startswith("refused:") and "not safe" in launched.stdout, launched.stderr


# -- 2: OpenSSH's control sockets ---------------------------------------------------------------------

FAKE_MASTER = """
import socket, sys
listener = socket.socket(socket.AF_UNIX)
listener.bind(sys.argv[1])
listener.listen(5)
print("ready", flush=True)
while True:
    peer, _ = listener.accept()
    with open(sys.argv[2], "a") as log:
        log.write("connected\\n")
    peer.sendall(b"uid=0(root) FAKE OUTPUT\\n")
    peer.close()
"""


@AS_ROOT
def test_a_fake_control_master_in_tmp_gets_nothing(two_users):
    """H3: a fake multiplexing master where the control socket used to be (a /tmp path anyone could
    compute). The victim's ``lab ssh`` now uses a socket inside the lab's own folder: the fake one is
    never contacted and nothing it says reaches the victim."""
    attacker, victim = two_users
    lab_dir = victim.home / ".cache" / "bondkit" / "lab"
    digest = hashlib.sha256(str(lab_dir).encode()).hexdigest()[:12]
    old = Path(tempfile.gettempdir()) / f"bondkit-ssh-{victim.uid}-{digest}"
    assert attacker.run(["mkdir", "-m", "777", str(old)]).returncode == 0
    log = old / "log"
    master = attacker.start([PYTHON, "-c", FAKE_MASTER, str(old / "client"), str(log)])
    guests = []
    try:
        assert master.stdout is not None and master.stdout.readline().strip() == "ready"
        # A running lab as the state file tells it, without booting: stand-ins carry the guests' markers.
        made = victim.python("""
            from bondkit.lab import places
            from bondkit.lab.lab import default_directory
            print(places.lab_folder(default_directory()))
            """)
        assert made.returncode == 0 and made.stdout.strip() == str(lab_dir), made.stderr
        for name in ("client", "server"):
            stand_in = f'exec -a "stand-in bk_dir={lab_dir}/guests/{name}" sleep 300'
            guests.append(victim.start(["bash", "-c", stand_in]))
        closed = _closed_port()
        state = {"version": 2, "owner_pid": None, "switch": "learning",
                 "ports": {"client": closed, "server": closed},
                 "pids": {"client": guests[0].pid, "server": guests[1].pid}, "helper_pids": {}, "faults": {},
                 "topology": _tutorial_topology_state()}
        written = victim.python(f"""
            from pathlib import Path
            Path("{lab_dir}/state.json").write_text({json.dumps(state)!r})
            """)
        assert written.returncode == 0, written.stderr
        assert victim.bondkit("lab", "status").returncode == 0
        with unchanged(victim):
            done = victim.bondkit("lab", "ssh", "client", "--", "id")
            assert done.returncode != 0 and "FAKE" not in done.stdout + done.stderr
            assert victim.bondkit("lab", "down").returncode == 0
        assert not log.exists(), "the fake master was contacted"
        assert not lab_dir.exists()
        for guest in guests:
            assert guest.wait(timeout=5) == -signal.SIGKILL  # ended by id, after its marker was checked
    finally:
        for process in (master, *guests):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _tutorial_topology_state() -> list[dict]:
    from dataclasses import asdict

    from bondkit.lab import tutorial_topology

    return [asdict(spec) for spec in tutorial_topology().hosts]


# -- 3: the EC2 emulator -------------------------------------------------------------------------------------

ATTACK_EMULATOR = """
import http.client, json, sys, urllib.parse
import boto3, botocore.exceptions
url = sys.argv[1]
port = int(url.rsplit(":", 1)[1])
said = {}
def raw(name, method, path, headers):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.putrequest(method, path, skip_host=True)
    for key, value in headers.items():
        connection.putheader(key, value)
    connection.endheaders(b"" if method == "POST" else None)
    answer = connection.getresponse()
    body = answer.read()
    said[name] = [answer.status, b"PRIVATE KEY" in body,
                  [k for k, _ in answer.getheaders() if k.lower().startswith("access-control")]]
own = f"127.0.0.1:{port}"
raw("data", "GET", "/moto-api/data.json", {"Host": own})
raw("reset", "POST", "/moto-api/reset", {"Host": own})
raw("guessed_token", "GET", "/moto-api/data.json", {"Host": own, "X-Bondkit-Token": "guess"})
raw("rebinding", "GET", "/moto-api/data.json", {"Host": f"evil.example:{port}"})
raw("preflight", "OPTIONS", "/", {"Host": own, "Origin": "http://evil.example",
                                   "Access-Control-Request-Method": "POST"})
raw("page", "POST", "/?Action=TerminateInstances", {"Host": own, "Origin": "http://evil.example"})
for key in ("testing", "AKIAIOSFODNN7EXAMPLE"):
    client = boto3.client("ec2", endpoint_url=url, region_name="ap-northeast-2", aws_access_key_id=key,
                          aws_secret_access_key="x")
    try:
        said[key] = [k["KeyName"] for k in client.describe_key_pairs()["KeyPairs"]]
    except botocore.exceptions.ClientError as error:
        said[key] = error.response["Error"]["Code"]
print(json.dumps(said))
"""


@AS_ROOT
def test_another_user_gets_nothing_from_the_victims_emulator(two_users):
    """H2: the data API (the victim's private key), a reset, a foreign Host, a web page's requests and
    requests signed with other keys, all from the attacker's account against the victim's background
    emulator: each refused, no CORS header, and the victim's key pair still there for the victim."""
    attacker, victim = two_users
    with unchanged(victim):
        started = victim.python("""
            import boto3
            from bondkit.ec2 import emulator
            state, _ = emulator.start_background()
            key, secret = emulator.credentials_for(state.url)
            client = boto3.client("ec2", endpoint_url=state.url, region_name="ap-northeast-2",
                                  aws_access_key_id=key, aws_secret_access_key=secret)
            client.create_key_pair(KeyName="TestKeyPair")
            print(state.url, state.state_file)
            """)
        assert started.returncode == 0, started.stderr
        url, state_file = started.stdout.split()
        try:
            attack = attacker.run([PYTHON, "-c", ATTACK_EMULATOR, url])
            assert attack.returncode == 0, attack.stderr
            said = json.loads(attack.stdout)
            for name in ("data", "reset", "guessed_token", "rebinding", "preflight", "page"):
                assert said[name] == [403, False, []], (name, said[name])
            assert said["testing"] == said["AKIAIOSFODNN7EXAMPLE"] == "AuthFailure"
            stolen = attacker.run(["cat", state_file])
            assert stolen.returncode != 0 and "Permission denied" in stolen.stderr
            still = victim.python(f"""
                import boto3
                from bondkit.ec2 import emulator
                key, secret = emulator.credentials_for("{url}")
                client = boto3.client("ec2", endpoint_url="{url}", region_name="ap-northeast-2",
                                      aws_access_key_id=key, aws_secret_access_key=secret)
                print([k["KeyName"] for k in client.describe_key_pairs()["KeyPairs"]])
                """)
            assert still.stdout.strip() == "['TestKeyPair']", still.stderr
        finally:
            assert victim.bondkit("ec2", "emulator", "stop").returncode == 0


# -- 5: the class's labs root ------------------------------------------------------------------------------


@AS_ROOT
def test_a_class_labs_root_a_student_made_is_refused(two_users):
    """M2: a student makes the labs root first. The hub's checks refuse it (and so the hub does not
    start), so no classmate's folder is ever made or removed in it."""
    sys.path.insert(0, str(ROOT / "deploy" / "jupyterhub"))
    from bondkit_class.rootfolder import UnsafeFolder, root_folder, student_folder
    from bondkit_class.settings import load_settings

    attacker, victim = two_users
    planted = Path(tempfile.gettempdir()) / f"class-{attacker.name}"
    plant = f"mkdir -m 755 {planted} && ln -s {victim.home} {planted}/{victim.name}"
    assert attacker.run(["bash", "-c", plant]).returncode == 0
    with unchanged(victim):
        with pytest.raises(UnsafeFolder):
            root_folder(planted)
        with pytest.raises(UnsafeFolder):
            student_folder(planted, victim.name, victim.uid, victim.gid)
    assert not str(load_settings({}).labs_root).startswith(tempfile.gettempdir())


# -- what one account can check by itself ---------------------------------------------------------------


def test_a_lab_folder_passes_only_as_the_users_own_closed_real_folder(tmp_path):
    lab = places.lab_folder(tmp_path / "a" / "lab")
    assert stat.S_IMODE(os.stat(lab).st_mode) == 0o700 and stat.S_IMODE(os.stat(lab.parent).st_mode) == 0o700
    assert places.existing_lab_folder(tmp_path / "none") is None
    link = tmp_path / "link"
    link.symlink_to(lab)
    for bad, why in ((link, "not_directory"), (tmp_path / "open", "open"), (tmp_path / "shared", "writable")):
        if not bad.exists():
            bad.mkdir()
            bad.chmod(0o755 if bad.name == "open" else 0o777)
        with pytest.raises(LabError) as caught:
            places.lab_folder(bad)
        assert caught.value.key == "lab.folder_unsafe" and why in _why_keys(caught.value), caught.value
    swapped = tmp_path / "swap"
    swapped.mkdir(mode=0o777)
    swapped.chmod(0o777)
    with pytest.raises(LabError):  # a folder above that others may change: the lab could be swapped
        places.lab_folder(swapped / "lab")
    if os.geteuid() == 0:
        foreign = tmp_path / "foreign"
        foreign.mkdir(mode=0o700)
        os.chown(foreign, 4242, 4242)
        with pytest.raises(LabError) as caught:
            places.lab_folder(foreign)
        assert "owner" in _why_keys(caught.value)


def _why_keys(error: LabError) -> str:
    from bondkit.i18n import t

    return " ".join(key for key in ("missing", "not_directory", "owner", "writable", "open")
                    if t(f"lab.folder_why.{key}") in str(error.params.get("why")))


def test_the_default_lab_folder_is_private_and_never_in_tmp(tmp_path, monkeypatch):
    from bondkit.lab import default_directory

    monkeypatch.delenv("BONDKIT_LAB_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    assert default_directory() == runtime / "bondkit" / "lab"
    runtime.chmod(0o755)  # not private: not used
    assert default_directory() == tmp_path / "cache" / "bondkit" / "lab"
    monkeypatch.setenv("XDG_RUNTIME_DIR", "relative/run")
    assert default_directory() == tmp_path / "cache" / "bondkit" / "lab"
    assert not str(default_directory()).startswith(tempfile.gettempdir() + "/bondkit-")


@pytest.mark.parametrize("text", ["{not json", "[]", '{"topology": []}',
                                  '{"topology": [{"name": "../../x", "index": 0, "mgmt": {}, "data": []}]}',
                                  '{"topology": [], "pids": {"client": "1; rm -rf ~"}}'])
def test_a_malformed_state_file_is_a_clear_error(tmp_path, text):
    lab = places.lab_folder(tmp_path / "lab")
    (lab / "state.json").write_text(text)
    env = {**os.environ, "BONDKIT_LAB_DIR": str(lab), "BONDKIT_LANG": "en"}
    for verb in ("status", "down"):
        done = subprocess.run([PYTHON, "-m", "bondkit", "lab", verb], env=env, capture_output=True, text=True,
                              timeout=60)
        _refused(done, "state file", str(lab / "state.json"))
    assert (lab / "state.json").read_text() == text  # left for the user to look at


def test_the_ssh_forward_counts_only_when_the_plug_itself_listens():
    """L1: another process took the chosen port first; the lab sees it is not its plug's socket."""
    from bondkit.lab.lab import listens

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        other = subprocess.Popen(["sleep", "30"])
        try:
            assert listens(os.getpid(), port)
            assert not listens(other.pid, port)
        finally:
            other.kill()
            other.wait()
    assert not listens(os.getpid(), port)


# -- 4: what the confinement holds (the rules every lab process runs under) --------------------------------

needs_landlock = pytest.mark.skipif(confine.abi_version() < 1, reason="no Landlock on this kernel")


def _confined(lab: Path, script: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CONFINE, "--write", str(lab), *extra, "--", PYTHON, "-I", "-S", "-c", script],
                          capture_output=True, text=True, timeout=60)


@needs_landlock
def test_a_confined_process_changes_reads_and_empties_nothing_outside(tmp_path):
    lab = places.lab_folder(tmp_path / "lab")
    outside = tmp_path / "outside.txt"
    outside.write_text("precious")
    outside.chmod(0o600)
    script = textwrap.dedent(f"""
        import os
        said = []
        for name, act in (("write", lambda: open({str(outside)!r}, "a").write("x")),
                          ("truncate", lambda: os.truncate({str(outside)!r}, 0)),
                          ("read", lambda: open({str(outside)!r}).read()),
                          ("remove", lambda: os.unlink({str(outside)!r})),
                          ("inside", lambda: open({str(lab / 'f')!r}, "w").write("ok"))):
            try:
                act()
                said.append(name + ":done")
            except OSError:
                said.append(name + ":refused")
        print(" ".join(said))
        """)
    done = _confined(lab, script)
    assert done.returncode == 0, done.stderr
    said = dict(item.split(":") for item in done.stdout.split())
    assert said["write"] == said["read"] == said["remove"] == "refused" and said["inside"] == "done"
    assert said["truncate"] == ("refused" if confine.abi_version() >= 3 else "done")  # see README
    assert outside.read_text() == "precious" and stat.S_IMODE(outside.stat().st_mode) == 0o600


@pytest.mark.skipif(confine.abi_version() < 4, reason="Landlock's network rules need Linux 6.7 (ABI 4)")
def test_a_confined_process_opens_no_tcp_connection_and_binds_only_its_ports(tmp_path):
    lab = places.lab_folder(tmp_path / "lab")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    knocked = []
    threading.Thread(target=lambda: knocked.append(listener.accept()), daemon=True).start()
    allowed = _closed_port()
    script = textwrap.dedent(f"""
        import socket
        said = []
        for name, act in (("connect", lambda s: s.connect(("127.0.0.1", {listener.getsockname()[1]}))),
                          ("bind_other", lambda s: s.bind(("127.0.0.1", 0))),
                          ("bind_allowed", lambda s: s.bind(("127.0.0.1", {allowed})))):
            with socket.socket() as s:
                try:
                    act(s)
                    said.append(name + ":done")
                except OSError:
                    said.append(name + ":refused")
        print(" ".join(said))
        """)
    done = _confined(lab, script, "--bind", str(allowed))
    listener.close()
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["connect:refused", "bind_other:refused", "bind_allowed:done"]
    time.sleep(0.2)
    assert not knocked


@pytest.mark.skipif(confine.abi_version() < 6, reason="Landlock's signal scoping needs Linux 6.12 (ABI 6)")
def test_a_confined_process_cannot_signal_the_users_other_processes(tmp_path):
    lab = places.lab_folder(tmp_path / "lab")
    outside = subprocess.Popen(["sleep", "30"])
    try:
        done = _confined(lab, f"import os, signal\ntry:\n    os.kill({outside.pid}, signal.SIGKILL)\n"
                              "    print('killed')\nexcept OSError as e:\n    print('refused', e.errno)")
        assert done.stdout.split()[0] == "refused", done.stdout + done.stderr
        assert outside.poll() is None
    finally:
        outside.kill()
        outside.wait()


def test_the_confinement_says_what_it_holds_on_this_kernel():
    from bondkit.cli.lab_cmds import confinement_rows

    abi = confine.abi_version()
    held = confine.coverage(abi)
    assert held["truncate"] == (abi >= 3) and held["tcp"] == (abi >= 4) and held["signals"] == (abi >= 6)
    rows = dict(confinement_rows(abi))
    if abi:
        assert "ssh-agent" in rows["not_covered"]  # never covered, and said so


# -- 4: a guest, root inside, against the host (needs the lab) ---------------------------------------------


@pytest.mark.lab
def test_a_guest_with_root_reaches_nothing_of_the_host(lab):
    """No host folder in the guest (nothing to chmod or truncate), no unsigned module loads, no TCP to a
    host listener; the engine's processes are confined as above."""
    guest = lab.host("client")
    mounts = guest.run("cat /proc/mounts; for t in 9p virtiofs hostfs; do mount -t $t host /mnt 2>&1; done;"
                       " true", check=True).stdout
    assert not any(kind in line.split()[2:3] for line in mounts.splitlines() if len(line.split()) > 2
                   for kind in ("9p", "virtiofs", "hostfs"))
    # A module of the guest's kernel with its signature cut off: guest root may not load it.
    unsigned = guest.run(
        "ko=$(find /lib/modules/$(uname -r) \\( -name 'dummy.ko*' -o -name 'veth.ko*' \\) | head -1); "
        "echo module=$ko; "
        "case $ko in *.xz) xz -dc $ko;; *.zst) zstd -dc $ko;; *) cat $ko;; esac > /tmp/m.ko; "
        "size=$(grep -abo '~Module signature appended~' /tmp/m.ko | cut -d: -f1); echo signed_at=$size; "
        "head -c $size /tmp/m.ko > /tmp/unsigned.ko; insmod /tmp/unsigned.ko; echo rc=$?", timeout=60)
    said = unsigned.stdout + unsigned.stderr
    assert "module=/lib/modules/" in said and "signed_at=" in said and "signed_at=\n" not in said, said
    assert "rc=0" not in said and "rejected" in said.lower(), said
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    knocked = []
    threading.Thread(target=lambda: knocked.append(listener.accept()), daemon=True).start()
    knock = f"timeout 3 bash -c 'echo x > /dev/tcp/'$a'/{port}' 2>/dev/null && echo reached $a"
    tried = guest.run(f"for a in 10.0.2.2 127.0.0.1 10.0.2.3; do {knock}; done; true", timeout=30).stdout
    listener.close()
    assert "reached" not in tried and not knocked
    for pid in lab.pids.values():
        status = Path(f"/proc/{pid}/status").read_text()
        assert "NoNewPrivs:\t1" in status  # set by the confinement before QEMU started


def test_the_emulators_secrets_are_kept_where_only_the_user_reads_them(tmp_path, monkeypatch):
    """The background emulator's state file holds its key and token: 0600, in a folder of the user's
    that nobody else may write to (a shared one is refused before anything is written)."""
    from bondkit.ec2 import emulator

    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    monkeypatch.setenv("BONDKIT_HOME", str(shared))
    with pytest.raises(LabError):
        emulator.start_background()
    assert list(shared.iterdir()) == []
    monkeypatch.setenv("BONDKIT_HOME", str(tmp_path / "home"))
    state, started = emulator.start_background()
    try:
        assert started and state.access_key.startswith(emulator.KEY_PREFIX)
        assert stat.S_IMODE(os.stat(state.state_file).st_mode) == 0o600
        assert stat.S_IMODE(os.stat(tmp_path / "home").st_mode) == 0o700
        assert emulator.reachable(state.url)  # with its token
        assert not emulator.reachable(state.url, token="guess")
    finally:
        emulator.stop_background()


def test_while_a_lab_starts_every_write_rule_resolves_inside_its_folder(tmp_path):
    """Each path a lab process may write is in a checked folder of the user's, with no link on the way,
    and, while a lab starts its processes, inside that lab's folder."""
    from bondkit.lab import processes

    lab = places.lab_folder(tmp_path / "lab")
    elsewhere = places.lab_folder(tmp_path / "elsewhere")
    log = lab / "log"
    with processes.confined_within(lab):
        with pytest.raises(LabError) as caught:
            processes.start_confined(["true"], [elsewhere], log)
        assert "inside the lab" in str(caught.value)
        with pytest.raises(LabError):  # a link inside the lab that leads out of it
            (lab / "out").symlink_to(elsewhere)
            processes.start_confined(["true"], [lab / "out"], log)
        if confine.abi_version() >= 1:
            assert processes.start_confined(["true"], [lab, Path("/dev/null")], log).wait(timeout=30) == 0
    (tmp_path / "open").mkdir(mode=0o777)
    (tmp_path / "open").chmod(0o777)
    with pytest.raises(LabError):  # a folder others may write to is never a rule's place
        processes.start_confined(["true"], [tmp_path / "open"], log)
