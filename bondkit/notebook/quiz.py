"""Self-check questions: multiple choice with immediate feedback and an answer to reveal, from the catalog,
printed as the same plain text every time so that nbval can compare it.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from bondkit.i18n import get_lang, t

_LETTERS = "abcdefghijklmnopqrstuvwxyz"

#: The self-checks that test transfer: each puts the student in a situation the notebook did not show
#: (another mode, another netplan, another network, EC2), so that the output above cannot answer it.
#: At least half of the questions the notebooks ask are of this kind (tests/test_self_checks.py), and the
#: teacher's guide draws its exit ticket from them.
TRANSFER = frozenset({
    "02_alias", "02_ifcfg_name", "02_netplan_099", "03_outage", "03_bond_mac", "03_lacp_miimon",
    "03_client_fault", "04_which_changes", "04_learning_switch", "04_primary_follow", "05_two_enis",
    "05_arp_detect", "05_arp_target_gone", "05_miimon_500", "05_downdelay_arp",
})


def _plain(value: object) -> str:
    return str(value)


def _prose(body: str, style: str = "") -> str:
    """HTML for a widget's text that wraps between words, like the notebook's own prose (a widget's
    label otherwise stays on one line, and printed text breaks in the middle of words)."""
    return (f'<div style="white-space:normal;word-break:keep-all;overflow-wrap:break-word;'
            f'line-height:1.5;{style}">{body}</div>')


class Question:
    """A multiple-choice self-check question with immediate feedback and an answer to reveal.

    The question, the explanation and (unless ``choices`` are given as values, such as MAC addresses)
    the choices come from the catalog: ``quiz.<id>.q``, ``quiz.<id>.why``, ``quiz.<id>.1``, ``.2``, ...
    ``answer`` is the right choice (a value of ``choices``, or the 1-based number of a catalog choice).
    ``evidence`` is shown with the answer: the data the answer was read from.

    A wrong choice stands for a misconception, so each has its own feedback, ``quiz.<id>.<n>.no`` (``n``
    the choice's 1-based place, for catalog and value choices alike): the student learns why that answer
    is wrong, not only that it is.
    """

    def __init__(self, qid: str, *, answer: object, choices: Sequence[object] | None = None,
                 evidence: object = None, lang: str | None = None, **params: object) -> None:
        self.qid = qid
        self.lang = get_lang(lang)
        self.params = params
        if choices is None:
            labels: list[str] = []
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

    def misconception(self, choice: object) -> str | None:
        """Why ``choice`` is wrong, from the catalog (None for the right one, or where none is written)."""
        if choice == self.answer:
            return None
        key = f"quiz.{self.qid}.{self.values.index(choice) + 1}.no"
        return t(key, self.lang, **self.params) if key in _catalog() else None

    def feedback(self, choice: object) -> str:
        """What the student sees right after picking ``choice``: why it is right, or why it is not."""
        if choice == self.answer:
            return t("nb.quiz.right", self.lang, why=self.explanation)
        why_not = self.misconception(choice)
        if why_not is not None:
            return t("nb.quiz.wrong_because", self.lang, why=why_not)
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

        label = html.escape(t("nb.quiz.label", self.lang))
        title = w.HTML(_prose(f"<b>{label}:</b> {html.escape(self.question)}"), layout=w.Layout(width="auto"))
        options = [(f"{_LETTERS[i]}) {label}", i) for i, label in enumerate(self.labels)]
        self._choices = w.RadioButtons(options=options, index=None, layout=w.Layout(width="auto"))
        self._feedback = w.HTML("", layout=w.Layout(width="auto"))
        self._reveal_button = w.Button(description=t("nb.quiz.reveal", self.lang), icon="eye",
                                       layout=w.Layout(width="auto"))  # the whole label, never cut
        self._answer_text = w.HTML("", layout=w.Layout(width="auto"))
        self._answer = w.Output()

        def picked(change: dict[str, Any]) -> None:
            if change["new"] is not None:
                self.choose(self.values[change["new"]])

        self._choices.observe(picked, names="index")
        self._reveal_button.on_click(lambda _button: self.reveal())
        return w.VBox([title, self._choices, self._feedback, self._reveal_button, self._answer_text,
                       self._answer])

    def _show_feedback(self, text: str, right: bool) -> None:
        colour = "#1a7f37" if right else "#b35900"
        mark = "✔" if right else "✘"
        self._feedback.value = _prose(f"{mark} {html.escape(text)}", f"color:{colour}")

    def _show_answer(self, text: str) -> None:
        from IPython.display import display

        self._answer_text.value = _prose(html.escape(text))
        self._answer.clear_output()
        if self.evidence is not None:
            with self._answer:
                display(self.evidence)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle = dict(self.widget._repr_mimebundle_(include=include, exclude=exclude) or {})
        bundle["text/plain"] = self.text()
        return bundle

    def __repr__(self) -> str:
        return self.text()


def ask(qid: str, *, answer: object, choices: Sequence[object] | None = None, evidence: object = None,
        lang: str | None = None, **params: object) -> Question:
    """A self-check question (see :class:`Question`); the last expression of a cell shows it."""
    return Question(qid, answer=answer, choices=choices, evidence=evidence, lang=lang, **params)


def _catalog() -> dict[str, dict[str, str]]:
    from bondkit.i18n import catalog

    return catalog()
