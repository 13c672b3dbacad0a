"""Shared fixtures. The lab fixture boots the embedded lab once per session.

Where the lab cannot run, lab tests skip and say why, except when BONDKIT_REQUIRE_LAB is set (CI),
where a skipped lab would hide a broken set-up, so they fail instead.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest


def lab_unavailable_reason() -> str | None:
    from bondkit.lab import unavailable_reason

    return unavailable_reason(lang="en")


class LabSlot:
    """One lab per user: tests share it, and a test that needs the slot empty releases it."""

    def __init__(self) -> None:
        self.lab = None
        self._base = tempfile.mkdtemp(prefix="bondkit-test-")
        os.chmod(self._base, 0o711)

    def get(self):
        reason = lab_unavailable_reason()
        if reason:
            if os.environ.get("BONDKIT_REQUIRE_LAB"):
                pytest.fail(reason + " (BONDKIT_REQUIRE_LAB is set)")
            pytest.skip(reason)
        if self.lab is None:
            from bondkit.lab import Lab

            self.lab = Lab(directory=self.directory).up()
        return self.lab

    @property
    def directory(self) -> Path:
        """A lab directory of this test session's own, so that tests never meet a lab a person runs."""
        return Path(self._base) / "lab"

    def release(self) -> None:
        if self.lab is not None:
            self.lab.down()
            self.lab = None

    def close(self) -> None:
        self.release()
        shutil.rmtree(self._base, ignore_errors=True)


@pytest.fixture(scope="session")
def lab_slot():
    slot = LabSlot()
    yield slot
    slot.close()


@pytest.fixture
def lab(lab_slot):
    return lab_slot.get()


@pytest.fixture
def short_tmp():
    """A private temporary folder with a short path, for a second lab: pytest's ``tmp_path`` under
    xdist (``.../popen-gw1/test_name0``) passes the lab folder's 80-character limit (its unix sockets)."""
    base = Path(tempfile.mkdtemp(prefix="bk-"))
    yield base
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(autouse=True)
def language_of_each_test_is_its_own(monkeypatch):
    """A test that switches to Korean must not leave the next test speaking it."""
    from bondkit.i18n import set_lang

    monkeypatch.delenv("BONDKIT_LANG", raising=False)
    set_lang(None)
    yield
    set_lang(None)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item (``item.report_call``): the browser tests' page
    fixture saves a screenshot when the test itself failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def pytest_collection_modifyitems(items):
    """Every test that boots or uses the lab carries the ``lab`` mark, so that ``-m lab`` selects all
    of them (CI runs those as an ordinary user, under a container's seccomp filter too)."""
    for item in items:
        if {"lab", "lab_slot"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.lab)
