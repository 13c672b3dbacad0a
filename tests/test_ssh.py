"""bondkit.ssh against a real OpenSSH server on 127.0.0.1 (see sshd_fixture.py)."""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path

import paramiko
import pytest

from bondkit.errors import SSHError
from bondkit.i18n import t
from bondkit.ssh import CommandResult, Host, fingerprint, load_private_key, public_key_line
from tests.sshd_fixture import SSHServer, free_port, keygen, running_sshd, sshd_available

pytestmark = pytest.mark.skipif(sshd_available() is not None, reason=sshd_available() or "")


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory):
    with running_sshd(tmp_path_factory.mktemp("sshd")) as server:
        yield server


@pytest.fixture
def host(sshd: SSHServer):
    with sshd.host() as connected:
        yield connected


def test_run_returns_output_and_status(host: Host) -> None:
    result = host.run("echo out; echo err >&2; exit 3")
    assert (result.stdout, result.stderr, result.status) == ("out\n", "err\n", 3)
    assert result.command == "echo out; echo err >&2; exit 3"
    ok = host.run("uname -s; hostname", check=True)
    assert ok.stdout.splitlines()[0] == "Linux"


def test_check_names_host_command_status_and_stderr(host: Host) -> None:
    with pytest.raises(SSHError) as caught:
        host.run("echo boom >&2; exit 7", check=True)
    text = caught.value.message("en")
    assert host.name in text and "exit 7" in text and "status 7" in text and "boom" in text
    assert "종료 상태 7" in caught.value.message("ko")
    assert CommandResult("", "", 0, "true").check().ok


def test_run_feeds_stdin_and_handles_large_output(host: Host) -> None:
    assert host.run("cat", input="héllo\n").stdout == "héllo\n"
    assert host.run("wc -c", input=b"\x00" * 100_000).stdout.strip() == "100000"
    # Both streams at once, far beyond a channel window: must not deadlock.
    big = host.run("head -c 3000000 /dev/zero | tr '\\0' a; head -c 300000 /dev/zero | tr '\\0' b >&2")
    assert len(big.stdout) == 3_000_000 and len(big.stderr) == 300_000


def test_run_timeout(host: Host) -> None:
    start = time.monotonic()
    with pytest.raises(SSHError) as caught:
        host.run("sleep 10", timeout=0.5)
    assert caught.value.key == "ssh.command_timeout"
    assert time.monotonic() - start < 5
    assert host.run("echo still usable").stdout == "still usable\n"


def test_put_and_get(host: Host, tmp_path: Path) -> None:
    remote = str(tmp_path / "remote.txt")
    host.put("안녕 bond0\n", remote, mode=0o600)
    assert host.get(remote) == "안녕 bond0\n".encode()
    assert oct(Path(remote).stat().st_mode & 0o777) == "0o600"
    host.put(b"\x00\x01", remote)
    assert host.get(remote) == b"\x00\x01"
    local = tmp_path / "local.bin"
    local.write_bytes(b"from a file")
    host.put(local, remote)
    assert Path(remote).read_bytes() == b"from a file"
    assert not list(tmp_path.glob("*.tmp")), "no temporary file left behind"
    with pytest.raises(SSHError) as caught:
        host.get(str(tmp_path / "absent"))
    assert caught.value.key == "ssh.remote_missing" and "absent" in str(caught.value)
    with pytest.raises(SSHError) as caught:
        host.put("x", str(tmp_path / "no-such-dir" / "file"))
    assert caught.value.key == "ssh.put_failed"


def test_fingerprint_matches_ssh_keygen(sshd: SSHServer) -> None:
    listed = subprocess.run(["ssh-keygen", "-lf", str(sshd.directory / "ssh_host_ed25519_key.pub")],
                            capture_output=True, text=True, check=True).stdout.split()[1]
    assert fingerprint(sshd.host_key) == listed
    key = load_private_key(sshd.client_key)
    assert public_key_line(key).split()[1] == key.get_base64()


