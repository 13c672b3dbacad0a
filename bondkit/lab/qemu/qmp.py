"""The one thing the lab says to a running QEMU: plug a NIC's cable in or out (QMP ``set_link``).

QEMU's own QMP library does the talking; each call opens the guest's monitor socket, which only the
lab's user can reach (it lives in the guest's private folder), and closes it again.
"""

from __future__ import annotations

from pathlib import Path

from bondkit.errors import LabError


def set_link(socket_path: Path, device: str, up: bool, timeout: float = 5.0) -> None:
    from qemu.qmp.legacy import QEMUMonitorProtocol  # asyncio and all: loaded for a fault only

    monitor = QEMUMonitorProtocol(str(socket_path))
    try:
        monitor.connect()
        monitor.settimeout(timeout)
        reply = monitor.cmd_raw("set_link", {"name": device, "up": up})
    except Exception as error:  # noqa: BLE001 - the library raises errors of its own kinds
        told = str(error) or type(error).__name__
        raise LabError("lab.monitor_failed", device=device, error=told) from error
    finally:
        monitor.close()
    if "error" in reply:
        raise LabError("lab.monitor_failed", device=device, error=reply["error"].get("desc", str(reply)))
