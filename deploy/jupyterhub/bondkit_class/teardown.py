"""A student's lab torn down, by the student's own uid, and their lab folder removed.

The lab tears itself down when its kernel exits (atexit, SIGTERM), but a kernel can be killed outright:
so whenever a student's server stops (stopped by the teacher, culled as idle, the hub shut down) or the
teacher resets a lab, ``bondkit lab down`` runs as that student. It ends, by the ids the lab recorded,
every process the lab started. The lab folder lies in a directory only root can change, checked before
anything is removed (bondkit_class.rootfolder), and removed without following links, so removing it as
root cannot be steered elsewhere. The student's own default lab folder is checked by ``lab down``
itself: one that another user made or can change is refused, and nothing is removed from it.
"""

from __future__ import annotations

import os
import shutil

from bondkit_class.accounts import Account, run_as, student_env
from bondkit_class.rootfolder import check_root_folder
from bondkit_class.settings import Settings
from bondkit_class.studentenv import student_bin


def tear_down_lab(settings: Settings, who: Account) -> list[str]:
    """Stop the student's class lab and their own default lab, if any; remove their lab folder.
    Returns what ``bondkit lab down`` said, for the hub's log."""
    said = []
    for lab_dir in (str(settings.lab_dir(who.name)), None):
        env = student_env(who, BONDKIT_LAB_DIR=lab_dir) if lab_dir else student_env(who)
        done = run_as(who, [str(student_bin() / "bondkit"), "lab", "down"], env=env)
        said.append((done.stdout + done.stderr).strip())
    if os.path.lexists(settings.labs_root):  # none yet: no lab folder was ever made
        check_root_folder(settings.labs_root)
        shutil.rmtree(settings.lab_home(who.name), ignore_errors=True)  # by descriptors, links not followed
    return said
