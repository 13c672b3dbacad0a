#!/usr/bin/env python3
"""Build the English and Korean notebooks from their one source, run them, and store their outputs.

Each notebook has one reviewable source, ``notebooks/src/NN_name.py`` (jupytext "percent" format). Code
cells are shared; every markdown cell is written twice, once per language, marked in its header::

    # %% [markdown] lang="en"
    # ## Objectives
    # %% [markdown] lang="ko"
    # ## 학습 목표

The build writes ``notebooks/en/NN_name.ipynb`` and ``notebooks/ko/NN_name.ipynb`` with the same code
cells, executes each with nbclient in its own folder (the kernel then speaks the folder's language, see
``bondkit.notebook.setup``) using the python3 kernel of the interpreter that runs this script (the
project's .venv), and stores the outputs.

Outputs are kept stable so that rebuilding does not rewrite what did not change: cell ids are derived
from the cell's place, timings and the kernel's version are not stored, widget views are stored as their
static fallback only (the figure an explorer showed, or one line saying to run the cell), and where a
cell's new outputs differ from the committed ones only in what ``notebooks/sanitize.cfg`` calls variable
(instance ids, times, ports), the committed outputs are kept.

    python scripts/build_notebooks.py                 # build and execute every notebook
    python scripts/build_notebooks.py 02_bond_configs # only these (name or prefix)
    python scripts/build_notebooks.py --no-execute    # write cells only (outputs kept where sources match)
    python scripts/build_notebooks.py --check         # exit 1 if a committed notebook is not its source's
"""

from __future__ import annotations

import argparse
import copy
import os
import re
import sys
import time
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
SOURCES = NOTEBOOKS / "src"
SANITIZE = NOTEBOOKS / "sanitize.cfg"
LANGS = ("en", "ko")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
LANGUAGE_INFO = {"name": "python", "pygments_lexer": "ipython3", "file_extension": ".py",
                 "mimetype": "text/x-python", "codemirror_mode": {"name": "ipython", "version": 3},
                 "nbconvert_exporter": "python"}


class SourceError(Exception):
    """A source that does not follow the rules (a markdown cell without a language, an unknown one)."""


# --------------------------------------------------------------------------- sources -> notebooks


def sources(names: list[str] | None = None) -> list[Path]:
    found = sorted(SOURCES.glob("[0-9][0-9]_*.py"))
    if names:
        found = [path for path in found if any(path.stem == n or path.stem.startswith(n) for n in names)]
        if not found:
            raise SourceError(f"no source matches {', '.join(names)} in {SOURCES}")
    return found


def read_source(path: Path) -> nbformat.NotebookNode:
    nb = jupytext.read(path, fmt="py:percent")
    for number, cell in enumerate(nb.cells, 1):
        lang = cell.metadata.get("lang")
        if cell.cell_type == "markdown" and lang not in LANGS:
            raise SourceError(f"{path.name}: markdown cell {number} needs lang=\"en\" or lang=\"ko\" "
                              f"(has {lang!r})")
        if cell.cell_type == "code" and lang is not None:
            raise SourceError(f"{path.name}: code cell {number} has lang={lang!r}; code is shared")
        if cell.cell_type == "code" and not cell.source.strip():
            raise SourceError(f"{path.name}: code cell {number} is empty")
    return nb


def split(source: nbformat.NotebookNode, lang: str, source_name: str) -> nbformat.NotebookNode:
    """The notebook of one language: shared code cells, that language's markdown cells."""
    cells = []
    for cell in source.cells:
        if cell.metadata.get("lang", lang) != lang:
            continue
        if cell.cell_type == "code":
            new = nbformat.v4.new_code_cell(cell.source)
        elif cell.cell_type == "markdown":
            new = nbformat.v4.new_markdown_cell(cell.source)
        else:
            new = nbformat.v4.new_raw_cell(cell.source)
        metadata = {k: v for k, v in cell.metadata.items() if k not in ("lang",)}
        new.metadata = nbformat.from_dict(metadata)
        new.id = f"{'c' if cell.cell_type == 'code' else 'm'}{len(cells):03d}"
        cells.append(new)
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata = nbformat.from_dict({
        "kernelspec": KERNELSPEC,
        "language_info": LANGUAGE_INFO,
        "bondkit": {"lang": lang, "source": f"notebooks/src/{source_name}",
                    "generated": "by scripts/build_notebooks.py; edit the source, not this file"},
    })
    nb.nbformat, nb.nbformat_minor = 4, 5
    return nb


