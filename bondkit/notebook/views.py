"""Views of files, lint findings and recorded MAC addresses, shown the way the command line shows them
(names, numbered lines, ``file:line`` findings) so that a student can find what a finding points at.
"""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bondkit.i18n import t


@dataclass
class FileView:
    """A text file shown with its name and line numbers (so that ``file:line`` findings can be found)."""

    path: Path
    text: str
    numbered: bool = True

    def lines(self) -> list[str]:
        rows = self.text.splitlines()
        if not self.numbered:
            return rows
        width = len(str(len(rows)))
        return [f"{number:>{width}} | {line}" for number, line in enumerate(rows, 1)]

    def __repr__(self) -> str:
        return "\n".join([f"# {self.path}", *self.lines()])

    def _repr_html_(self) -> str:
        body = html.escape("\n".join(self.lines()))
        return (f"<div><code>{html.escape(str(self.path))}</code>"
                f"<pre style=\"margin-top:2px\">{body}</pre></div>")


@dataclass
class FileViews:
    views: list[FileView]

    def __repr__(self) -> str:
        return "\n\n".join(repr(view) for view in self.views)

    def _repr_html_(self) -> str:
        return "".join(view._repr_html_() for view in self.views)


def show_files(*paths: str | os.PathLike[str], numbered: bool = True) -> FileViews:
    """Files (or every file of a directory, sorted by name) with their names and numbered lines."""
    views = []
    for item in paths:
        path = Path(item)
        files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
        views += [FileView(file, file.read_text(encoding="utf-8"), numbered) for file in files]
    return FileViews(views)


def show_text(files: dict[str, str], numbered: bool = False) -> FileViews:
    """Rendered files (``{name: text}``, as ``bondkit.formats.render`` returns them) shown like files."""
    return FileViews([FileView(Path(name), text, numbered) for name, text in files.items()])


@dataclass
class Findings:
    """Lint findings shown one per line as ``file:line: severity: message [rule]``, or a line saying
    there are none (an empty list would show as ``[]``)."""

    findings: list[Any]
    lang: str | None = None

    def __repr__(self) -> str:
        if not self.findings:
            return t("nb.lint.none", self.lang)
        return "\n".join(finding.format(self.lang) for finding in self.findings)

    def __len__(self) -> int:
        return len(self.findings)

    def rules(self) -> list[str]:
        return [finding.rule for finding in self.findings]


def show_findings(findings: Sequence[Any], lang: str | None = None) -> Findings:
    """``bondkit.lint`` findings as the ``bondkit lint`` command prints them."""
    return Findings(list(findings), lang)


def mac_table(files: dict[str, str | os.PathLike[str]],
              ifnames: Sequence[str] = ("enp0s8", "enp0s9", "bond0")) -> Any:
    """The MAC address of each interface in several recorded ``ip link show`` outputs, side by side:
    one row per interface, one column per file (labelled by the dict's keys)."""
    import pandas as pd

    from bondkit import observe

    columns = {}
    for label, path in files.items():
        links = observe.to_frame(observe.parse_file(path)[1])
        columns[label] = links.set_index("ifname")["mac"]
    return pd.DataFrame(columns).reindex(list(ifnames))
