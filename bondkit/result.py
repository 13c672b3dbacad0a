"""What a command left on a host: one result for every way the kit reaches one.

A lab guest over SSH, a real host, an EC2 instance and a browser-lab guest over its serial console all
answer with this, so the notebooks and the apply steps read ``.stdout``, ``.status`` and ``.check()`` the
same everywhere. It lives apart from :mod:`bondkit.ssh` because the browser's Python has no paramiko.
"""

from __future__ import annotations

from dataclasses import dataclass

from bondkit.errors import CommandError

_OUTPUT_TAIL = 400  # characters quoted in an error: enough to see why, short enough to read


@dataclass
class CommandResult:
    """A command's output, its exit status and the command itself (for messages)."""

    stdout: str
    stderr: str
    status: int
    command: str
    host: str = ""

    @property
    def ok(self) -> bool:
        return self.status == 0

    def check(self) -> CommandResult:
        """Self when the command succeeded; otherwise an error that says what failed where, quoting the
        end of stderr (or of stdout where one stream carries both, as a serial console does)."""
        if self.status != 0:
            tail = (self.stderr.strip() or self.stdout.strip())[-_OUTPUT_TAIL:] or "-"
            raise CommandError("ssh.command_failed", where=self.host or None, command=self.command,
                               status=self.status, stderr=tail)
        return self
