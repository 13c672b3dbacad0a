"""A student's system account, and running a program as that student.

The hub runs as root, but whatever it does in a student's files or to a student's lab it does as the
student: the kernel then enforces that it reaches nothing the student could not reach themselves.
"""

from __future__ import annotations

import os
import pwd
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bondkit_class.settings import HERE
from bondkit_class.studentenv import student_bin


@dataclass(frozen=True)
class Account:
    name: str
    uid: int
    gid: int
    home: Path


def account(name: str) -> Account:
    entry = pwd.getpwnam(name)
    return Account(name, entry.pw_uid, entry.pw_gid, Path(entry.pw_dir))


def student_env(who: Account, **extra: str) -> dict[str, str]:
    """A clean environment for a program run as ``who``: nothing of the hub's (its tokens) leaks in."""
    env = {
        "HOME": str(who.home), "USER": who.name, "LOGNAME": who.name, "LANG": "C.UTF-8",
        "PATH": f"{student_bin()}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
        "PYTHONPATH": str(HERE),
    }
    env.update(extra)
    return env


def run_as(who: Account, argv: list[str], *, env: dict[str, str] | None = None,
           timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` with ``who``'s uid, gid and groups (as root; as the student themselves, directly)."""
    if os.geteuid() == 0:
        ids = {"user": who.uid, "group": who.gid, "extra_groups": os.getgrouplist(who.name, who.gid)}
    else:
        ids = {}
    return subprocess.run(argv, env=env or student_env(who), cwd=who.home if who.home.is_dir() else "/",
                          capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL, **ids)
