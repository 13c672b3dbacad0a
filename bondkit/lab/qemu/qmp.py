"""The one thing the lab says to a running QEMU: plug a NIC's cable in or out (QMP ``set_link``).

QEMU's own QMP library does the talking; each call opens the guest's monitor socket, which only the
lab's user can reach (it lives in the guest's private folder), and closes it again. The library is
asyncio's, and a notebook's kernel already runs an event loop in its thread, so the exchange runs in
a thread of its own with a loop of its own.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bondkit.errors import LabError


async def _set_link(socket_path: Path, device: str, up: bool) -> None:
    from qemu.qmp import QMPClient  # loaded for a fault only

    client = QMPClient("bondkit")
    await client.connect(str(socket_path))
    try:
        await client.execute("set_link", {"name": device, "up": up})
    finally:
        await client.disconnect()


def set_link(socket_path: Path, device: str, up: bool, timeout: float = 5.0) -> None:
    def talk() -> None:
        asyncio.run(asyncio.wait_for(_set_link(socket_path, device, up), timeout))

    with ThreadPoolExecutor(max_workers=1) as pool:
        try:
            pool.submit(talk).result()
        except Exception as error:  # noqa: BLE001 - the library raises errors of its own kinds
            told = str(error) or type(error).__name__
            raise LabError("lab.monitor_failed", device=device, error=told) from error
