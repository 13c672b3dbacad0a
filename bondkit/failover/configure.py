"""Bringing the two bonds of a run up, and taking them down again, on lab hosts.

This is the one place where a run configures hosts, so that it goes through the same path as any
configuration a student applies: a :class:`~bondkit.spec.BondSpec` rendered by the iproute format.
The commands run as one ``ip -batch`` per host (one fork instead of ten in a UML guest), and both
hosts are configured at the same time.
"""

from __future__ import annotations

import shlex
from concurrent.futures import ThreadPoolExecutor

from bondkit.spec import BondSpec


def _batch(commands: list[str]) -> str:
    """``ip`` commands as one ``ip -batch`` call (each line without its leading ``ip``)."""
    lines = []
    for command in commands:
        words = command.split(" ", 1)
        if words[0] != "ip" or command.startswith("ip -"):
            return " && ".join(commands)  # an option per line cannot go into a batch
        lines.append(words[1])
    return "ip -batch - <<'BONDKIT_EOF'\n" + "\n".join(lines) + "\nBONDKIT_EOF"


def _release(bond: str) -> str:
    name = shlex.quote(bond)
    return f"if [ -e /sys/class/net/{name} ]; then ip link del {name}; fi"


def configure_host(host, spec: BondSpec) -> None:
    """Replace any bond named like ``spec`` on ``host`` with ``spec``, up (raises SSHError on failure)."""
    from bondkit.formats import iproute

    host.run(_release(spec.name) + " && " + _batch(iproute.commands(spec)), check=True, timeout=30)


def teardown_host(host, spec: BondSpec) -> None:
    """Delete the bond and give each slave its adapter MAC back.

    The kernel restores a released slave's own MAC only with fail_over_mac none; after an active or
    follow run the slaves would keep the addresses the bond gave them.
    """
    macs = [f"ip link set {shlex.quote(s.name)} address {s.mac}" for s in spec.slaves if s.mac]
    host.run(_release(spec.name) + (" && " + _batch(macs) if macs else ""), check=True, timeout=30)


def on_hosts(action, pairs: list[tuple[object, BondSpec]]) -> None:
    """Run ``action(host, spec)`` on every host at once; the first failure is raised."""
    with ThreadPoolExecutor(max_workers=max(len(pairs), 1)) as pool:
        for future in [pool.submit(action, host, spec) for host, spec in pairs]:
            future.result()
