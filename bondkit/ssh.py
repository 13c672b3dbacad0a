"""The one paramiko wrapper of bondkit: lab guests, EC2 instances and real hosts are reached the same way.

Why a wrapper: every caller needs the same safety (host keys pinned in a known_hosts file, never added
on first sight; only the key file we were given, never an agent or ~/.ssh keys) and the same failures
told in the student's language with the place to look at. A booting machine refuses connections or
keys for a while, so ``connect`` can retry with backoff until a deadline instead of each caller writing
its own loop.
"""

from __future__ import annotations

import base64
import errno
import hashlib
import io
import logging
import os
import select
import socket
import stat
import time
from pathlib import Path
from types import TracebackType
from typing import NoReturn

import paramiko

from bondkit.errors import SSHError
from bondkit.i18n import t
from bondkit.result import CommandResult

__all__ = ["CommandResult", "Host", "fingerprint", "load_private_key", "public_key_line"]

# paramiko logs a failure (``Socket exception: Connection reset by peer``) before it raises it, and with
# no handler of the program's own Python prints that line on stderr, ahead of the kit's clear message
# that says the same. A handler that drops it leaves paramiko's records to any handler a program sets
# up above (they still propagate), and keeps them off a student's terminal.
logging.getLogger("paramiko").addHandler(logging.NullHandler())


def fingerprint(key: paramiko.PKey) -> str:
    """The key's SHA256 fingerprint as ``ssh-keygen -l`` prints it, so students can compare by eye."""
    digest = hashlib.sha256(key.asbytes()).digest()
    return "SHA256:" + base64.b64encode(digest).decode("ascii").rstrip("=")


