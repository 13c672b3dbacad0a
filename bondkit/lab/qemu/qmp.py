"""What the lab says to a running QEMU: plug a NIC's cable in or out (QMP ``set_link``), and start or
stop a capture of a NIC's frames (QMP ``object-add`` / ``object-del`` of a ``filter-dump``).

QEMU's own QMP library does the talking; each call opens the guest's monitor socket, which only the
lab's user can reach (it lives in the guest's private folder), sends its commands one after another
and closes it again. The library is asyncio's, and a notebook's kernel already runs an event loop in
its thread, so the exchange runs in a thread of its own with a loop of its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bondkit.errors import LabError

#: One QMP command: its name and arguments.
Command = tuple[str, dict[str, Any]]


async def _execute(socket_path: Path, commands: Sequence[Command], tolerate: frozenset[str]) -> None:
    from qemu.qmp import ExecuteError, QMPClient  # loaded when the lab acts on a guest only

    client = QMPClient("bondkit")
    await client.connect(str(socket_path))
    try:
        for name, arguments in commands:
            try:
                await client.execute(name, arguments)
            except ExecuteError as error:
                if error.error_class not in tolerate:
                    raise
    finally:
        await client.disconnect()


def execute(socket_path: Path, commands: Sequence[Command], *, what: str, timeout: float = 5.0,
            tolerate: frozenset[str] = frozenset()) -> None:
    """Run ``commands`` in order over one connection to the monitor at ``socket_path``, bounded by
    ``timeout`` in all. An error whose QMP class is in ``tolerate`` is passed over; any other one is a
    LabError naming ``what`` was being done."""
    def talk() -> None:
        asyncio.run(asyncio.wait_for(_execute(socket_path, commands, tolerate), timeout))

    with ThreadPoolExecutor(max_workers=1) as pool:
        try:
            pool.submit(talk).result()
        except Exception as error:  # noqa: BLE001 - the library raises errors of its own kinds
            told = str(error) or type(error).__name__
            raise LabError("lab.monitor_failed", device=what, error=told) from error


def set_link(socket_path: Path, device: str, up: bool, timeout: float = 5.0) -> None:
    execute(socket_path, [("set_link", {"name": device, "up": up})], what=device, timeout=timeout)


def dump_id(netdev: str, direction: str) -> str:
    """The QOM id of the capture of ``netdev``'s frames in ``direction`` (``out`` or ``in``)."""
    return f"bk-dump-{netdev}-{direction}"


#: QEMU's netfilter queue for frames the guest's NIC sends (``out``: QEMU hands them *to* the netdev,
#: its ``rx`` queue) and those it receives (``in``: sent *by* the netdev, its ``tx`` queue).
QUEUES = {"out": "rx", "in": "tx"}


def start_dumps(socket_path: Path, dumps: Sequence[tuple[str, str, Path]], timeout: float = 5.0) -> None:
    """Start one ``filter-dump`` per (netdev, direction, pcap file), all over one connection."""
    commands: list[Command] = [
        ("object-add", {"qom-type": "filter-dump", "id": dump_id(netdev, direction), "netdev": netdev,
                        "queue": QUEUES[direction], "file": str(path)})
        for netdev, direction, path in dumps]
    what = ", ".join(sorted({netdev for netdev, _, _ in dumps}))
    execute(socket_path, commands, what=what, timeout=timeout)


def stop_dumps(socket_path: Path, dumps: Sequence[tuple[str, str]], timeout: float = 5.0) -> None:
    """Remove the ``filter-dump`` objects of (netdev, direction); ones that are not there are passed over."""
    commands: list[Command] = [("object-del", {"id": dump_id(netdev, direction)})
                               for netdev, direction in dumps]
    execute(socket_path, commands, what=", ".join(sorted({netdev for netdev, _ in dumps})), timeout=timeout,
            tolerate=frozenset({"GenericError", "DeviceNotFound"}))
