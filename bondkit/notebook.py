"""Small helpers that the notebooks share: language, paths, self-check questions, the environment check.

The notebooks under ``notebooks/en`` and ``notebooks/ko`` have identical code cells, so nothing in a
code cell may name a language. :func:`setup` finds it from where the notebook lives (Jupyter and nbval
start a kernel in the notebook's directory; Jupyter also names the notebook in ``JPY_SESSION_NAME``) and
every helper here then speaks it, through the message catalog (``bondkit/messages/notebook.yaml``).

Everything a notebook shows must be reproducible so that nbval can compare it: paths are shown relative
to the notebook, questions print the same text every time, and only the environment check (which
describes the machine) varies from one machine to the next.
"""

from __future__ import annotations

import contextlib
import dataclasses
import html
import importlib
import importlib.metadata
import json
import os
import platform
import shlex
import shutil
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bondkit.i18n import get_lang, normalize_lang, set_lang, t

#: The repository's data directory (recorded runs, the tutorial's files); ``BONDKIT_DATA`` overrides it.
REPO_DATA = Path(__file__).resolve().parents[1] / "data"

_LETTERS = "abcdefghijklmnopqrstuvwxyz"


# --------------------------------------------------------------------------- language and set-up


def notebook_lang(default: str | None = None) -> str:
    """``en`` or ``ko``: the folder the running notebook sits in, else ``default``, else bondkit's choice.

    Jupyter sets ``JPY_SESSION_NAME`` to the notebook's path; both Jupyter and nbval start the kernel
    in the notebook's directory, so the current directory's name says it too.
    """
    candidates = []
    session = os.environ.get("JPY_SESSION_NAME")
    if session:
        candidates.append(Path(session).parent.name)
    candidates.append(Path.cwd().name)
    for name in candidates:
        if name in ("en", "ko"):
            return name
    return normalize_lang(default) if default else get_lang()


def setup(lang: str | None = None) -> str:
    """Prepare a notebook: choose its language for every bondkit message, and make tables print the same
    width everywhere. Returns the language (``en`` or ``ko``)."""
    chosen = normalize_lang(lang) if lang else notebook_lang()
    set_lang(chosen)
    os.environ["BONDKIT_LANG"] = chosen  # for the `bondkit` and `aws` processes the notebook starts
    _inline_figures()
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is a dependency
        return chosen
    pd.set_option("display.width", 200)
    pd.set_option("display.max_columns", 20)
    pd.set_option("display.max_colwidth", 60)
    pd.set_option("display.max_rows", 60)
    return chosen


