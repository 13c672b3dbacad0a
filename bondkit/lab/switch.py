"""The lab switch's forwarding table: which MAC address it sends out of which port.

Each lab network is a ``vde_switch`` with a management console on a unix socket in the lab's own
folder (mode 600: only the lab's user can open it). Its ``hash/print`` command lists the table a
learning switch keeps: one line per MAC address with the port it was last seen on and how long ago.
That table is what decides where the pings go after a failover, and a student cannot see it from
inside a guest; here it becomes a frame whose MACs and ports are named after the lab's NICs.
"""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from bondkit.errors import LabError

#: Columns of :func:`parse_table`'s frame: the MAC address, the switch port it is sent to, the VLAN
#: and the seconds since the switch last saw a frame from it on that port.
TABLE_COLUMNS = ("mac", "port", "vlan", "age_s")
#: Columns of a named table (:func:`name_table`): who owns each MAC (``host/nic``, the NIC whose
#: burned-in address it is, or "" for one the lab does not know), which NIC is plugged into its port,
#: and ``via`` = ``"bond"`` when the MAC is seen on another NIC of its owner's host (the bond sends
#: with it there), else ``"nic"``.
NAMED_COLUMNS = ("mac", "owner", "port", "port_nic", "via", "vlan", "age_s")
#: The console's prompt: everything up to it is one answer.
PROMPT = b"vde$ "
#: A line of ``hash/print``, e.g. ``Hash: 0113 Addr: 08:00:27:e9:fa:f3 VLAN 0000 to port: 001  age 3 secs``.
_ENTRY = re.compile(r"Addr:\s*([0-9a-f]{2}(?::[0-9a-f]{2}){5})\s+VLAN\s+(\d+)\s+"
                    r"to port:\s*(\d+)\s+age\s+(\d+)", re.IGNORECASE)
#: The console's status line after a command's output: 1000 is success.
_STATUS = re.compile(rb"^(\d{4}) (.*)$", re.M)
#: Bytes an answer may have: the table of a lab is a few lines; anything beyond is not our switch.
MAX_ANSWER = 1 << 20


def ask(console: Path, command: str, timeout: float = 3.0) -> str:
    """Send one ``command`` to the switch's management console at ``console`` and return its output.

    Bounded in time (``timeout`` for the whole exchange) and in size. The console must be a socket in
    a lab folder: it is named by the lab, never by the user, so no other socket is ever opened.
    """
    deadline = time.monotonic() + timeout
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(timeout)
            conn.connect(str(console))
            _read_until_prompt(conn, deadline)  # the banner
            conn.sendall(command.encode() + b"\n")
            answer = _read_until_prompt(conn, deadline)
    except OSError as error:
        told = str(error) or type(error).__name__
        raise LabError("lab.switch_console", console=str(console), error=told) from None
    status = _STATUS.findall(answer)
    if not status or status[-1][0] != b"1000":
        told = status[-1][1].decode(errors="replace") if status else answer[-200:].decode(errors="replace")
        raise LabError("lab.switch_console", console=str(console), error=told.strip())
    # The output sits between "0000 DATA END WITH '.'" and a line with a single dot.
    body = answer.split(b"\n.\n")[0].partition(b"0000 DATA END WITH '.'\n")[2]
    return body.decode(errors="replace")


def _read_until_prompt(conn: socket.socket, deadline: float) -> bytes:
    data = b""
    while not data.endswith(PROMPT):
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no prompt from the switch in time")
        conn.settimeout(left)
        chunk = conn.recv(65536)
        if not chunk:
            raise ConnectionError("the switch closed its console")
        data += chunk
        if len(data) > MAX_ANSWER:
            raise ConnectionError("the switch's answer is too long")
    return data


def parse_table(text: str) -> pd.DataFrame:
    """``hash/print``'s output as a frame with :data:`TABLE_COLUMNS`, sorted by port then MAC."""
    rows = [{"mac": mac.lower(), "port": int(port), "vlan": int(vlan), "age_s": int(age)}
            for mac, vlan, port, age in _ENTRY.findall(text)]
    frame = pd.DataFrame(rows, columns=list(TABLE_COLUMNS))
    frame = frame.astype({"mac": "object", "port": "int64", "vlan": "int64", "age_s": "int64"})
    return frame.sort_values(["port", "mac"]).reset_index(drop=True)


def name_table(table: pd.DataFrame, owners: Mapping[str, str], ports: Mapping[int, str]) -> pd.DataFrame:
    """``table`` with its MACs and ports named (:data:`NAMED_COLUMNS`).

    ``owners`` maps a MAC to the ``host/nic`` whose own address it is; ``ports`` maps a switch port
    to the ``host/nic`` plugged into it. A MAC seen on the port of another NIC of the same host is
    there because that host's bond sends with it (``fail_over_mac=none`` after a failover, or
    ``follow``): ``via`` says ``bond``.
    """
    named = table.copy()
    named["owner"] = [owners.get(mac, "") for mac in named["mac"]]
    named["port_nic"] = [ports.get(int(port), "") for port in named["port"]]

    def via(owner: str, port_nic: str) -> str:
        if owner and port_nic and owner != port_nic and owner.split("/")[0] == port_nic.split("/")[0]:
            return "bond"
        return "nic"

    pairs = zip(named["owner"], named["port_nic"], strict=True)
    named["via"] = [via(owner, port_nic) for owner, port_nic in pairs]
    return named[list(NAMED_COLUMNS)].reset_index(drop=True)