def test_rsa_client_key_uses_sha2_signatures(host: Host) -> None:
    transport = host._transport()  # the RSA key of the fixture logged in with paramiko 5
    assert transport.is_authenticated() and transport.auth_handler.auth_method == "publickey"
    assert transport._agreed_pubkey_algorithm in ("rsa-sha2-256", "rsa-sha2-512")


def test_unknown_host_key_is_rejected_with_fingerprint(sshd: SSHServer, tmp_path: Path) -> None:
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    with pytest.raises(SSHError) as caught:
        sshd.host(known_hosts=empty).connect()
    error = caught.value
    assert error.key == "ssh.host_key_unknown"
    assert fingerprint(sshd.host_key) in str(error) and "ssh-keygen -lf" in str(error)
    assert f"[127.0.0.1]:{sshd.port}" in str(error)
    assert empty.read_text() == "", "the key was not added"


def test_changed_host_key_is_rejected(sshd: SSHServer, tmp_path: Path) -> None:
    other = keygen(tmp_path / "other", "ed25519")
    pinned = tmp_path / "known_hosts"
    pinned.write_text(f"[127.0.0.1]:{sshd.port} {other.get_name()} {other.get_base64()}\n")
    with pytest.raises(SSHError) as caught:
        sshd.host(known_hosts=pinned).connect()
    assert caught.value.key == "ssh.host_key_changed"
    assert fingerprint(other) in str(caught.value) and fingerprint(sshd.host_key) in str(caught.value)


def test_wrong_key_is_refused(sshd: SSHServer, tmp_path: Path) -> None:
    stranger = tmp_path / "stranger"
    keygen(stranger, "ed25519")
    with pytest.raises(SSHError) as caught:
        sshd.host(key_file=stranger).connect()
    assert caught.value.key == "ssh.key_refused" and "root" in str(caught.value)


def test_key_file_problems(sshd: SSHServer, tmp_path: Path) -> None:
    with pytest.raises(SSHError) as caught:
        sshd.host(key_file=tmp_path / "missing.pem").connect()
    assert caught.value.key == "ssh.key_missing"
    loose = tmp_path / "loose.pem"
    loose.write_bytes(sshd.client_key.read_bytes())
    loose.chmod(0o644)
    with pytest.raises(SSHError) as caught:
        sshd.host(key_file=loose).connect()
    assert caught.value.key == "ssh.key_permissions" and "chmod 400" in str(caught.value)
    junk = tmp_path / "junk.pem"
    junk.write_text("not a key")
    junk.chmod(0o400)
    with pytest.raises(SSHError) as caught:
        sshd.host(key_file=junk).connect()
    assert caught.value.key == "ssh.key_invalid"


def test_connection_refused_and_missing_known_hosts(sshd: SSHServer, tmp_path: Path) -> None:
    port = free_port()
    start = time.monotonic()
    with pytest.raises(SSHError) as caught:
        Host("127.0.0.1", port, key_file=sshd.client_key, known_hosts=sshd.known_hosts).connect()
    assert caught.value.key == "ssh.connection_refused" and str(port) in str(caught.value)
    assert time.monotonic() - start < 2, "no retries without a deadline"
    with pytest.raises(SSHError) as caught:
        sshd.host(known_hosts=tmp_path / "nope").connect()
    assert caught.value.key == "ssh.known_hosts_missing"


def test_connect_deadline_retries_until_the_key_is_installed(sshd: SSHServer, tmp_path: Path) -> None:
    late = tmp_path / "late"
    key = keygen(late, "ed25519")
    timer = threading.Timer(0.8, sshd.authorize, args=(public_key_line(key, "late"),))
    timer.start()
    try:
        with sshd.host(key_file=late, connect_deadline=10) as reached:
            assert reached.run("echo in").stdout == "in\n"
    finally:
        timer.cancel()
        kept = [line for line in sshd.authorized_keys.read_text().splitlines() if "late" not in line]
        sshd.authorized_keys.write_text("".join(line + "\n" for line in kept))