def load_private_key(path: str | Path, *, where: str | None = None) -> paramiko.PKey:
    """Read a private key file as OpenSSH would accept it: present, readable, private to its owner.

    The permission check mirrors ssh's "UNPROTECTED PRIVATE KEY FILE" refusal, so what works here works
    with ``ssh -i`` too (that is why the tutorial runs ``chmod 400``).
    """
    path = Path(path).expanduser()
    where = where or str(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise SSHError("ssh.key_missing", where=where, path=str(path)) from None
    except PermissionError:
        raise SSHError("ssh.key_unreadable", where=where, path=str(path)) from None
    if not stat.S_ISREG(st.st_mode):
        raise SSHError("ssh.key_missing", where=where, path=str(path))
    if st.st_mode & 0o077:
        mode = f"{stat.S_IMODE(st.st_mode):04o}"
        raise SSHError("ssh.key_permissions", where=where, path=str(path), mode=mode)
    try:
        return paramiko.PKey.from_path(path)
    except PermissionError:
        raise SSHError("ssh.key_unreadable", where=where, path=str(path)) from None
    except paramiko.PasswordRequiredException:
        raise SSHError("ssh.key_encrypted", where=where, path=str(path)) from None
    except (paramiko.SSHException, ValueError, TypeError) as exc:
        reason = str(exc) or type(exc).__name__
        raise SSHError("ssh.key_invalid", where=where, path=str(path), reason=reason) from None


def public_key_line(key: paramiko.PKey, comment: str = "") -> str:
    """The ``authorized_keys`` line of a key (what ``ssh-keygen -y`` prints), with an optional comment."""
    line = f"{key.get_name()} {key.get_base64()}"
    return f"{line} {comment}" if comment else line


#: The remote side of :meth:`Host.clock_offset`: one line of its clock for every line it reads.
CLOCK_READER = "exec bash -c 'while read -r _; do echo \"$EPOCHREALTIME\"; done'"


class _UnknownHostKey(Exception):
    """Raised by our policy so that connect() can show the offered key (paramiko's own error hides it)."""

    def __init__(self, hostname: str, key: paramiko.PKey) -> None:
        super().__init__(hostname)
        self.hostname = hostname
        self.key = key


class _PinnedOnly(paramiko.RejectPolicy):
    """RejectPolicy that keeps the offered key: a host not in known_hosts is refused, never added."""

    def missing_host_key(self, client: paramiko.SSHClient, hostname: str, key: paramiko.PKey) -> NoReturn:
        raise _UnknownHostKey(hostname, key)


class _Retryable(Exception):
    """A connection failure that a booting host shows for a while; carries the SSHError to give up with."""

    def __init__(self, error: SSHError) -> None:
        super().__init__(str(error))
        self.error = error


class Host:
    """One SSH destination with a key file and pinned host keys; connects on first use.

    ``connect_deadline`` > 0 turns connection refused, banner timeouts and refused keys into retries with
    backoff until that many seconds have passed: that is what a booting instance or a guest whose key is
    being installed looks like.
    """

    def __init__(
        self,
        hostname: str,
        port: int = 22,
        *,
        user: str = "root",
        key_file: str | Path,
        known_hosts: str | Path | None = None,
        name: str | None = None,
        connect_timeout: float = 10.0,
        connect_deadline: float = 0.0,
        persistent_shell: bool = False,
    ) -> None:
        self.hostname = hostname
        self.port = int(port)
        self.user = user
        self.key_file = Path(key_file).expanduser()
        self.known_hosts = Path(known_hosts).expanduser() if known_hosts else None
        self.name = name or f"{user}@{hostname}:{port}"
        self.connect_timeout = connect_timeout
        self.connect_deadline = connect_deadline
        self.persistent_shell = persistent_shell
        self._client: paramiko.SSHClient | None = None
        self._sftp: paramiko.SFTPClient | None = None
        self._shell: _Shell | None = None

    def __repr__(self) -> str:
        return f"Host({self.name!r})"

    # -- connection -------------------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        transport = self._client.get_transport() if self._client else None
        return bool(transport and transport.is_active())

    def connect(self) -> None:
        """Open the connection (no-op when open), with pinned host keys and only our key file."""
        if self.connected:
            return
        self.close()
        key = load_private_key(self.key_file, where=self.name)
        deadline = time.monotonic() + max(self.connect_deadline, 0.0)
        delay = 0.2
        while True:
            try:
                self._client = self._connect_once(key)
                return
            except _Retryable as exc:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise exc.error from None
                time.sleep(min(delay, remaining))
                delay = min(delay * 1.6, 2.0)

    def _host_key_entry(self) -> str:
        return self.hostname if self.port == 22 else f"[{self.hostname}]:{self.port}"

    def _load_known_hosts(self, client: paramiko.SSHClient) -> None:
        if self.known_hosts is None:
            default = Path("~/.ssh/known_hosts").expanduser()
            if default.is_file():
                client.load_host_keys(str(default))
            return
        try:
            client.load_host_keys(str(self.known_hosts))
        except FileNotFoundError:
            raise SSHError("ssh.known_hosts_missing", where=self.name, path=str(self.known_hosts)) from None
        except (OSError, paramiko.SSHException) as exc:
            raise SSHError("ssh.known_hosts_invalid", where=self.name, path=str(self.known_hosts),
                           reason=str(exc)) from None

    def _connect_once(self, key: paramiko.PKey) -> paramiko.SSHClient:
        client = paramiko.SSHClient()
        self._load_known_hosts(client)
        client.set_missing_host_key_policy(_PinnedOnly())
        try:
            client.connect(
                self.hostname, self.port, username=self.user, pkey=key,
                allow_agent=False, look_for_keys=False,
                timeout=self.connect_timeout, banner_timeout=self.connect_timeout,
                auth_timeout=self.connect_timeout, channel_timeout=self.connect_timeout,
            )
            return client
        except BaseException as exc:
            client.close()
            raise self._translate(exc) from None

    def _translate(self, exc: BaseException) -> BaseException:
        """Turn a paramiko/socket failure into an SSHError (wrapped in _Retryable when a retry may help)."""
        where, addr = self.name, f"{self.hostname}:{self.port}"
        known = str(self.known_hosts or "~/.ssh/known_hosts")
        if isinstance(exc, _UnknownHostKey):
            return SSHError("ssh.host_key_unknown", where=where, addr=addr, key_type=exc.key.get_name(),
                            fingerprint=fingerprint(exc.key), known_hosts=known, entry=self._host_key_entry())
        if isinstance(exc, paramiko.BadHostKeyException):
            return SSHError("ssh.host_key_changed", where=where, addr=addr, key_type=exc.key.get_name(),
                            fingerprint=fingerprint(exc.key), expected=fingerprint(exc.expected_key),
                            known_hosts=known)
        if isinstance(exc, paramiko.AuthenticationException):
            return _Retryable(SSHError("ssh.key_refused", where=where, user=self.user,
                                       key_file=str(self.key_file)))
        if isinstance(exc, paramiko.ssh_exception.NoValidConnectionsError):
            codes = {getattr(e, "errno", None) for e in exc.errors.values()}
            if codes <= {errno.ECONNREFUSED}:
                return _Retryable(SSHError("ssh.connection_refused", where=where, addr=addr))
            return _Retryable(SSHError("ssh.unreachable", where=where, addr=addr, reason=str(exc)))
        if isinstance(exc, (socket.timeout, TimeoutError)):
            return _Retryable(SSHError("ssh.timeout", where=where, addr=addr, seconds=self.connect_timeout))
        if isinstance(exc, socket.gaierror):
            return SSHError("ssh.unresolved", where=where, hostname=self.hostname)
        if isinstance(exc, ConnectionRefusedError):
            return _Retryable(SSHError("ssh.connection_refused", where=where, addr=addr))
        if isinstance(exc, (paramiko.SSHException, EOFError, ConnectionError)):
            # Banner timeouts and resets during key exchange: sshd is starting or overloaded.
            return _Retryable(SSHError("ssh.handshake_failed", where=where, addr=addr, reason=str(exc) or
                                       type(exc).__name__))
        if isinstance(exc, OSError):
            return _Retryable(SSHError("ssh.unreachable", where=where, addr=addr, reason=str(exc)))
        return exc

    def close(self) -> None:
        """Close the shell, the SFTP session and the connection; safe to call twice."""
        self._close_shell()
        if self._sftp is not None:
            try:
                self._sftp.close()
            finally:
                self._sftp = None
        if self._client is not None:
            try:
                self._client.close()
            finally:
                self._client = None

    def _close_shell(self) -> None:
        if self._shell is not None:
            self._shell.close()
            self._shell = None

    def __enter__(self) -> Host:
        self.connect()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # -- commands ---------------------------------------------------------------------------------

    def _transport(self) -> paramiko.Transport:
        self.connect()
        assert self._client is not None
        transport = self._client.get_transport()
        if transport is None or not transport.is_active():
            raise SSHError("ssh.connection_lost", where=self.name, reason=t("ssh.reason.transport_closed"))
        return transport

    def run(self, command: str, *, timeout: float = 30.0, check: bool = False,
            input: str | bytes | None = None) -> CommandResult:
        """Run ``command`` through the remote shell and wait for it (at most ``timeout`` seconds).

        stdout and stderr are read together as they arrive so a chatty command cannot block on a full
        buffer; stdin gets ``input`` and then end-of-file, so commands that read stdin never hang.
        """
        transport = self._transport()
        if self.persistent_shell and input is None:
            return self._run_in_shell(transport, command, timeout, check)
        deadline = time.monotonic() + timeout
        try:
            chan = transport.open_session(timeout=min(timeout, self.connect_timeout))
        except (paramiko.SSHException, EOFError, OSError) as exc:
            self.close()
            raise SSHError("ssh.connection_lost", where=self.name, reason=str(exc)) from None
        out, err = io.BytesIO(), io.BytesIO()
        try:
            chan.exec_command(command)
            if input is not None:
                chan.sendall(input.encode("utf-8") if isinstance(input, str) else input)
            chan.shutdown_write()
            while True:
                while chan.recv_ready():
                    out.write(chan.recv(65536))
                while chan.recv_stderr_ready():
                    err.write(chan.recv_stderr(65536))
                if chan.eof_received and not chan.recv_ready() and not chan.recv_stderr_ready():
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise SSHError("ssh.command_timeout", where=self.name, command=command, seconds=timeout)
                select.select([chan], [], [], min(remaining, 0.5))
            if not chan.status_event.wait(max(deadline - time.monotonic(), 0.05)):
                raise SSHError("ssh.command_timeout", where=self.name, command=command, seconds=timeout)
            status = chan.recv_exit_status()
        except (paramiko.SSHException, EOFError, OSError) as exc:
            self.close()
            raise SSHError("ssh.connection_lost", where=self.name, reason=str(exc)) from None
        finally:
            chan.close()
        result = CommandResult(out.getvalue().decode("utf-8", "replace"),
                               err.getvalue().decode("utf-8", "replace"), status, command, host=self.name)
        return result.check() if check else result

    def _run_in_shell(self, transport: paramiko.Transport, command: str, timeout: float,
                      check: bool) -> CommandResult:
        try:
            if self._shell is None or self._shell.closed:
                self._shell = _Shell(transport, self.connect_timeout)
            stdout, stderr, status = self._shell.run(command, timeout)
        except TimeoutError:
            self._close_shell()
            raise SSHError("ssh.command_timeout", where=self.name, command=command, seconds=timeout) from None
        except (paramiko.SSHException, EOFError, OSError) as exc:
            # Also a shell that could not start: the server refused the session or the connection broke.
            self._close_shell()
            reason = str(exc) or t("ssh.reason.shell_closed")
            raise SSHError("ssh.connection_lost", where=self.name, reason=reason) from None
        result = CommandResult(stdout, stderr, status, command, host=self.name)
        return result.check() if check else result

    def clock_offset(self, readings: int = 10, timeout: float = 10.0) -> float:
        """How far the remote clock is ahead of this machine's, in seconds.

        Of several readings the one with the shortest round trip is kept (NTP's way), its remote time
        taken as the midpoint's. One remote bash answers every reading with ``$EPOCHREALTIME``, a
        builtin: no program starts between the two local readings, so a round trip is the connection's
        alone (a few ms). Starting a program per reading made round trips of 100-600 ms on a busy
        emulated guest, and the midpoint could be that far from the moment the clock was read.
        """
        chan = self._transport().open_session(timeout=self.connect_timeout)
        deadline = time.monotonic() + timeout
        best: tuple[float, float] | None = None
        try:
            chan.exec_command(CLOCK_READER)
            for _ in range(readings):
                sent = time.time()
                chan.sendall(b"\n")
                line = b""
                while not line.endswith(b"\n"):
                    remaining = deadline - time.monotonic()
                    if remaining <= 0 or chan.exit_status_ready():
                        raise SSHError("ssh.command_timeout", where=self.name, command="clock",
                                       seconds=timeout)
                    if chan.recv_ready():
                        line += chan.recv(64)
                    else:
                        select.select([chan], [], [], min(remaining, 0.5))
                back = time.time()
                remote = float(line.decode().strip().replace(",", "."))
                if best is None or back - sent < best[0]:
                    best = (back - sent, remote - (sent + back) / 2)
        except (paramiko.SSHException, EOFError, OSError, ValueError) as exc:
            raise SSHError("ssh.connection_lost", where=self.name, reason=str(exc)) from None
        finally:
            chan.close()
        assert best is not None
        return best[1]

    # -- files ------------------------------------------------------------------------------------

    def _sftp_client(self) -> paramiko.SFTPClient:
        self._transport()
        if self._sftp is None:
            assert self._client is not None
            try:
                self._sftp = self._client.open_sftp()
            except (paramiko.SSHException, EOFError, OSError) as exc:
                raise SSHError("ssh.sftp_unavailable", where=self.name, reason=str(exc)) from None
        return self._sftp

    def put(self, data: bytes | str | Path, remote_path: str, mode: int = 0o644) -> None:
        """Write a remote file whole or not at all: a temporary file is written, chmod'ed, then renamed."""
        if isinstance(data, Path):
            try:
                payload = data.read_bytes()
            except OSError as exc:
                raise SSHError("ssh.local_file", where=str(data), reason=exc.strerror or str(exc)) from None
        elif isinstance(data, str):
            payload = data.encode("utf-8")
        else:
            payload = bytes(data)
        sftp = self._sftp_client()
        tmp = f"{remote_path}.bondkit-{os.getpid()}.tmp"
        try:
            with sftp.open(tmp, "wb") as handle:
                handle.write(payload)
            sftp.chmod(tmp, mode)
            try:
                sftp.posix_rename(tmp, remote_path)
            except OSError:
                sftp.rename(tmp, remote_path)
        except OSError as exc:
            try:
                sftp.remove(tmp)
            except OSError:
                pass
            raise SSHError("ssh.put_failed", where=f"{self.name}:{remote_path}",
                           reason=exc.strerror or str(exc)) from None

    def get(self, remote_path: str) -> bytes:
        """The content of a remote file."""
        sftp = self._sftp_client()
        try:
            with sftp.open(remote_path, "rb") as handle:
                return handle.read()
        except FileNotFoundError:
            raise SSHError("ssh.remote_missing", where=f"{self.name}:{remote_path}") from None
        except OSError as exc:
            raise SSHError("ssh.get_failed", where=f"{self.name}:{remote_path}",
                           reason=exc.strerror or str(exc)) from None


class _Shell:
    """One long-lived ``sh`` on the remote side, fed a command at a time (as Mininet drives its hosts).

    Starting a session and a shell per command is slow on an emulated lab guest, where every fork is
    (about 100 ms a command on the lab's earlier User-Mode Linux engine); a shell that stays up answers
    far sooner. Each command runs in a subshell with stdin from /dev/null, so ``exit``, ``set -e`` or
    ``cd`` behave as they do with one session per command and leave the shell as it was; markers on
    stdout and stderr follow it and carry its exit status.
    """

    def __init__(self, transport: paramiko.Transport, timeout: float) -> None:
        self.channel = transport.open_session(timeout=timeout)
        self.channel.exec_command("exec sh")
        self.marker = f"__bondkit_{os.urandom(6).hex()}__"
        self.closed = False

    def run(self, command: str, timeout: float) -> tuple[str, str, int]:
        end = f"\n{self.marker}"
        self.channel.sendall(
            f"( {command}\n) </dev/null; printf '\\n{self.marker}%d\\n' $?; "
            f"printf '\\n{self.marker}\\n' >&2\n".encode()
        )
        out, err = b"", b""
        deadline = time.monotonic() + timeout
        while not (self._done(out, end) and err.endswith(f"{end}\n".encode())):
            if self.channel.recv_ready():
                out += self.channel.recv(65536)
            elif self.channel.recv_stderr_ready():
                err += self.channel.recv_stderr(65536)
            elif self.channel.exit_status_ready() or self.channel.closed:
                raise EOFError("the remote shell ended")
            else:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(command)
                select.select([self.channel], [], [], min(remaining, 0.5))
        stdout, _, status = out.decode("utf-8", "replace").rpartition(end)
        stderr = err.decode("utf-8", "replace")[: -len(end) - 1]
        return stdout, stderr, int(status.strip())

    @staticmethod
    def _done(out: bytes, end: str) -> bool:
        head, found, tail = out.rpartition(end.encode())
        return bool(found) and tail.endswith(b"\n") and tail.strip().lstrip(b"-").isdigit()

    def close(self) -> None:
        self.closed = True
        self.channel.close()