def _inline_figures() -> None:
    """In a Jupyter kernel, show matplotlib figures as images, including the ``Figure`` objects that
    ``bondkit.plot`` returns (made without pyplot, which is what registers the inline formatter)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with Jupyter
        return
    shell = get_ipython()
    if shell is None or not hasattr(shell, "kernel"):
        return
    shell.run_line_magic("matplotlib", "inline")


def data_dir() -> Path:
    """The kit's data directory (``BONDKIT_DATA`` or the repository's ``data/``)."""
    return Path(os.environ.get("BONDKIT_DATA") or REPO_DATA)


def data_path(*parts: str) -> Path:
    """A path under the data directory, relative to the current directory when that is possible.

    Relative paths keep what a notebook prints (lint's ``file:line``, file headers) the same on every
    clone of the repository, wherever it lives.
    """
    target = data_dir().joinpath(*parts)
    try:
        return Path(os.path.relpath(target))
    except ValueError:  # pragma: no cover - another drive on Windows
        return target


# --------------------------------------------------------------------------- showing files


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


# --------------------------------------------------------------------------- the lab, the work folder


class LabSession:
    """The embedded lab as a notebook uses it: the running one, one started for the notebook, or none.

    Without a lab (see :func:`bondkit.lab.host.missing_pieces`) ``lab`` is None and the notebook shows
    recorded data instead; the message says which, in the notebook's language. :meth:`close` stops the
    lab only if this session started it: a lab started elsewhere (``bondkit lab up``) is left running.
    """

    def __init__(self, lab: Any = None, *, started: bool = False, missing: Sequence[tuple[str, str]] = (),
                 error: str | None = None, lang: str | None = None) -> None:
        self.lab = lab
        self.started = started
        self.missing = list(missing)
        self.error = error
        self.lang = lang
        #: The switch profile to put back on a lab started elsewhere when this session closes.
        self.restore_switch: str | None = None

    @property
    def live(self) -> bool:
        return self.lab is not None

    def __bool__(self) -> bool:
        return self.live

    def message(self) -> str:
        if self.lab is not None:
            key = "nb.lab.started" if self.started else "nb.lab.reused"
            return t(key, self.lang, hosts=", ".join(self.lab.hosts), switch=self.lab.switch)
        if self.error:
            return t("nb.lab.failed", self.lang, error=self.error)
        pieces = "; ".join(f"{what} ({how})" for what, how in self.missing)
        return t("nb.lab.missing", self.lang, pieces=pieces)

    def close(self) -> str:
        """Stop the lab if this session started it; returns what was done."""
        if self.lab is None:
            return t("nb.lab.closed_none", self.lang)
        if not self.started:
            if self.restore_switch:
                self.lab.set_switch(self.restore_switch)
            return t("nb.lab.closed_kept", self.lang)
        self.lab.down()
        self.lab = None
        return t("nb.lab.closed", self.lang)

    def __repr__(self) -> str:
        return self.message()


#: ``BONDKIT_NB_LAB=off`` makes the notebooks use recorded data even where the lab could run (a quick
#: class, or testing the notebooks as a machine without the lab runs them).
LAB_SWITCH = "BONDKIT_NB_LAB"


def _lab_missing(lab_pieces: Callable[[], list[tuple[str, str]]] | None) -> list[tuple[str, str]]:
    if os.environ.get(LAB_SWITCH, "").lower() in ("off", "0", "no"):
        return [(f"{LAB_SWITCH}={os.environ[LAB_SWITCH]}", f"unset {LAB_SWITCH}")]
    if lab_pieces is None:
        from bondkit.lab.host import missing_pieces as lab_pieces
    return lab_pieces()


def open_lab(*, switch: str = "learning", lab_pieces: Callable[[], list[tuple[str, str]]] | None = None,
             lab_class: Any = None) -> LabSession:
    """The lab for this notebook: the one already running, else a new one, else none (with the reason).

    A lab that fails to start is no error here: the notebook goes on with recorded data and says why.
    """
    missing = _lab_missing(lab_pieces)
    if missing:
        return LabSession(missing=missing)
    if lab_class is None:
        from bondkit.lab import Lab as lab_class
    from bondkit.errors import BondkitError

    current = lab_class.current()
    if current is not None:
        session = LabSession(current)
        if current.switch != switch:
            session.restore_switch = current.switch
            current.set_switch(switch)
        return session
    try:
        return LabSession(lab_class(switch=switch).up(), started=True)
    except BondkitError as exc:
        return LabSession(error=str(exc))


#: What each fault does, as the tutorial (or a cable) would do it; shown by :func:`fault`.
FAULT_COMMANDS = {"admin-down": "ip link set dev {iface} down", "restore": "ip link set dev {iface} up"}


@dataclass
class Observed:
    """What a command printed on a lab host, or the recorded file that stands for it without a lab.

    Shown as the command, its output (or the columns ``table`` of its parsed frame) and one line that
    says where it came from, so that a reader always knows whether it is live or recorded.
    """

    host: str
    command: str
    text: str
    source: str | None = None  # the recorded file; None when live
    table: Sequence[str] | None = None
    kind: str | None = None
    lang: str | None = None
    #: With ``table``: only these interfaces (rows whose ``ifname`` is listed), in this order.
    rows: Sequence[str] | None = None

    @property
    def live(self) -> bool:
        return self.source is None

    def parsed(self) -> Any:
        from bondkit import observe

        return observe.parse(self.text, self.kind, self.source or f"{self.host}: {self.command}")[1]

    def frame(self) -> Any:
        from bondkit import observe

        return observe.to_frame(self.parsed())

    def origin(self) -> str:
        if self.live:
            return t("nb.observed.live", self.lang, host=self.host)
        return t("nb.observed.recorded", self.lang, source=self.source)

    def _body(self) -> Any:
        if self.table is None:
            return self.text.rstrip("\n")
        frame = self.frame()
        if self.rows is not None:
            frame = frame.set_index("ifname", drop=False).reindex(list(self.rows)).dropna(how="all")
        return frame[list(self.table)].fillna("")

    def __repr__(self) -> str:
        body = self._body()
        shown = body if isinstance(body, str) else body.to_string(index=False)
        return "\n".join([f"[{self.host}]$ {self.command}", shown, f"({self.origin()})"])

    def _repr_html_(self) -> str:
        body = self._body()
        shown = f"<pre>{html.escape(body)}</pre>" if isinstance(body, str) else body.to_html(index=False)
        return (f"<div><code>[{html.escape(self.host)}]$ {html.escape(self.command)}</code>{shown}"
                f"<small>({html.escape(self.origin())})</small></div>")


def sh(session: LabSession, host: str, command: str, *, recorded: str | os.PathLike[str],
       table: Sequence[str] | None = None, rows: Sequence[str] | None = None,
       kind: str | None = None) -> Observed:
    """Run ``command`` on lab host ``host`` when the lab is live; otherwise read the ``recorded`` file
    (the same command's output, saved on the lab). ``table`` shows those columns of the parsed frame,
    ``rows`` only those interfaces."""
    if session.live:
        from bondkit.errors import BondkitError

        try:
            text = session.lab[host].run(command, check=True).stdout
        except BondkitError as exc:  # the lab broke down: show the recorded output, and why
            print(t("nb.observed.failed", host=host, error=exc.message()))
        else:
            return Observed(host, command, text, None, table, kind, rows=rows)
    return Observed(host, command, Path(recorded).read_text(encoding="utf-8"), str(recorded), table, kind,
                    rows=rows)


@dataclass
class Action:
    """A step done on a lab host (or, without a lab, a step the recorded files already include)."""

    host: str
    command: str
    live: bool
    lang: str | None = None

    def __repr__(self) -> str:
        origin = t("nb.action.live" if self.live else "nb.action.recorded", self.lang, host=self.host)
        return f"[{self.host}]$ {self.command}\n({origin})"


def fault(session: LabSession, host: str, iface: str, kind: str, *, settle: float = 0.5) -> Action:
    """Inject (or ``restore``) a lab fault on ``host``'s ``iface``, then give the bond ``settle`` seconds
    to notice; shows the command the tutorial types (``ip link set dev enp0s8 down``)."""
    command = FAULT_COMMANDS.get(kind, "").format(iface=iface) or t(f"nb.fault.{kind}", iface=iface)
    if session.live:
        session.lab.fault(host, iface, kind)
        time.sleep(settle)
    return Action(host, command, session.live)


def run_or_recorded(session: LabSession, *, runs_dir: str | os.PathLike[str] | None = None,
                    **params: Any) -> Any:
    """A failover run (``bondkit.failover``) with ``params``: run on the lab when it is live, else the
    recorded run with the same parameters from ``data/runs``. Says which."""
    from bondkit.errors import BondkitError
    from bondkit.failover import RunParams, run_failover
    from bondkit.failover.demo import recorded_for

    plan = RunParams(**params)
    if session.live:
        try:
            run = run_failover(session.lab, plan)
        except BondkitError as exc:  # a live run that fails must not end the lesson: say why, go on
            print(t("nb.run.failed", error=exc.message()))
        else:
            print(t("nb.run.live", id=run.id))
            return run
    run = recorded_for([plan], Path(runs_dir) if runs_dir else None)[0]
    print(t("nb.run.recorded", id=run.id))
    return run


@dataclass
class Applied:
    """``bondkit.apply`` reports for several lab hosts: ``detail``'s in full, the others in one line."""

    reports: dict[str, Any]
    detail: str | None = None
    lang: str | None = None

    def __repr__(self) -> str:
        if not self.reports:
            return t("nb.apply.no_lab", self.lang)
        lines = []
        for host, report in self.reports.items():
            if host == self.detail:
                lines += [f"[{host}]", report.format(self.lang), ""]
            else:
                last = report.steps[-1].format(self.lang).splitlines()[0] if report.steps else ""
                done = "restored" if report.action == "restore" else "ok"
                state = t(f"nb.apply.{done}" if report.ok else "nb.apply.failed", self.lang)
                lines.append(f"[{host}] {state} {last}")
        return "\n".join(lines).rstrip()


def apply_configs(session: LabSession, configs: dict[str, Any], *, detail: str | None = None,
                  settle: float = 3.0) -> Applied:
    """``bondkit.apply.apply(host, config)`` for each lab host of ``configs`` (nothing without a lab).

    Then wait (at most ``settle`` seconds) until each bond reports carrier: the kernel raises it at the
    first MII check that sees a slave up, a few hundred milliseconds after the bond is brought up, and a
    student looking at ``ip link show`` a moment too early would see ``bond0 ... DOWN``.
    """
    if not session.live:
        return Applied({})
    from bondkit.apply import apply

    reports = {host: apply(session.lab[host], config, on_step=lambda step: None)
               for host, config in configs.items()}
    deadline = time.monotonic() + settle
    for host, report in reports.items():
        for bond in report.bonds:
            check = f"cat /sys/class/net/{shlex.quote(bond)}/operstate"
            while (time.monotonic() < deadline
                   and session.lab[host].run(check).stdout.strip() != "up"):
                time.sleep(0.05)
    return Applied(reports, detail)


def restore_configs(session: LabSession, hosts: Sequence[str], *, detail: str | None = None) -> Applied:
    """``bondkit.apply.restore(host)`` for each lab host: puts back what the last apply changed."""
    if not session.live:
        return Applied({})
    from bondkit.apply import restore

    return Applied({host: restore(session.lab[host], on_step=lambda step: None) for host in hosts}, detail)


@contextlib.contextmanager
def shared_lab(*, lab_pieces: Callable[[], list[tuple[str, str]]] | None = None,
               lab_class: Any = None) -> Iterator[Any]:
    """One lab for a whole series of notebooks (the nbval run, the notebook build): each notebook's
    :func:`open_lab` then finds it running instead of booting its own. A lab that was already running
    is used and left alone; one started here is stopped at the end. Yields the lab, or None."""
    if _lab_missing(lab_pieces) or os.environ.get("BONDKIT_NB_SHARED_LAB", "1") == "0":
        yield None
        return
    if lab_class is None:
        from bondkit.lab import Lab as lab_class
    running = lab_class.current()
    if running is not None:
        yield running
        return
    lab = lab_class(keep=True).up()
    try:
        yield lab
    finally:
        lab.down()


_WORKDIRS: list[Path] = []


def workdir() -> Path:
    """A fresh private folder for the files a notebook makes (key pairs, AWS config); see :func:`finish`."""
    path = Path(tempfile.mkdtemp(prefix="bondkit-nb-"))
    _WORKDIRS.append(path)
    return path


def finish(*sessions: LabSession) -> str:
    """The last cell of a notebook: close the lab sessions it opened and remove its work folders."""
    lines = []
    for session in sessions:
        session.close()  # a lab started elsewhere stays up, as open_lab said at the start
    removed = 0
    while _WORKDIRS:
        shutil.rmtree(_WORKDIRS.pop(), ignore_errors=True)
        removed += 1
    if removed:
        lines.append(t("nb.finish.workdirs", count=removed))
    lines.append(t("nb.finish.done"))
    return "\n".join(lines)


# --------------------------------------------------------------------------- EC2 steps


def _plain_value(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: _plain_value(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, list | tuple):
        return [_plain_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain_value(v) for k, v in value.items()}
    if isinstance(value, Path):
        return str(value)
    return value


def _json(value: Any, width: int = 100) -> str:
    text = json.dumps(_plain_value(value), ensure_ascii=False, default=str)
    if len(text) <= width:
        return text
    return json.dumps(_plain_value(value), ensure_ascii=False, default=str, indent=2)


def _width(text: str) -> int:
    """Columns ``text`` takes in a monospace font (Hangul and other wide characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)


@dataclass
class StepView:
    """An EC2 tutorial step (``bondkit.ec2.Step``) as the ``bondkit ec2 walkthrough`` command shows it:
    the `aws` command, the boto3 call, the result, the check both tools ran, and the notes."""

    step: Any
    agreement: Any = None
    lang: str | None = None

    def lines(self) -> list[str]:
        lang, step = self.lang, self.step
        label = {name: t(f"ec2.cli.label_{name}", lang) for name in ("cli", "boto3", "result", "check")}
        width = max(_width(text) for text in label.values())
        blank = " " * width
        out = [f"[{step.title(lang)}]"]
        for command in step.cli:
            answers = f"   <<< {command.stdin.strip()!r}" if command.stdin else ""
            out.append(f"{_pad(label['cli'], width)}  $ {command.line()}{answers}")
        out.append(f"{_pad(label['boto3'], width)}  {step.python}")
        result = step.result
        shown = result.stdout.strip() if getattr(result, "stdout", "") else _json(result)
        first, *rest = shown.splitlines() or [""]
        out.append(f"{_pad(label['result'], width)}  {first}")
        out += [f"{blank}  {line}" for line in rest]
        if self.agreement is not None:
            verdict = t("ec2.cli.same" if self.agreement.same else "ec2.cli.differs", lang)
            out.append(f"{_pad(label['check'], width)}  $ {self.agreement.cli_line}")
            out.append(f"{blank}    aws:   {_json(self.agreement.cli_value, 200)}")
            out.append(f"{blank}    boto3: {_json(self.agreement.boto3_value, 200)}  -> {verdict}")
        out += [f"  · {note}" for note in step.notes]
        return out

    @property
    def same(self) -> bool | None:
        return None if self.agreement is None else bool(self.agreement.same)

    def __repr__(self) -> str:
        return "\n".join(self.lines())


def show_step(step: Any, target: Any = None, *, compare: bool = True) -> StepView:
    """Show an EC2 step; with ``target``, first run its check with both the `aws` CLI and boto3."""
    agreement = None
    if compare and target is not None and getattr(step, "check", None) is not None:
        from bondkit.ec2_twin import compare as twin

        agreement = twin(target, step)
    return StepView(step, agreement)


# --------------------------------------------------------------------------- self-check questions


def _plain(value: object) -> str:
    return str(value)


class Question:
    """A multiple-choice self-check question with immediate feedback and an answer to reveal.

    The question, the explanation and (unless ``choices`` are given as values, such as MAC addresses)
    the choices come from the catalog: ``quiz.<id>.q``, ``quiz.<id>.why``, ``quiz.<id>.1``, ``.2``, ...
    ``answer`` is the right choice (a value of ``choices``, or the 1-based number of a catalog choice).
    ``evidence`` is shown with the answer: the data the answer was read from.
    """

    def __init__(self, qid: str, *, answer: object, choices: Sequence[object] | None = None,
                 evidence: object = None, lang: str | None = None, **params: object) -> None:
        self.qid = qid
        self.lang = get_lang(lang)
        self.params = params
        if choices is None:
            labels = []
            while f"quiz.{qid}.{len(labels) + 1}" in _catalog():
                labels.append(t(f"quiz.{qid}.{len(labels) + 1}", self.lang, **params))
            if not labels:
                raise KeyError(f"question {qid!r} has no choices in the catalog")
            self.values: list[object] = list(range(1, len(labels) + 1))
            self.labels = labels
        else:
            self.values = list(choices)
            self.labels = [_plain(value) for value in choices]
        if answer not in self.values:
            raise ValueError(f"the answer {answer!r} of question {qid!r} is not among its choices")
        self.answer = answer
        self.evidence = evidence
        self.tries = 0
        self.solved = False
        self._widget: Any = None

    # ---- the words

    @property
    def question(self) -> str:
        return t(f"quiz.{self.qid}.q", self.lang, **self.params)

    @property
    def explanation(self) -> str:
        return t(f"quiz.{self.qid}.why", self.lang, **self.params)

    @property
    def answer_label(self) -> str:
        return self.labels[self.values.index(self.answer)]

    def feedback(self, choice: object) -> str:
        """What the student sees right after picking ``choice``."""
        if choice == self.answer:
            return t("nb.quiz.right", self.lang, why=self.explanation)
        return t("nb.quiz.wrong", self.lang)

    def choose(self, choice: object) -> bool:
        """Pick a choice (what the widget does on a click); returns whether it was right."""
        if choice not in self.values:
            raise ValueError(f"{choice!r} is not a choice of question {self.qid!r}")
        self.tries += 1
        right = choice == self.answer
        self.solved = self.solved or right
        if self._widget is not None:
            self._show_feedback(self.feedback(choice), right)
        return right

    def reveal(self) -> str:
        """The answer and why, as text (what the reveal button shows, with the evidence)."""
        text = t("nb.quiz.answer", self.lang, answer=self.answer_label, why=self.explanation)
        if self._widget is not None:
            self._show_answer(text)
        return text

    def text(self) -> str:
        """The question as plain text: what a reader sees where widgets do not run (and what nbval checks)."""
        lines = [f"{t('nb.quiz.label', self.lang)}: {self.question}"]
        lines += [f"  {_LETTERS[i]}) {label}" for i, label in enumerate(self.labels)]
        lines.append(t("nb.quiz.static", self.lang))
        return "\n".join(lines)

    # ---- the widget

    @property
    def widget(self) -> Any:
        if self._widget is None:
            self._widget = self._build()
        return self._widget

    def _build(self) -> Any:
        import ipywidgets as w

        title = w.HTML(f"<b>{html.escape(t('nb.quiz.label', self.lang))}:</b> {html.escape(self.question)}")
        options = [(f"{_LETTERS[i]}) {label}", i) for i, label in enumerate(self.labels)]
        self._choices = w.RadioButtons(options=options, index=None, layout=w.Layout(width="auto"))
        self._feedback = w.HTML("")
        self._reveal_button = w.Button(description=t("nb.quiz.reveal", self.lang), icon="eye")
        self._answer = w.Output()

        def picked(change: dict[str, Any]) -> None:
            if change["new"] is not None:
                self.choose(self.values[change["new"]])

        self._choices.observe(picked, names="index")
        self._reveal_button.on_click(lambda _button: self.reveal())
        return w.VBox([title, self._choices, self._feedback, self._reveal_button, self._answer])

    def _show_feedback(self, text: str, right: bool) -> None:
        colour = "#1a7f37" if right else "#b35900"
        mark = "✔" if right else "✘"
        self._feedback.value = f"<span style=\"color:{colour}\">{mark} {html.escape(text)}</span>"

    def _show_answer(self, text: str) -> None:
        from IPython.display import display

        self._answer.clear_output()
        with self._answer:
            print(text)
            if self.evidence is not None:
                display(self.evidence)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle = dict(self.widget._repr_mimebundle_(include=include, exclude=exclude) or {})
        bundle["text/plain"] = self.text()
        return bundle

    def __repr__(self) -> str:
        return self.text()


def ask(qid: str, *, answer: object, choices: Sequence[object] | None = None, evidence: object = None,
        **params: object) -> Question:
    """A self-check question (see :class:`Question`); the last expression of a cell shows it."""
    return Question(qid, answer=answer, choices=choices, evidence=evidence, **params)


def _catalog() -> dict[str, dict[str, str]]:
    from bondkit.i18n import catalog

    return catalog()


# --------------------------------------------------------------------------- the environment check


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
    if lab_pieces is None:
        from bondkit.lab.host import missing_pieces as lab_pieces
    missing = lab_pieces()
    report.rows.append(CheckRow(
        t("nb.check.lab", lang), not missing,
        t("nb.check.lab_ready", lang) if not missing
        else t("nb.check.lab_missing", lang, pieces="; ".join(what for what, _ in missing)),
        "; ".join(f"{what}: {how}" for what, how in missing) + " — " + t("nb.check.lab_fallback", lang),
        required=False, key="lab",
    ))
    return report


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
