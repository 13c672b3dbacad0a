"""Self-checks teach through their wrong answers: every wrong choice of every question a notebook asks
has feedback of its own (``quiz.<id>.<n>.no``) in English and Korean, the widget shows it, and the
Korean choices of a question are written in one register.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

from bondkit import notebook as nb
from bondkit.i18n import catalog

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "notebooks" / "src").glob("[0-9][0-9]_*.py"))
sys.path.insert(0, str(ROOT / "scripts"))
import build_notebooks as build  # noqa: E402


def asked() -> list[tuple[str, int, object]]:
    """(question id, number of choices, the answer's 1-based place or None when it comes from data)."""
    found = []
    for path in SOURCES:
        code = "\n".join(c.source for c in build.read_source(path).cells if c.cell_type == "code")
        for node in ast.walk(ast.parse(code)):
            if not (isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "ask"):
                continue
            qid = node.args[0].value
            keywords = {k.arg: k.value for k in node.keywords}
            if "choices" in keywords:
                values = [ast.literal_eval(e) for e in keywords["choices"].elts]
                try:
                    answer = values.index(ast.literal_eval(keywords["answer"])) + 1
                except ValueError:
                    answer = None
                count = len(values)
            else:
                count = 0
                while f"quiz.{qid}.{count + 1}" in catalog():
                    count += 1
                answer = ast.literal_eval(keywords["answer"])
            found.append((qid, count, answer))
    return found


QUESTIONS = asked()


def test_the_notebooks_ask_at_least_twenty_questions():
    assert len(QUESTIONS) >= 20


@pytest.mark.parametrize("qid,count,answer", QUESTIONS, ids=[q[0] for q in QUESTIONS])
def test_every_wrong_choice_has_feedback_of_its_own(qid, count, answer):
    words = catalog()
    missing = [n for n in range(1, count + 1) if n != answer and f"quiz.{qid}.{n}.no" not in words]
    # an answer read from data (03_active_after, 04_follow_*) leaves one choice, the right one, without
    allowed = 0 if answer is not None else 1
    assert len(missing) <= allowed, f"{qid}: no feedback for choice(s) {missing}"
    feedback = [words[f"quiz.{qid}.{n}.no"] for n in range(1, count + 1) if f"quiz.{qid}.{n}.no" in words]
    assert all(entry["en"].strip() and entry["ko"].strip() for entry in feedback)
    assert len({entry["en"] for entry in feedback}) == len(feedback), f"{qid}: feedback repeats itself"


def test_a_wrong_click_explains_the_misconception_and_a_right_one_the_reason():
    question = nb.Question("05_downdelay", answer=2, lang="en")
    assert "updelay" in question.feedback(1) and question.feedback(1).startswith("Not this one:")
    assert question.feedback(2).startswith("Right.")
    korean = nb.Question("05_downdelay", answer=2, lang="ko")
    assert korean.feedback(3).startswith("이것은 아닙니다.") and "downdelay" in korean.feedback(3)
    assert question.misconception(2) is None


def test_the_widget_shows_the_feedback_of_the_choice_clicked():
    question = nb.Question("03_outage", answer=2, lang="en")
    widget = question.widget
    radio = widget.children[1]
    radio.index = 0  # a) about 4, as in the recorded run
    assert "recorded run used miimon=100" in widget.children[2].value
    radio.index = 1
    assert "✔" in widget.children[2].value and question.solved


@pytest.mark.parametrize("qid,count,answer", QUESTIONS, ids=[q[0] for q in QUESTIONS])
def test_korean_choices_keep_one_register(qid, count, answer):
    """Within a question, Korean choices are either all noun phrases or all sentences in the formal
    register (…습니다/…ㅂ니다): no plain …다 or …때문에 endings mixed in."""
    words = catalog()
    labels = [words[f"quiz.{qid}.{n}"]["ko"] for n in range(1, count + 1) if f"quiz.{qid}.{n}" in words]
    for label in labels:
        tail = label.rstrip(" .")
        assert not tail.endswith(("때문에", "하려고", "위해")), f"{qid}: {label!r} ends mid-sentence"
        if re.search(r"\S다$", tail):  # a verb ending ("셋 다", all three, is a noun phrase)
            assert tail.endswith("니다"), f"{qid}: {label!r} is in the plain register"


def test_at_least_half_of_the_self_checks_test_transfer():
    """Transfer: a situation the notebook did not show (``bondkit.notebook.quiz.TRANSFER``)."""
    from bondkit.notebook.quiz import TRANSFER

    ids = [qid for qid, _count, _answer in QUESTIONS]
    assert TRANSFER <= set(ids), TRANSFER - set(ids)
    assert 2 * sum(qid in TRANSFER for qid in ids) >= len(ids)


def _preceding_output(qid: str, lang: str) -> tuple[str, str]:
    """The question's own cell source and the text output of the code cell just above it, as stored."""
    import nbformat

    for path in SOURCES:
        notebook = nbformat.read(ROOT / "notebooks" / lang / f"{path.stem}.ipynb", as_version=4)
        code = [cell for cell in notebook.cells if cell.cell_type == "code"]
        for index, cell in enumerate(code):
            if f'nb.ask("{qid}"' in cell.source and index:
                above = []
                for output in code[index - 1].get("outputs", []):
                    text = output.get("text") or (output.get("data") or {}).get("text/plain") or ""
                    above.append("".join(text) if isinstance(text, list) else text)
                return cell.source, "\n".join(above)
    return "", ""


@pytest.mark.parametrize("qid", [q[0] for q in QUESTIONS if isinstance(q[2], int)])
def test_no_self_check_is_answered_by_the_output_right_above_it(qid):
    """A question whose right answer is printed by the cell just above tests reading, not
    understanding (02_updelay was: lint printed "rounded down to 100" right above it). Checked for
    the right choice's value (a number must not be printed above) and a catalog choice's words."""
    source, above = _preceding_output(qid, "en")
    if not source:
        pytest.skip("the committed notebook does not ask it yet (rebuild the notebooks)")
    count, answer = next((c, a) for q, c, a in QUESTIONS if q == qid)
    tree = ast.parse(source)
    call = next(n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "attr", "") == "ask")
    keywords = {k.arg: k.value for k in call.keywords}
    if "choices" in keywords:
        right = str(ast.literal_eval(keywords["choices"].elts[answer - 1]))
        if re.fullmatch(r"\d+", right):
            assert not re.search(rf"(?<![\d.:]){right}(?![\d.])", above), (qid, above[:300])
    else:
        words = catalog()[f"quiz.{qid}.{answer}"]["en"]
        if len(words.split()) >= 3:  # a one-word choice ("active") is a column header, not an answer
            assert words not in above, qid