def target(path: Path, lang: str) -> Path:
    return NOTEBOOKS / lang / f"{path.stem}.ipynb"


# --------------------------------------------------------------------------- stable outputs


def sanitize_patterns() -> list[tuple[re.Pattern[str], str]]:
    """The (regex, replacement) pairs of sanitize.cfg, read the way nbval reads them."""
    if not SANITIZE.exists():
        return []
    text = SANITIZE.read_text(encoding="utf-8")
    return [(re.compile(regex), replace)
            for regex, replace in re.findall(r"^regex: (.*)$\n^replace: (.*)$", text, re.M)]


def _sanitized(value: object, patterns: list[tuple[re.Pattern[str], str]]) -> object:
    if isinstance(value, list):
        value = "".join(value) if all(isinstance(v, str) for v in value) else value
    if isinstance(value, str):
        for regex, replace in patterns:
            value = regex.sub(replace, value)
    return value


def comparable(outputs: list, patterns: list[tuple[re.Pattern[str], str]]) -> list:
    """Outputs as nbval compares them: no metadata or counts, variable parts sanitized."""
    result = []
    for output in outputs:
        item = {"type": output.get("output_type"), "name": output.get("name")}
        if "text" in output:
            item["text"] = _sanitized(output["text"], patterns)
        for mime, value in sorted((output.get("data") or {}).items()):
            # images are compared as they are: sanitizing base64 is slow and could only hide a change
            item[mime] = value if mime.startswith("image/") else _sanitized(value, patterns)
        if "ename" in output:
            item["error"] = (output["ename"], output.get("evalue"))
        result.append(item)
    return result


def clean_outputs(nb: nbformat.NotebookNode) -> None:
    """Drop what changes on every run and means nothing to a reader (see the module's docstring)."""
    nb.metadata.pop("widgets", None)
    nb.metadata["language_info"] = copy.deepcopy(LANGUAGE_INFO)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        for output in cell.outputs:
            data = output.get("data")
            if data and WIDGET_VIEW in data:
                data.pop(WIDGET_VIEW)
            if "metadata" in output and output["metadata"]:
                output["metadata"] = nbformat.from_dict(
                    {k: v for k, v in output["metadata"].items() if k not in ("transient",)})


def keep_stable(new: nbformat.NotebookNode, old: nbformat.NotebookNode | None) -> int:
    """Reuse the committed outputs when no code cell's source or sanitized outputs changed; otherwise
    keep none of them. Keeping some cells' old outputs would mix two builds in one notebook (an
    instance id and address from one run beside those of another)."""
    if old is None:
        return 0
    patterns = sanitize_patterns()
    old_cells = {(cell.cell_type, cell.source, index): cell for index, cell in enumerate(old.cells)}
    pairs = []
    for index, cell in enumerate(new.cells):
        if cell.cell_type != "code":
            continue
        previous = old_cells.get(("code", cell.source, index))
        if previous is None or comparable(previous.outputs, patterns) != comparable(cell.outputs, patterns):
            return 0
        pairs.append((cell, previous))
    for cell, previous in pairs:
        cell.outputs = previous.outputs
    return len(pairs)


def read_committed(path: Path) -> nbformat.NotebookNode | None:
    if not path.exists():
        return None
    return nbformat.read(path, as_version=4)


