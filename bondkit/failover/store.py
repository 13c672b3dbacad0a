"""A directory of recorded runs (``data/runs/``): loading them, choosing among them, their index.

Notebooks, the explorer and ``bondkit demo`` without a lab all read recorded runs through here, so
that a run recorded on the lab and a run just made are the same kind of object.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from bondkit.failover.record import FILES, Run

INDEX = "index.csv"


def default_runs_dir() -> Path:
    """``data/runs`` of the kit's source tree (where ``scripts/record_runs.py`` writes)."""
    return Path(__file__).resolve().parents[2] / "data" / "runs"


#: The settings ``scripts/record_sweeps.py`` repeats (about ten runs each) for the timing claims of
#: notebook 05: name -> RunParams keywords.
SWEEPS: dict[str, dict[str, Any]] = {
    **{f"miimon{ms}": {"fault": "carrier-loss", "miimon": ms} for ms in (50, 100, 200, 500)},
    "downdelay200": {"fault": "carrier-loss", "miimon": 100, "downdelay": 200},
    **{f"arp{ms}": {"fault": "silent-drop", "arp_interval": ms} for ms in (50, 100, 200, 500)},
    "primary-failback": {"fault": "admin-down", "miimon": 100, "primary": "enp0s8", "slave": "enp0s8"},
}


def default_sweeps_dir() -> Path:
    """``data/sweeps`` of the kit's source tree: repeated runs, one folder per setting."""
    return default_runs_dir().parent / "sweeps"


def load_sweeps(directory: str | Path | None = None) -> pd.DataFrame:
    """The sweeps' index (one row per run: setting, repeat, detect_ms, outage_ms, ...), or an empty
    frame when none were recorded."""
    path = Path(directory or default_sweeps_dir()) / INDEX
    return pd.read_csv(path) if path.exists() else pd.DataFrame()


def load_runs(directory: str | Path | None = None) -> list[Run]:
    """Every run saved under ``directory`` (one sub-directory each), sorted by id."""
    directory = Path(directory) if directory else default_runs_dir()
    if not directory.is_dir():
        return []
    return [Run.load(path.parent) for path in sorted(directory.glob(f"*/{FILES['meta']}"))]


def index_frame(runs: Iterable[Run], root: Path | None = None) -> pd.DataFrame:
    """One row per run (:meth:`Run.summary`) with its directory relative to ``root``."""
    rows = []
    for run in runs:
        row = run.summary()
        if run.path is not None:
            row["path"] = str(run.path.relative_to(root)) if root else str(run.path)
        rows.append(row)
    return pd.DataFrame(rows)


def write_index(directory: str | Path, runs: Iterable[Run]) -> Path:
    """Write ``index.csv`` describing each run saved under ``directory``."""
    directory = Path(directory)
    path = directory / INDEX
    index_frame(runs, directory).sort_values("id").to_csv(path, index=False)
    return path


def select(runs: Iterable[Run], **criteria: Any) -> list[Run]:
    """The runs whose parameters match: ``select(runs, fault="admin-down", switch="learning")``.

    Keys are :class:`RunParams` fields or its ``monitoring`` (``mii``/``arp``); None matches anything.
    """
    chosen = []
    for run in runs:
        params = run.params
        if all(value is None or getattr(params, key) == value for key, value in criteria.items()):
            chosen.append(run)
    return chosen
