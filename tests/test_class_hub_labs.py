"""The class hub gives each student a lab of their own, and every lab goes with the student's server:
JupyterHub on 127.0.0.1, two throwaway student accounts, each booting the lab from a notebook cell, then
a reset by the teacher, a stop and an idle cull.

A file of its own so that it runs beside the other hub test (each takes minutes). Needs root (the hub
starts each server as its student) and the lab.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
from pathlib import Path

import pytest

from tests.hubclient import (
    RESET,
    ClassHub,
    Student,
    alive,
    check_all_gone,
    check_hub_gone,
    class_of_two_students,
    first_notebook,
    hub_pids,
    hub_test,
    lab_missing_for,
    start_hub,
    wait_until,
)

pytestmark = pytest.mark.class_hub


@pytest.fixture
def class_of_two():
    with class_of_two_students() as made:
        yield made


#: The notebooks' own way to the lab (bondkit.notebook.open_lab), then a command in a guest.
LAB_CELL = """
import json
from bondkit import notebook as nb
session = nb.open_lab()
lab = session.lab
assert lab is not None, session.message()
print(json.dumps({"directory": str(lab.directory), "pids": lab.pids,
                  "ports": {name: lab.endpoint(name)[1] for name in lab.hosts},
                  "guest_kernel": lab["server"].run("uname -r", check=True).stdout.strip()}))
"""



@hub_test
def test_each_student_gets_a_lab_of_their_own_and_every_lab_is_torn_down(class_of_two):
    students, base = class_of_two
    english, korean = students
    missing = lab_missing_for(english)
    if missing:
        reason = "the lab cannot run for a student: " + "; ".join(what for what, _ in missing)
        if os.environ.get("BONDKIT_REQUIRE_LAB"):
            pytest.fail(reason + " (BONDKIT_REQUIRE_LAB is set)")
        pytest.skip(reason)
    hub = start_hub(students, base, cull_timeout=45, cull_every=5)
    names = tuple(s.name for s in students)
    try:
        for student in students:
            hub.spawn(student.name, keep_alive=names)
        labs = {}
        for student in students:
            out = hub.run_cell(student.name, first_notebook(student), LAB_CELL, keep_alive=names)
            labs[student.name] = json.loads(out.strip().splitlines()[-1])
        a, b = labs[english.name], labs[korean.name]
        for student in students:
            lab = labs[student.name]
            assert lab["directory"] == str(hub.labs_root / student.name / "lab")
            assert lab["guest_kernel"] != os.uname().release, "the command ran in a guest kernel"
            for pid in lab["pids"].values():
                assert alive(pid) and Path(f"/proc/{pid}").stat().st_uid == student.uid
        assert a["directory"] != b["directory"]
        assert not set(a["pids"].values()) & set(b["pids"].values())
        assert not set(a["ports"].values()) & set(b["ports"].values())
        pids = hub_pids(hub)

        # The teacher resets one student's lab; the student's server goes on.
        done = subprocess.run([str(RESET), korean.name], env=hub.env(), capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stderr
        check_lab_gone(labs[korean.name], hub, korean)
        assert hub.server(korean.name) is not None
        # One server stopped by the teacher, the other culled as idle: their labs go with them.
        hub.stop_server(korean.name)
        check_all_gone(hub, korean)
        hub.wait_server_gone(english.name, hub.cull_timeout + 4 * hub.cull_every + 60)
        assert f"Culling server {english.name}" in hub.log_text(), "the idle culler stopped it"
        check_lab_gone(labs[english.name], hub, english)
        check_all_gone(hub, english)
        check_hub_gone(hub, pids)
    finally:
        hub.stop()


def check_lab_gone(lab: dict, hub: ClassHub, student: Student) -> None:
    wait_until(lambda: not any(alive(pid) for pid in lab["pids"].values()), 30,
               f"{student.name}'s guests to end")
    assert not Path(lab["directory"]).exists()
    for port in lab["ports"].values():
        with socket.socket() as probe, pytest.raises(OSError):
            probe.settimeout(2)
            probe.connect(("127.0.0.1", port))