def write(nb: nbformat.NotebookNode, path: Path) -> bool:
    """Write ``nb`` if it differs from the file; returns whether the file changed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.validate(nb)
    text = nbformat.writes(nb)
    text = text if text.endswith("\n") else text + "\n"
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True


# --------------------------------------------------------------------------- executing


def execute(nb: nbformat.NotebookNode, folder: Path, timeout: int) -> None:
    from nbclient import NotebookClient

    env_lang = os.environ.pop("BONDKIT_LANG", None)  # the notebook's folder decides, not the shell
    try:
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=False,
                                record_timing=False, store_widget_state=False,
                                resources={"metadata": {"path": str(folder)}})
        client.execute()
    finally:
        if env_lang is not None:
            os.environ["BONDKIT_LANG"] = env_lang


def carry_outputs(new: nbformat.NotebookNode, old: nbformat.NotebookNode | None) -> None:
    """Without executing: keep the committed outputs of code cells whose source did not move."""
    if old is None:
        return
    for index, cell in enumerate(new.cells):
        if cell.cell_type != "code" or index >= len(old.cells):
            continue
        previous = old.cells[index]
        if previous.cell_type == "code" and previous.source == cell.source:
            cell.outputs = previous.outputs
            cell.execution_count = previous.execution_count


def build(paths: list[Path], *, run: bool, timeout: int, langs: tuple[str, ...] = LANGS) -> int:
    if run:  # the notebooks share one lab, as under nbval (notebooks/conftest.py)
        from bondkit.notebook import shared_lab

        with shared_lab():
            return _build(paths, run=run, timeout=timeout, langs=langs)
    return _build(paths, run=run, timeout=timeout, langs=langs)


def _build(paths: list[Path], *, run: bool, timeout: int, langs: tuple[str, ...]) -> int:
    for path in paths:
        source = read_source(path)
        for lang in langs:
            out = target(path, lang)
            nb = split(source, lang, path.name)
            old = read_committed(out)
            started = time.monotonic()
            if run:
                execute(nb, out.parent, timeout)
                clean_outputs(nb)
                kept = keep_stable(nb, old)
                note = f"ran in {time.monotonic() - started:.1f} s, {kept} cell output(s) unchanged"
            else:
                carry_outputs(nb, old)
                note = "not executed"
            changed = write(nb, out)
            print(f"{out.relative_to(ROOT)}: {'written' if changed else 'unchanged'} ({note})")
    return 0


# --------------------------------------------------------------------------- checking


def _cells(nb: nbformat.NotebookNode) -> list[tuple[str, str, dict]]:
    return [(cell.cell_type, cell.source, {k: v for k, v in cell.metadata.items() if k != "execution"})
            for cell in nb.cells]


def check(paths: list[Path], *, all_sources: bool = True) -> list[str]:
    """Problems that make the committed notebooks differ from their sources (empty: all good)."""
    problems: list[str] = []
    for path in paths:
        source = read_source(path)
        for lang in LANGS:
            out = target(path, lang)
            committed = read_committed(out)
            name = out.relative_to(ROOT)
            if committed is None:
                problems.append(f"{name}: missing; run scripts/build_notebooks.py {path.stem}")
                continue
            expected = split(source, lang, path.name)
            if _cells(expected) != _cells(committed):
                problems.append(f"{name}: cells differ from {path.relative_to(ROOT)}; "
                                f"run scripts/build_notebooks.py {path.stem}")
                continue
            if committed.metadata.get("bondkit", {}).get("lang") != lang:
                problems.append(f"{name}: metadata says another language")
            unrun = [i for i, cell in enumerate(committed.cells)
                     if cell.cell_type == "code" and cell.execution_count is None]
            if unrun:
                problems.append(f"{name}: code cells {unrun} have no stored outputs; "
                                "build without --no-execute")
    if all_sources:
        stems = {path.stem for path in sources()}
        for lang in LANGS:
            for nb_path in sorted((NOTEBOOKS / lang).glob("*.ipynb")):
                if nb_path.stem not in stems:
                    problems.append(f"{nb_path.relative_to(ROOT)}: no source notebooks/src/{nb_path.stem}.py")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="notebooks to build (name or prefix, e.g. 02); default all")
    parser.add_argument("--check", action="store_true", help="only check that committed notebooks match")
    parser.add_argument("--no-execute", action="store_true", help="write cells without running them")
    parser.add_argument("--lang", choices=LANGS, action="append", help="only this language (repeatable)")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell (default 600)")
    args = parser.parse_args(argv)
    try:
        paths = sources(args.names)
        if args.check:
            problems = check(paths, all_sources=not args.names)
            for problem in problems:
                print(problem, file=sys.stderr)
            if not problems:
                print(f"{len(paths) * len(LANGS)} notebooks match their sources")
            return 1 if problems else 0
        return build(paths, run=not args.no_execute, timeout=args.timeout, langs=tuple(args.lang or LANGS))
    except SourceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
