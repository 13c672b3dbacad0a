"""The class's labs root: a folder only root may change, checked before any student's folder is made in
it or removed from it.

Each student's lab folder lies in it. If a student could make or change the root (as they could with a
folder in /tmp, made first by whoever comes first), they could swap a classmate's folder for a link to
anywhere, and root's own set-up and clean-up would then act there. So the root and every folder above it
must be root's, a real folder, and writable by no one else; a folder that is not is refused, and the
hub does not start.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from bondkit.errors import BondkitError
from bondkit.i18n import t
from bondkit.lab.places import missing_folders


class UnsafeFolder(BondkitError):
    """A folder of the class's that root cannot trust."""


def _refuse(folder: Path, why: str) -> UnsafeFolder:
    return UnsafeFolder("class.folder_unsafe", folder=str(folder), why=t(f"class.folder_why.{why}"))


def check_root_folder(folder: Path) -> Path:
    """``folder`` once it and every folder above it is a real folder of root's that no one else may write
    to (a sticky folder such as /tmp may stand above it); else an :class:`UnsafeFolder`."""
    folder = Path(os.path.abspath(folder))
    for ancestor in (*reversed(folder.parents), folder):
        try:
            info = os.lstat(ancestor)
        except FileNotFoundError:
            raise _refuse(ancestor, "missing") from None
        if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
            raise _refuse(ancestor, "not_directory")
        if info.st_uid != 0:
            raise _refuse(ancestor, "owner")
        sticky_above = ancestor != folder and info.st_mode & stat.S_ISVTX
        if info.st_mode & 0o022 and not sticky_above:
            raise _refuse(ancestor, "writable")
    return folder


def root_folder(folder: Path, mode: int = 0o755) -> Path:
    """Make ``folder`` (and missing folders above it) as root with ``mode``, then check it."""
    folder = Path(os.path.abspath(folder))
    for path in reversed(missing_folders(folder)):
        os.mkdir(path, mode)
        os.chmod(path, mode)  # whatever the umask
    return check_root_folder(folder)


def student_folder(root: Path, name: str, uid: int, gid: int) -> Path:
    """The student's own folder in the checked ``root``: made, or taken over when it is a real folder
    there already, then given to the student alone (0700). Never through a link."""
    check_root_folder(root)
    home = root / name
    try:
        os.mkdir(home, 0o700)
    except FileExistsError:
        pass
    try:
        fd = os.open(home, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        raise _refuse(home, "not_directory") from None
    try:
        os.fchown(fd, uid, gid)
        os.fchmod(fd, 0o700)
    finally:
        os.close(fd)
    return home
