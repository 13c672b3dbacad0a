"""Bringing the two bonds of a run up, and taking them down again, on lab hosts.

Bonds are brought up by :func:`bondkit.apply.apply`, the path every configuration a student applies
takes (lint, backup, rollback timer, bring-up, verify), from a :class:`~bondkit.spec.BondSpec`; both
hosts at the same time. Taking them down is the run's own business and must be quick: one round trip
that deletes the bond and gives each slave its adapter MAC back.
"""

from __future__ import annotations

import shlex
from concurrent.futures import ThreadPoolExecutor

from bondkit.spec import BondSpec


def configure_host(host, spec: BondSpec) -> None:
    """Bring ``spec`` up on ``host`` through apply (raises ApplyError, host restored, on failure)."""
    from bondkit.apply import apply

    apply(host, spec, on_step=lambda step: None)


def teardown_host(host, spec: BondSpec) -> None:
    """Delete the bond and give each slave its adapter MAC back, in one ``ip -batch``.

    The kernel restores a released slave's own MAC only with fail_over_mac none; after an active or
    follow run the slaves would keep the addresses the bond gave them.
    """
    name = shlex.quote(spec.name)
    lines = [f"link set {shlex.quote(s.name)} address {s.mac}" for s in spec.slaves if s.mac]
    batch = "ip -batch - <<'BONDKIT_EOF'\n" + "\n".join(lines) + "\nBONDKIT_EOF" if lines else "true"
    host.run(f"if [ -e /sys/class/net/{name} ]; then ip link del {name}; fi && {batch}", check=True,
             timeout=30)


def on_hosts(action, pairs: list[tuple[object, BondSpec]]) -> None:
    """Run ``action(host, spec)`` on every host at once; the first failure is raised."""
    with ThreadPoolExecutor(max_workers=max(len(pairs), 1)) as pool:
        for future in [pool.submit(action, host, spec) for host, spec in pairs]:
            future.result()
