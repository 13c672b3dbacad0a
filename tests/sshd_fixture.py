"""A real, throw-away OpenSSH server on 127.0.0.1 for tests (imported by test modules, not a conftest).

Why a real sshd and not paramiko's server class: the point of bondkit.ssh is to behave with the sshd
students meet (key algorithms, refusals, SFTP). Everything lives in one temporary directory: host key,
client key, authorized_keys, known_hosts, config, pid file. sshd needs /run/sshd (its privilege
separation directory); rather than creating it on the host, it runs in a private mount namespace with a
tmpfs on /run. It is stopped by the pid we started, never by name.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import paramiko

from bondkit.ssh import Host

SSHD = "/usr/sbin/sshd"

CONFIG = """\
Port {port}
ListenAddress 127.0.0.1
HostKey {dir}/ssh_host_ed25519_key
PidFile {dir}/sshd.pid
AuthorizedKeysFile {dir}/authorized_keys
UsePAM no
StrictModes no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
Subsystem sftp internal-sftp
LogLevel ERROR
"""


def sshd_available() -> str | None:
    """None when a test sshd can run here, else why not (for pytest.skip)."""
    if not Path(SSHD).exists():
        return f"{SSHD} is not installed (apt-get install openssh-server)"
    if shutil.which("ssh-keygen") is None:
        return "ssh-keygen is not installed (apt-get install openssh-client)"
    if os.geteuid() != 0:
        return "sshd for tests must run as root"
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def keygen(path: Path, kind: str = "ed25519") -> paramiko.PKey:
    """A new key pair at ``path`` / ``path.pub`` (RSA in PEM format, as EC2 hands it out)."""
    args = ["ssh-keygen", "-q", "-N", "", "-C", "bondkit-test", "-f", str(path), "-t", kind]
    if kind == "rsa":
        args += ["-b", "2048", "-m", "PEM"]
    subprocess.run(args, check=True, capture_output=True, timeout=30)
    path.chmod(0o600)
    return paramiko.PKey.from_path(path)


@dataclass
class SSHServer:
    """A running test sshd and the files a client needs to reach it."""

    directory: Path
    port: int
    process: subprocess.Popen[bytes]
    host_key: paramiko.PKey  # the server's key as offered to clients
    client_key: Path  # an RSA key (tests rsa-sha2-256/512 with paramiko 5), authorized for root
    known_hosts: Path  # pins host_key for [127.0.0.1]:port
    authorized_keys: Path

    def host(self, **overrides: object) -> Host:
        options: dict[str, object] = {"user": "root", "key_file": self.client_key,
                                      "known_hosts": self.known_hosts, "connect_timeout": 5.0}
        options.update(overrides)
        return Host("127.0.0.1", self.port, **options)  # type: ignore[arg-type]

    def authorize(self, line: str) -> None:
        with self.authorized_keys.open("a", encoding="utf-8") as handle:
            handle.write(line.rstrip("\n") + "\n")


def _wait_for_banner(port: int, process: subprocess.Popen[bytes], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            if sock.recv(4).startswith(b"SSH-"):
                return True
        time.sleep(0.05)
    return False


def _start(directory: Path, config: Path) -> subprocess.Popen[bytes]:
    argv: list[str] = []
    command = (f"mount -t tmpfs -o mode=755 bondkit-test /run && mkdir /run/sshd"
               f" && exec {SSHD} -D -e -f {config}")
    if shutil.which("unshare"):
        unshare = ["unshare", "--mount", "--propagation", "private"]
        probe = subprocess.run([*unshare, "true"], capture_output=True)
        if probe.returncode == 0:
            argv = [*unshare, "sh", "-c", command]
    if not argv:
        # No mount namespace here: fall back to the standard runtime directory (empty, on tmpfs /run).
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
        argv = [SSHD, "-D", "-e", "-f", str(config)]
    with (directory / "sshd.log").open("wb") as log:
        return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=log)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@contextlib.contextmanager
def running_sshd(directory: Path) -> Iterator[SSHServer]:
    """Generate keys in ``directory``, start sshd on a free loopback port, yield it, stop it by its pid."""
    directory.mkdir(parents=True, exist_ok=True)
    host_key = keygen(directory / "ssh_host_ed25519_key", "ed25519")
    client_key = directory / "client_rsa"
    client = keygen(client_key, "rsa")
    authorized = directory / "authorized_keys"
    authorized.write_text(f"{client.get_name()} {client.get_base64()} bondkit-test-admin\n")
    for _attempt in range(3):
        port = free_port()
        config = directory / "sshd_config"
        config.write_text(CONFIG.format(port=port, dir=directory))
        process = _start(directory, config)
        if _wait_for_banner(port, process):
            break
        _stop(process)
    else:
        log = (directory / "sshd.log").read_text(errors="replace")
        raise RuntimeError(f"test sshd did not start: {log}")
    known_hosts = directory / "known_hosts"
    known_hosts.write_text(f"[127.0.0.1]:{port} {host_key.get_name()} {host_key.get_base64()}\n")
    server = SSHServer(directory, port, process, host_key, client_key, known_hosts, authorized)
    try:
        yield server
    finally:
        _stop(process)