def test_connect_deadline_is_bounded(sshd: SSHServer) -> None:
    start = time.monotonic()
    with pytest.raises(SSHError) as caught:
        Host("127.0.0.1", free_port(), key_file=sshd.client_key, known_hosts=sshd.known_hosts,
             connect_deadline=1.0).connect()
    assert caught.value.key == "ssh.connection_refused"
    assert 0.9 < time.monotonic() - start < 4


def test_messages_exist_in_both_languages() -> None:
    params = {"addr": "a", "key_type": "k", "fingerprint": "f", "known_hosts": "h", "entry": "e",
              "user": "u", "key_file": "k", "seconds": 1}
    for key in ("ssh.host_key_unknown", "ssh.key_refused", "ssh.connection_refused", "ssh.timeout"):
        assert t(key, "en", **params) != t(key, "ko", **params)


def test_agent_and_default_keys_are_not_used(sshd: SSHServer, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, object] = {}
    original = paramiko.SSHClient.connect

    def spy(self: paramiko.SSHClient, *args: object, **kwargs: object) -> None:
        seen.update(kwargs)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(paramiko.SSHClient, "connect", spy)
    with sshd.host():
        pass
    assert seen["allow_agent"] is False and seen["look_for_keys"] is False


def test_persistent_shell_behaves_like_one_session_per_command(sshd: SSHServer) -> None:
    with sshd.host(persistent_shell=True) as shell:
        first = shell.run("echo out; echo err >&2")
        assert (first.stdout, first.stderr, first.status) == ("out\n", "err\n", 0)
        assert shell.run("printf no-newline").stdout == "no-newline"
        assert shell.run("exit 3").status == 3  # the shell itself survives
        home = shell.run("pwd").stdout.strip()
        shell.run("set -e; cd /tmp; X=1")
        assert shell.run("false; echo still here $PWD ${X:-unset}").stdout == f"still here {home} unset\n"
        with pytest.raises(SSHError) as caught:
            shell.run("echo boom >&2; exit 5", check=True)
        assert "boom" in str(caught.value) and "5" in str(caught.value)
        with pytest.raises(SSHError):
            shell.run("sleep 5", timeout=0.3)
        assert shell.run("cat", input="via exec\n").stdout == "via exec\n"  # stdin: a session of its own
        assert shell.run("echo recovered").stdout == "recovered\n"


def test_persistent_shell_that_cannot_start_is_an_ssh_error(sshd: SSHServer,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    with sshd.host(persistent_shell=True) as shell:
        transport = shell._transport()

        def refused(*args: object, **kwargs: object) -> None:
            raise paramiko.ChannelException(1, "Administratively prohibited")

        monkeypatch.setattr(transport, "open_session", refused)
        with pytest.raises(SSHError) as caught:
            shell.run("true")
        assert caught.value.key == "ssh.connection_lost" and "prohibited" in str(caught.value)
        monkeypatch.undo()
        assert shell.run("echo again").stdout == "again\n"


def test_paramiko_prints_no_line_of_its_own_before_the_kits_error():
    """The stray ``Socket exception: ... (104)`` line: paramiko's transport logs it at ERROR, which with
    no handler set up Python prints on stderr. Once bondkit.ssh is loaded it is not printed, while a
    handler the program sets up itself still receives it."""
    import subprocess
    import sys

    code = ("import logging, bondkit.ssh; logging.getLogger('paramiko.transport')"
            ".error('Socket exception: Connection reset by peer (104)')")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    bare = subprocess.run([sys.executable, "-c", code.replace("bondkit.ssh", "paramiko")],
                          capture_output=True, text=True, timeout=60)
    assert "Socket exception" in bare.stderr  # the check above would catch the line
    shown = subprocess.run([sys.executable, "-c", "import logging; logging.basicConfig(); " + code],
                           capture_output=True, text=True, timeout=60)
    assert "Socket exception" in shown.stderr
