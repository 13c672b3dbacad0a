"""What the notebooks share, one module per concern; ``import bondkit.notebook as nb`` is the one door.

- :mod:`.language`: :func:`setup` (the notebook's language, table widths, inline figures) and paths to the
  kit's data, shown relative to the notebook;
- :mod:`.views`: files with numbered lines, lint findings, MAC tables of recorded ``ip link`` outputs;
- :mod:`.session`: the lab session (:func:`open_lab`, :func:`shared_lab`), commands run on it or read from
  their recordings (:func:`sh`), the work folders and :func:`finish`;
- :mod:`.actions`: faults, failover runs and applied configurations, live or recorded;
- :mod:`.steps`: EC2 tutorial steps as the walkthrough shows them;
- :mod:`.quiz`: self-check questions; :mod:`.environment`: the environment check;
- :mod:`.wire`: the lab switch's table and the frames on the wire at a failover.

The notebooks under ``notebooks/en`` and ``notebooks/ko`` have identical code cells, so nothing in a
code cell may name a language: every helper speaks the language :func:`setup` found, through the
message catalog (``bondkit/messages/notebook.yaml``). Everything a notebook shows is reproducible so
that nbval can compare it; only the environment check (which describes the machine) varies.
"""

from __future__ import annotations

from bondkit.notebook.actions import (
    FAULT_COMMANDS,
    Action,
    Applied,
    apply_configs,
    fault,
    restore_configs,
    run_or_recorded,
)
from bondkit.notebook.environment import PACKAGES, CheckRow, EnvironmentReport, check_environment
from bondkit.notebook.language import REPO_DATA, data_dir, data_path, notebook_lang, setup
from bondkit.notebook.quiz import Question, ask
from bondkit.notebook.session import (
    LAB_SWITCH,
    LabSession,
    Observed,
    finish,
    open_lab,
    sh,
    shared_lab,
    workdir,
)
from bondkit.notebook.steps import StepView, show_step
from bondkit.notebook.views import (
    FileView,
    FileViews,
    Findings,
    mac_table,
    show_files,
    show_findings,
    show_text,
)
from bondkit.notebook.wire import sent_at_failover, switch_tables

__all__ = [
    "FAULT_COMMANDS", "LAB_SWITCH", "PACKAGES", "REPO_DATA", "Action", "Applied", "CheckRow",
    "EnvironmentReport", "FileView", "FileViews", "Findings", "LabSession", "Observed", "Question",
    "StepView",
    "apply_configs", "ask", "check_environment", "data_dir", "data_path", "fault", "finish", "mac_table",
    "notebook_lang", "open_lab", "restore_configs", "run_or_recorded", "sent_at_failover", "setup", "sh",
    "shared_lab", "show_files", "show_findings", "show_step", "show_text", "switch_tables", "workdir",
]
