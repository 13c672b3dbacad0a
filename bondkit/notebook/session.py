"""The lab session of a notebook: the running lab, one started for the notebook, or none (then recorded
data stands in, and every view says which); commands run on it, and the work folders a notebook makes.
"""

from __future__ import annotations

import contextlib
import html
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bondkit.i18n import t


class LabSession:
    """The embedded lab as a notebook uses it: the running one, one started for the notebook, or none.

    Without a lab (see :func:`bondkit.lab.host.missing_pieces`) ``lab`` is None and the notebook shows
    recorded data instead; the message says which, in the notebook's language. :meth:`close` stops the
    lab only if this session started it: a lab started elsewhere (``bondkit lab up``) is left running.
    """

    def __init__(self, lab: Any = None, *, started: bool = False, missing: Sequence[tuple[str, str]] = (),
                 error: str | None = None, switched_off: str | None = None, lang: str | None = None) -> None:
        self.lab = lab
        #: ``BONDKIT_NB_LAB=off`` when the environment switched the lab off (the machine may run it).
        self.switched_off = switched_off
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
        if self.switched_off:
            return t("nb.lab.switched_off", self.lang, switch=self.switched_off)
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


def lab_switched_off() -> str | None:
    """``BONDKIT_NB_LAB=off`` (as set) when the environment switched the lab off, else None.

    Every part of a notebook that could reach a lab asks this first: the lab session, the environment
    check and the live-run button agree on it, and none of them looks for another lab when it is set.
    """
    value = os.environ.get(LAB_SWITCH, "")
    return f"{LAB_SWITCH}={value}" if value.lower() in ("off", "0", "no") else None


def _lab_missing(lab_pieces: Callable[[], list[tuple[str, str]]] | None) -> list[tuple[str, str]]:
    switched = lab_switched_off()
    if switched:
        return [(switched, f"unset {LAB_SWITCH}")]
    if lab_pieces is None:
        from bondkit.lab import missing_pieces

        return missing_pieces()
    return lab_pieces()


def open_lab(*, switch: str = "learning", lab_pieces: Callable[[], list[tuple[str, str]]] | None = None,
             lab_class: Any = None) -> LabSession:
    """The lab for this notebook: the one already running, else a new one, else none (with the reason).

    A lab that fails to start is no error here: the notebook goes on with recorded data and says why.
    """
    switched = lab_switched_off()
    if switched:
        return LabSession(switched_off=switched)
    from bondkit.errors import BondkitError, LabError
    from bondkit.lab import require_lab

    missing = _lab_missing(lab_pieces)
    if missing:
        if lab_pieces is None and require_lab():
            raise LabError("lab.required", reason="; ".join(f"{what} ({how})" for what, how in missing))
        return LabSession(missing=missing)
    if lab_class is None:
        from bondkit.lab import Lab as lab_class
    current = lab_class.current()
    if current is not None:
        session = LabSession(current)
        if current.switch != switch:
            session.restore_switch = current.switch
            current.set_switch(switch)
        return session
    reason = _no_boot_reason(lab_pieces)
    if reason:
        return LabSession(error=reason)
    try:
        return LabSession(lab_class(switch=switch).up(), started=True)
    except BondkitError as exc:
        if require_lab() and lab_pieces is None:  # this machine's own lab failed, where it is required
            raise
        return LabSession(error=str(exc))


def _no_boot_reason(lab_pieces: Callable[[], list[tuple[str, str]]] | None) -> str | None:
    """Why no guest can boot on this machine although every piece is there (a test boot, remembered),
    or None. Only for the machine's own pieces: a caller that names its own is asking about those."""
    if lab_pieces is not None:
        return None
    from bondkit.errors import LabError
    from bondkit.lab import require_lab, unavailable_reason

    reason = unavailable_reason()
    if reason and require_lab():
        raise LabError("lab.required", reason=reason)
    return reason


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
    #: The recorded file that stands for this command without a lab (also known when live).
    recorded: str | None = None

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

    def provenance(self) -> dict[str, str | None]:
        """Both lines this output could end with, and the one it shows: kept in the output's metadata so
        that a test of the recorded notebooks can expect exactly the recorded line where the committed
        (live) build shows the live one, instead of masking the line that says where a result came from."""
        recorded = self.source or self.recorded
        return {"shown": self.origin(), "live": t("nb.observed.live", self.lang, host=self.host),
                "recorded": t("nb.observed.recorded", self.lang, source=recorded) if recorded else None}

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> tuple[dict, dict]:
        return {}, {"bondkit": {"provenance": self.provenance()}}

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
            return Observed(host, command, text, None, table, kind, rows=rows, recorded=str(recorded))
    return Observed(host, command, Path(recorded).read_text(encoding="utf-8"), str(recorded), table, kind,
                    rows=rows, recorded=str(recorded))


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
    if _no_boot_reason(lab_pieces):
        yield None  # each notebook then says why, in its own language
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
