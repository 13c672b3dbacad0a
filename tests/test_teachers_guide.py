"""The teacher's guide is complete and true to the notebooks: both languages, every notebook with its
minutes, every self-check the notebooks ask with its right answer (read from the catalog, as the widget
shows it), a 90-minute plan, the before-class checklist and the class hub; Korean in the glossary's
terms; every link inside notebooks/teachers/ points to a file that exists.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bondkit import notebook as nb
from bondkit.i18n import catalog
from tests.glossary import avoided_forms
from tests.test_self_checks import QUESTIONS

TEACHERS = Path(__file__).resolve().parent.parent / "notebooks" / "teachers"
#: Answers that come from data in the notebook (the cell reads them from a recorded output).
FROM_DATA = {"03_active_after": "enp0s9", "04_follow_bond": "08:00:27:e8:26:58",
             "04_follow_enp0s8": "08:00:27:27:a9:2d"}
HEADINGS = {"en": ("## Before class: a checklist", "## A 90-minute class", "## On the class JupyterHub"),
            "ko": ("## 수업 전 점검표", "## 90분 수업안", "## 수업용 JupyterHub에서")}


def guide(lang: str) -> str:
    return (TEACHERS / f"guide.{lang}.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_guide_has_its_sections_and_minutes_for_every_notebook(lang):
    text = guide(lang)
    for heading in HEADINGS[lang]:
        assert heading in text
    unit = "minutes" if lang == "en" else "분"
    for number in ("00", "01", "02", "03", "04", "05"):
        section = re.search(rf"^### {number} · .*$", text, re.M)
        assert section and unit in section.group(0), f"{lang}: notebook {number} has no time"
    assert "deploy/jupyterhub/" in text and "For a class" in text
    assert "BONDKIT_NB_LAB=off" in text


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("qid,count,answer", QUESTIONS, ids=[q[0] for q in QUESTIONS])
def test_the_guide_gives_the_answer_to_every_self_check(lang, qid, count, answer):
    words = catalog()
    if qid in FROM_DATA:
        label = FROM_DATA[qid]
        assert nb.Question(qid, answer=label, choices=[label], lang=lang).answer_label == label
    else:
        label = words[f"quiz.{qid}.{answer}"][lang] if answer and f"quiz.{qid}.1" in words else str(
            {"02_updelay": 100, "05_miimon_500": 500}[qid])
    entry = re.search(rf"^- `{qid}`: (.*?)\n  \*\*[a-h]\) (.*?)\*\*\. (.*)$", guide(lang), re.M)
    assert entry, f"{lang}: the guide does not answer {qid}"
    assert entry.group(1).rstrip() == words[f"quiz.{qid}.q"][lang]
    assert entry.group(2) == label
    assert entry.group(3) == words[f"quiz.{qid}.why"][lang]


@pytest.mark.parametrize("name", ["guide.ko.md", "solutions.ko.md"])
def test_korean_teachers_files_use_the_glossarys_terms(name):
    assert avoided_forms((TEACHERS / name).read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("path", sorted(TEACHERS.glob("*.md")), ids=lambda p: p.name)
def test_links_between_the_teachers_files_point_to_files_that_exist(path):
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", path.read_text(encoding="utf-8")):
        assert (path.parent / target).exists(), f"{path.name}: {target}"
