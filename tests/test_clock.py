"""Reading a remote clock over SSH, against a real OpenSSH server on this machine (see sshd_fixture.py).

Both ends share one clock here, so the true offset is zero: what a reading returns is its error.
"""

from __future__ import annotations

import time

import pytest

import bondkit.ssh
from bondkit.errors import SSHError
from tests.sshd_fixture import SSHServer, running_sshd, sshd_available

pytestmark = pytest.mark.skipif(sshd_available() is not None, reason=sshd_available() or "")


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory):
    with running_sshd(tmp_path_factory.mktemp("sshd")) as server:
        yield server


def test_a_remote_clock_on_this_machine_reads_within_a_few_milliseconds_of_zero(sshd: SSHServer) -> None:
    with sshd.host() as host:
        offsets = [host.clock_offset(readings=10) for _ in range(3)]
    # A reading is one round trip through sshd to a waiting bash builtin: its error is at most half of
    # the shortest round trip, a few ms even on a loaded machine.
    assert all(abs(offset) < 0.02 for offset in offsets), offsets


def test_a_remote_side_that_never_answers_is_an_ssh_error_within_the_time_allowed(
        sshd: SSHServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bondkit.ssh, "CLOCK_READER", "exec sleep 30")
    with sshd.host() as host:
        began = time.monotonic()
        with pytest.raises(SSHError):
            host.clock_offset(readings=3, timeout=1.5)
        assert time.monotonic() - began < 5
