"""Files that must not hurt the reader: each is read by ``bondkit lint`` and ``bondkit show`` in a process
of its own, limited to 256 MB of address space and 5 seconds, and each ends the same way: one clear line
on stderr naming the file, exit status 2, no traceback.

The YAML ones are in tests/fixtures/hostile/ (each under 1 kB but one: nested aliases that expand to ten
billion values under keys bondkit keeps as written, an alias inside the collection it names, nesting
forty thousand levels deep, a flat list of 300 000 values). The others are made here, since a repository
cannot hold them: a FIFO, a socket, /dev/zero and a symbolic link to it, a 50 MB file, a directory whose
files add up to more than any host's configuration, a directory that links to itself.
"""

from __future__ import annotations

import os
import resource
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = Path(__file__).resolve().parent / "fixtures" / "hostile"
MEMORY = 256 << 20
SECONDS = 5

#: File -> what the one line says (English), and where.
YAML_CASES = {
    "laughs-openvswitch.yaml": ("more than 20000 values once its aliases", 16),
    "laughs-networkmanager.yaml": ("more than 20000 values once its aliases", 16),
    "laughs-nameservers.yaml": ("more than 20000 values once its aliases", 16),
    "laughs-routes.yaml": ("more than 20000 values once its aliases", 16),
    "alias-loop.yaml": ("the alias *bond stands for a collection it is itself part of", 8),
    "deep-nesting.yaml": ("nests more than 64 levels deep", 5),
    "wide-list.yaml": ("more than 20000 values once its aliases", 6),
}


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    resource.setrlimit(resource.RLIMIT_CPU, (SECONDS, SECONDS))


def bondkit(*argv: str, code: str | None = None) -> subprocess.CompletedProcess[str]:
    """``bondkit ARGV`` (or the Python ``code``) under the memory and time limits, in English."""
    command = [sys.executable, "-c", code] if code else [sys.executable, "-m", "bondkit", *argv]
    env = {**os.environ, "BONDKIT_LANG": "en"}
    return subprocess.run(command, cwd=ROOT, env=env, preexec_fn=_limits, capture_output=True, text=True,
                          timeout=SECONDS, stdin=subprocess.DEVNULL)


def one_clear_line(done: subprocess.CompletedProcess[str], path: Path, text: str, line: int | None) -> None:
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert done.stdout == ""
    (message,) = done.stderr.splitlines()
    where = f"{path}:{line}: " if line else f"{path}: "
    assert message.startswith(f"bondkit: error: {where}"), message
    assert text in message, message


@pytest.mark.parametrize("command", ["lint", "show"])
@pytest.mark.parametrize("name", sorted(YAML_CASES))
def test_hostile_yaml(name: str, command: str) -> None:
    path = HOSTILE / name
    assert path.stat().st_size < 1024 or name in ("deep-nesting.yaml", "wide-list.yaml")
    text, line = YAML_CASES[name]
    one_clear_line(bondkit(command, str(path)), path, text, line)


@pytest.fixture
def made(tmp_path: Path) -> Iterator[dict[str, tuple[Path, str]]]:
    """The hostile paths no repository can hold, with what the one line says about each."""
    fifo = tmp_path / "ifcfg-bond0"
    os.mkfifo(fifo)
    zero_link = tmp_path / "50-cloud-init.yaml"
    zero_link.symlink_to("/dev/zero")
    big = tmp_path / "big" / "ifcfg-bond0"
    big.parent.mkdir()
    with big.open("wb") as stream:
        stream.write(b"DEVICE=bond0\n")
        stream.truncate(50 << 20)
    many = tmp_path / "many"
    many.mkdir()
    for number in range(5):
        (many / f"ifcfg-eth{number}").write_bytes(b"# " + b"x" * (1000 << 10) + b"\nDEVICE=eth0\n")
    loop = tmp_path / "loop"
    loop.mkdir()
    (loop / "again").symlink_to(loop)
    os.mkfifo(loop / "ifcfg-bond0")
    server = socket.socket(socket.AF_UNIX)
    sock = tmp_path / "bond0.yaml"
    server.bind(str(sock))
    try:
        yield {
            "fifo": (fifo, "this is a FIFO (named pipe), not a regular file"),
            "symlink to /dev/zero": (zero_link, "this is a character device (such as /dev/zero)"),
            "/dev/zero": (Path("/dev/zero"), "this is a character device (such as /dev/zero)"),
            "socket": (sock, "this is a socket, not a regular file"),
            "50 MB file": (big, "the file is 52428800 bytes, more than the 1048576 bytes"),
            "5 MB of files": (many, "hold more than 4194304 bytes together"),
            "directory linking to itself, a FIFO inside": (loop, "no bond configuration found here"),
        }
    finally:
        server.close()


MADE = ["fifo", "symlink to /dev/zero", "/dev/zero", "socket", "50 MB file", "5 MB of files",
        "directory linking to itself, a FIFO inside"]


@pytest.mark.parametrize("command", ["lint", "show", "convert"])
@pytest.mark.parametrize("case", MADE)
def test_hostile_paths(made: dict[str, tuple[Path, str]], case: str, command: str) -> None:
    path, text = made[case]
    argv = [command, str(path)] + (["--to", "netplan"] if command == "convert" else [])
    done = bondkit(*argv)
    if case == "5 MB of files":  # the line names the file that went over the total, inside the directory
        assert done.returncode == 2 and "Traceback" not in done.stderr and len(done.stderr.splitlines()) == 1
        assert done.stderr.startswith(f"bondkit: error: {path}/ifcfg-eth") and text in done.stderr
        return
    one_clear_line(done, path, text, None)


def test_hostile_file_told_in_korean(made: dict[str, tuple[Path, str]]) -> None:
    path, _ = made["fifo"]
    done = bondkit("--lang", "ko", "lint", str(path))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    (message,) = done.stderr.splitlines()
    assert message.startswith(f"bondkit: 오류: {path}: ") and "FIFO(이름 있는 파이프)" in message


def test_the_limits_are_real() -> None:
    """Without the node budget, the same 917-byte file exhausts the limits: the test above measures the
    guard, not a file that was harmless anyway."""
    path = HOSTILE / "laughs-networkmanager.yaml"
    code = ("import sys; import bondkit.formats.netplan as n; n.NODE_BUDGET = 10**18\n"
            "from bondkit.cli import main\n"
            f"sys.exit(main(['lint', {str(path)!r}]))")
    try:
        done = bondkit(code=code)
    except subprocess.TimeoutExpired:
        return
    assert done.returncode != 2 or "Traceback" in done.stderr, done.stderr
