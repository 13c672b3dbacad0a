"""System programs found where Debian and Ubuntu install them, whatever the user's PATH says.

An ordinary Debian account's PATH has no ``/usr/sbin``, where ``mke2fs``, ``depmod`` and ``sshd``
live; they need no privilege to run, so the lab looks there too.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

SYSTEM_FOLDERS = ("/usr/sbin", "/usr/bin", "/sbin", "/bin")


def find_tool(name: str) -> Path | None:
    """``name`` on the PATH, else in the system's program folders; None when nowhere."""
    found = shutil.which(name)
    if found:
        return Path(found)
    for folder in SYSTEM_FOLDERS:
        candidate = Path(folder, name)
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def tool(name: str) -> str:
    """The path of ``name`` to run (its bare name when it is nowhere: the error then names it)."""
    found = find_tool(name)
    return str(found) if found else name
