"""arm64 lab hosts on a machine of another architecture: Debian's arm64 kernel and packages, emulated.

The guests' root is made of Debian's arm64 packages (:mod:`bondkit.lab.foreign`), not of this machine's
programs, and QEMU translates every instruction (no KVM for another architecture): the same tutorial
failover must still work there, on the arm64 bonding driver.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.labutil import BOND_ADDRESSES, active_slave, build_bond, ping_ok, ready_active_slave, wait_for

pytestmark = pytest.mark.lab

#: Emulated guests answer slower than native ones: the waits are longer, still bounded.
SLOW = 20.0


def _arm64_engine():
    """QEMU for arm64 guests, or a skip (a failure under BONDKIT_REQUIRE_LAB) that says why not."""
    from bondkit.lab import unavailable_reason
    from bondkit.lab.qemu import QemuEngine

    engine = QemuEngine("aarch64")
    reason = unavailable_reason(engine, lang="en")
    if reason:
        if os.environ.get("BONDKIT_REQUIRE_LAB"):
            pytest.fail(f"arm64 guests: {reason} (BONDKIT_REQUIRE_LAB is set)")
        pytest.skip(f"arm64 guests: {reason}")
    return engine


def test_arm64_guests_bond_and_fail_over_on_carrier_loss():
    from bondkit.lab import Lab

    engine = _arm64_engine()
    base = Path(tempfile.mkdtemp(prefix="bondkit-arm64-"))
    lab = Lab(directory=base / "lab", engine=engine)
    try:
        lab.up()
        client, server = lab["client"], lab["server"]
        for host in (client, server):
            assert host.run("uname -m", check=True).stdout.strip() == "aarch64"
        build_bond(server, BOND_ADDRESSES["server"])
        build_bond(client, BOND_ADDRESSES["client"])
        assert wait_for(lambda: ping_ok(client, "192.168.99.102", count=1) == 1, timeout=SLOW)
        before = wait_for(lambda: ready_active_slave(server), timeout=SLOW)
        assert before in ("enp0s8", "enp0s9")
        try:
            lab.fault("server", before, "carrier-loss")
            after = wait_for(lambda: (active_slave(server) or before) != before and active_slave(server),
                             timeout=SLOW)
            assert after and after != before
            assert wait_for(lambda: ping_ok(client, "192.168.99.102", count=1) == 1, timeout=SLOW)
            assert ping_ok(client, "192.168.99.102") == 3
        finally:
            lab.fault("server", before, "restore")
    finally:
        lab.down()
        shutil.rmtree(base, ignore_errors=True)
