"""The class's spawner: each student's server as that student, with their notebooks and their own lab.

Before a server starts: the student's notebooks are copied in their language (their hub group,
``en`` or ``ko``), and a lab folder of their own is made for ``BONDKIT_LAB_DIR``. After it stops, for
whatever reason (the teacher, the idle culler, the hub's shutdown), the student's lab is torn down and
the folder removed.
"""

from __future__ import annotations

import asyncio

from jupyterhub.spawner import LocalProcessSpawner
from traitlets import default

from bondkit_class.accounts import account, run_as, student_env
from bondkit_class.rootfolder import root_folder, student_folder
from bondkit_class.roster import LANGS
from bondkit_class.settings import load_settings
from bondkit_class.studentenv import student_bin
from bondkit_class.teardown import tear_down_lab
from bondkit_class.workspace import WORKSPACE


class ClassSpawner(LocalProcessSpawner):
    """A LocalProcessSpawner (the server runs with the student's uid) that prepares and cleans up."""

    @default("cmd")
    def _default_cmd(self) -> list[str]:
        return [str(student_bin() / "jupyterhub-singleuser")]

    def student_lang(self) -> str:
        """``ko`` for a member of the hub group ``ko``, else ``en``."""
        groups = {group.name for group in self.user.groups}
        return next((lang for lang in reversed(LANGS) if lang in groups), LANGS[0])

    def prepare_lab_home(self) -> None:
        """The student's lab folder, in the class's lab root (checked: only root may change it), theirs
        alone."""
        settings = load_settings()
        who = account(self.user.name)
        student_folder(root_folder(settings.labs_root), who.name, who.uid, who.gid)

    def prepare_workspace(self, lang: str) -> None:
        who = account(self.user.name)
        python = str(student_bin() / "python")
        done = run_as(who, [python, "-m", "bondkit_class.workspace", str(who.home), lang])
        if done.returncode != 0:
            raise RuntimeError(f"preparing {who.home / WORKSPACE} for {who.name} failed: "
                               f"{done.stderr[-2000:]}")

    def get_env(self) -> dict[str, str]:
        env = super().get_env()
        settings = load_settings()
        who = account(self.user.name)
        env.update(student_env(who, BONDKIT_LANG=self.student_lang(),
                               BONDKIT_LAB_DIR=str(settings.lab_dir(who.name)),
                               JUPYTERHUB_ACTIVITY_INTERVAL=str(settings.activity_interval)))
        env.pop("PYTHONPATH", None)  # the student's kernel sees bondkit, not the hub's own modules
        return env

    async def start(self):
        lang = self.student_lang()
        self.notebook_dir = str(account(self.user.name).home / WORKSPACE)
        self.default_url = f"/lab/tree/{lang}/00_start.ipynb"
        await asyncio.to_thread(self.prepare_lab_home)
        await asyncio.to_thread(self.prepare_workspace, lang)
        return await super().start()

    async def stop(self, now: bool = False) -> None:
        await super().stop(now=now)
        said = await asyncio.to_thread(tear_down_lab, load_settings(), account(self.user.name))
        self.log.info("lab of %s torn down: %s", self.user.name, " / ".join(s for s in said if s))
