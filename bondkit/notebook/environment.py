"""The environment check: what the notebooks need, found or not on this machine, and what to do about it.

It is the one view that varies from machine to machine: it describes the machine.
"""

from __future__ import annotations

import html
import importlib
import importlib.metadata
import platform
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bondkit.i18n import get_lang, t
from bondkit.notebook.language import data_dir, data_path


@dataclass
class CheckRow:
    """One thing the kit needs: whether it is here, what was found, what to do when it is not."""

    what: str
    ok: bool
    found: str = ""
    fix: str = ""
    #: False for pieces the notebooks can do without (they fall back to recorded data).
    required: bool = True
    #: A stable name for code (``lab``, ``python``, a distribution name ...).
    key: str = ""


@dataclass
class EnvironmentReport:
    rows: list[CheckRow] = field(default_factory=list)
    lang: str = "en"
    #: ``BONDKIT_NB_LAB=off`` when the environment switched the lab off (the notebooks then use none).
    lab_switched_off: str | None = None

    @property
    def ok(self) -> bool:
        return all(row.ok for row in self.rows if row.required)

    @property
    def lab_ready(self) -> bool:
        return all(row.ok for row in self.rows if row.key == "lab")

    def _status(self, row: CheckRow) -> str:
        if row.ok:
            return "✔"
        return "✘" if row.required else "–"

    def summary(self) -> str:
        if not self.ok:
            return t("nb.check.summary_missing", self.lang)
        if self.lab_switched_off:
            return t("nb.check.summary_switched_off", self.lang, switch=self.lab_switched_off)
        if not self.lab_ready:
            return t("nb.check.summary_no_lab", self.lang)
        return t("nb.check.summary_ok", self.lang)

    def frame(self) -> Any:
        import pandas as pd

        head = [t(f"nb.check.col.{name}", self.lang) for name in ("status", "what", "found", "fix")]
        return pd.DataFrame([[self._status(r), r.what, r.found, "" if r.ok else r.fix] for r in self.rows],
                            columns=head)

    def __repr__(self) -> str:
        lines = [f"{self._status(r)} {r.what}: {r.found}" + ("" if r.ok else f"  -> {r.fix}")
                 for r in self.rows]
        return "\n".join([*lines, "", self.summary()])

    def _repr_html_(self) -> str:
        table = self.frame().to_html(index=False, escape=True)
        return f"{table}<p>{html.escape(self.summary())}</p>"


def _version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


#: (distribution, import name or None) that the notebooks use.
PACKAGES = (
    ("jupyterlab", None), ("jupyterlab-language-pack-ko-KR", None), ("ipywidgets", "ipywidgets"),
    ("pandas", "pandas"), ("matplotlib", "matplotlib"), ("koreanize-matplotlib", None),
    ("boto3", "boto3"), ("awscli", None), ("moto", None), ("paramiko", "paramiko"),
    ("PyYAML", "yaml"), ("jmespath", "jmespath"),
)


def check_environment(lang: str | None = None,
                      lab_pieces: Callable[[], list[tuple[str, str]]] | None = None) -> EnvironmentReport:
    """What the notebooks need, checked on this machine, with what to do about anything missing.

    Python packages and the ``aws`` command are required; the embedded lab is optional: without it the
    notebooks show recorded data from real lab runs instead of running the lab.
    """
    lang = get_lang(lang)
    report = EnvironmentReport(lang=lang)
    install = t("nb.check.fix_setup", lang)
    python_ok = sys.version_info >= (3, 10)
    report.rows.append(CheckRow("Python", python_ok, platform.python_version(),
                                t("nb.check.fix_python", lang), key="python"))
    for distribution, module in PACKAGES:
        version = _version(distribution)
        found = version or t("nb.check.not_installed", lang)
        ok = version is not None
        if ok and module:
            try:
                importlib.import_module(module)
            except Exception as exc:  # any import failure is what the student must see
                ok, found = False, f"{version}: {type(exc).__name__}: {exc}"
        report.rows.append(CheckRow(distribution, ok, found, install, key=distribution))
    aws = Path(sys.executable).parent / "aws"
    aws_path = str(aws) if aws.exists() else shutil.which("aws")
    report.rows.append(CheckRow(t("nb.check.aws_cli", lang), aws_path is not None,
                                t("nb.check.present", lang) if aws_path else t("nb.check.not_found", lang),
                                install, key="aws"))
    report.rows.append(_font_row(lang))
    report.rows.append(_data_row(lang))
    report.rows.append(_lab_row(lang, lab_pieces))
    from bondkit.notebook.session import lab_switched_off

    report.lab_switched_off = lab_switched_off()
    return report


def _lab_row(lang: str, lab_pieces: Callable[[], list[tuple[str, str]]] | None) -> CheckRow:
    """The lab as the notebooks will see it: switched off by the environment (the lab sessions then say
    the same), unable to run here (what is missing), or ready."""
    from bondkit.notebook.session import LAB_SWITCH, lab_switched_off

    switched = lab_switched_off()
    if switched:
        return CheckRow(t("nb.check.lab", lang), False, t("nb.check.lab_switched_off", lang, switch=switched),
                        t("nb.check.lab_switch_on", lang, name=LAB_SWITCH), required=False, key="lab")
    reason = None
    if lab_pieces is None:
        from bondkit.lab import missing_pieces, unavailable_reason

        missing = missing_pieces()
        reason = None if missing else unavailable_reason(lang=lang)
    else:
        missing = lab_pieces()
    if reason:
        return CheckRow(t("nb.check.lab", lang), False, reason, t("nb.check.lab_fallback", lang),
                        required=False, key="lab")
    return CheckRow(
        t("nb.check.lab", lang), not missing,
        t("nb.check.lab_ready", lang) if not missing
        else t("nb.check.lab_missing", lang, pieces="; ".join(what for what, _ in missing)),
        "; ".join(f"{what}: {how}" for what, how in missing) + " — " + t("nb.check.lab_fallback", lang),
        required=False, key="lab",
    )


def _font_row(lang: str) -> CheckRow:
    """Whether matplotlib has a font with Hangul (so Korean labels are not drawn as boxes)."""
    name = t("nb.check.korean_font", lang)
    try:
        from matplotlib import font_manager

        fonts = [f.name for f in font_manager.fontManager.ttflist
                 if any(word in f.name for word in ("Nanum", "Noto Sans CJK", "Noto Sans KR", "Malgun"))]
        if not fonts:
            importlib.import_module("koreanize_matplotlib")
            fonts = [f.name for f in font_manager.fontManager.ttflist if "Nanum" in f.name]
    except Exception as exc:
        return CheckRow(name, False, f"{type(exc).__name__}: {exc}", t("nb.check.fix_setup", lang),
                        required=False, key="font")
    return CheckRow(name, bool(fonts), sorted(set(fonts))[0] if fonts else t("nb.check.not_found", lang),
                    t("nb.check.fix_setup", lang), required=False, key="font")


def _data_row(lang: str) -> CheckRow:
    base = data_dir()
    present = (base / "seed").is_dir()
    found = str(data_path()) if present else t("nb.check.not_found", lang)
    return CheckRow(t("nb.check.data", lang), present, found, t("nb.check.fix_clone", lang), key="data")
