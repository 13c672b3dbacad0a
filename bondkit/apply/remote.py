"""A host as apply sees it: an SSH connection plus the way to become root there.

Why its own module: on a lab guest and on a host reached as root, commands run as they are; reached as
an ordinary user (``ubuntu`` on EC2, ``centos`` on a CentOS image) every change goes through
``sudo -n`` (never a password prompt, which would hang a non-interactive session), and files are
uploaded to a private staging directory first, then installed as root with their final mode. Every
other apply module calls ``run`` and ``put`` and never thinks about it again.
"""

from __future__ import annotations

import shlex

from bondkit.ssh import CommandResult, Host


class Remote:
    """Commands and files on one host, as root (directly or through ``sudo -n``)."""

    def __init__(self, host: Host, *, use_sudo: bool = False) -> None:
        self.host = host
        self.use_sudo = use_sudo
        self._staging: str | None = None

    @property
    def name(self) -> str:
        return self.host.name

    def as_root(self, command: str) -> str:
        """``command`` as it is sent: wrapped in ``sudo -n sh -c`` when the login user is not root."""
        return f"sudo -n sh -c {shlex.quote(command)}" if self.use_sudo else command

    def run(self, command: str, *, root: bool = True, timeout: float = 30.0, check: bool = False,
            input: str | None = None) -> CommandResult:
        return self.host.run(self.as_root(command) if root else command, timeout=timeout, check=check,
                             input=input)

    def put(self, data: str | bytes, path: str, mode: int = 0o644) -> None:
        """Write ``path`` whole (temporary file then rename), owned by root, with ``mode``."""
        if not self.use_sudo:
            self.host.put(data, path, mode)
            return
        if self._staging is None:
            self._staging = self.host.run("mktemp -d /tmp/bondkit-upload.XXXXXX", check=True).stdout.strip()
        staged = f"{self._staging}/{path.strip('/').replace('/', '_')}"
        self.host.put(data, staged, 0o600)
        self.run(f"install -m {mode:04o} -o root -g root {shlex.quote(staged)} {shlex.quote(path)}"
                 f" && rm -f {shlex.quote(staged)}", check=True)

    def close_staging(self) -> None:
        """Remove the staging directory of a sudo upload (it only ever holds files already installed)."""
        if self._staging is not None:
            self.host.run(f"rm -rf {shlex.quote(self._staging)}")
            self._staging = None
