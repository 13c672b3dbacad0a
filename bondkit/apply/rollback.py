"""The rollback timer armed on the host before a change, and the one decision it races bondkit for.

Why a timer on the host: when the change cuts bondkit's SSH path (the NIC under the session was
enslaved), nobody can send the restore any more; the host must do it by itself, as ``netplan try`` does
(``try`` refuses bonds with parameters, so bondkit brings its own). ``timer.sh`` is started detached
(``setsid nohup``: it outlives the SSH session) and records its pid; after N seconds it restores.

Exactly one of three may decide what happens to a backup: bondkit keeping the change (verified),
bondkit rolling it back (verification failed), or the timer. Whoever creates ``<backup>/decided``
first (``mkdir`` is atomic) wins; the others see it and stand back, so a restore never runs twice at
once and a verified change is never undone by a late timer.
"""

from __future__ import annotations

import shlex
import time

from bondkit.apply.remote import Remote
from bondkit.errors import SSHError
from bondkit.ssh import Host


def timer_script(directory: str, seconds: float) -> str:
    d = shlex.quote(directory)
    return "\n".join([
        "#!/bin/sh",
        f"# bondkit rollback timer: unless bondkit decides first, restore {directory} after {seconds:g} s.",
        f"D={d}",
        'echo $$ > "$D/timer.pid"',
        f"sleep {seconds:g}",
        'mkdir "$D/decided" 2>/dev/null || exit 0',
        'echo timer > "$D/decided/by"',
        'exec sh "$D/restore.sh"',
    ]) + "\n"


def arm_command(directory: str) -> str:
    """Start timer.sh detached from the session and print its pid (waiting, bounded, for it to start)."""
    d = shlex.quote(directory)
    return (f'D={d}; cd / && setsid nohup sh "$D/timer.sh" </dev/null >/dev/null 2>&1 & '
            f'i=0; while [ ! -s "$D/timer.pid" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done; '
            f'cat "$D/timer.pid"')


def decide_command(directory: str, by: str) -> str:
    """Claim the backup for ``by``; on success stop the timer's process group (only if that pid is
    still our timer). Prints ``won`` or ``lost <who>``."""
    d = shlex.quote(directory)
    return (f'D={d}; if mkdir "$D/decided" 2>/dev/null; then echo {shlex.quote(by)} > "$D/decided/by"; '
            f'pid=$(cat "$D/timer.pid" 2>/dev/null); '
            f'if [ -n "$pid" ] && grep -qa "$D/timer.sh" /proc/$pid/cmdline 2>/dev/null; '
            f'then kill -TERM -$pid; fi; echo won; '
            f'else echo "lost $(cat "$D/decided/by" 2>/dev/null)"; fi')


def arm(remote: Remote, directory: str) -> tuple[int, str]:
    """Start the timer; returns its pid and the command sent."""
    command = arm_command(directory)
    out = remote.run(command, timeout=30, check=True).stdout.strip()
    return int(out.splitlines()[-1]), command


def decide(remote: Remote, directory: str, by: str) -> tuple[str | None, str]:
    """``(None, command)`` when ``by`` won the backup, else ``(who decided, command)``."""
    command = decide_command(directory, by)
    out = remote.run(command, timeout=30, check=True).stdout.strip()
    return (None if out == "won" else out.partition(" ")[2] or "?"), command


def run_restore(remote: Remote, directory: str, timeout: float = 120.0) -> tuple[str, str]:
    """Run restore.sh now; returns what it logged this time and the command sent."""
    d = shlex.quote(directory)
    command = (f'D={d}; n=$(wc -c < "$D/restore.log" 2>/dev/null || echo 0); sh "$D/restore.sh"; '
               f'tail -c +$((n + 1)) "$D/restore.log"')
    return remote.run(command, timeout=timeout, check=True).stdout, command


def restored_log(remote: Remote, directory: str) -> str | None:
    """restore.log once ``restored`` is there (the timer's restore has finished), else None."""
    d = shlex.quote(directory)
    out = remote.run(f'D={d}; [ -e "$D/restored" ] && cat "$D/restore.log"', timeout=30).stdout
    return out or None


def wait_restored(remote: Remote, directory: str, seconds: float) -> str | None:
    """Poll (bounded) until the timer's restore has finished; its log, or None at the deadline."""
    deadline = time.monotonic() + seconds
    while True:
        log = restored_log(remote, directory)
        if log is not None or time.monotonic() >= deadline:
            return log
        time.sleep(0.5)


def reconnect(host: Host, seconds: float) -> bool:
    """Open a new SSH connection to ``host``, retrying until ``seconds`` have passed."""
    deadline = time.monotonic() + seconds
    while True:
        host.close()
        try:
            host.run("true", timeout=min(10.0, max(deadline - time.monotonic(), 1.0)))
            return True
        except SSHError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(1.0)
