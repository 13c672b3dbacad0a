"""Can this machine boot a lab guest? Asked once for real, then remembered.

Having the programs is not enough: a CPU or kernel may still refuse the guest (User-Mode Linux died on
CPUs with AMX; KVM may be there and broken under nested virtualisation). So the answer comes from a real
boot: a guest with no NIC that starts, reports its kernel and powers off. It is remembered per engine,
program, guest kernel, root image, CPU and host kernel, in the user's cache, so it is asked again only
when one of them changes. A failed boot's console stays in a file beside the answer, for the message.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from bondkit.lab import places, processes
from bondkit.lab.engine import Engine, GuestPlan

PROBE_DEADLINE_S = 90.0
READY = "bondkit-guest: probe"


@dataclass(frozen=True)
class ProbeResult:
    ok: bool
    seconds: float
    detail: str  # the guest's own line when it booted, else why not
    console: str  # where the probe guest's console was kept

    def reason(self) -> str | None:
        return None if self.ok else self.detail


def cpu_identity() -> str:
    """The CPU's model and feature flags (what decides whether a guest's FP state fits), and the host's
    kernel."""
    model, flags = "", ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() in ("model name", "CPU part") and not model:
                model = value.strip()
            elif key.strip() in ("flags", "Features") and not flags:
                flags = value.strip()
    except OSError:
        pass
    digest = hashlib.sha256(flags.encode()).hexdigest()[:12]
    return f"{platform.machine()} {model} {digest} {platform.release()}"


def probe_key(engine: Engine) -> str:
    facts = {**engine.describe(), "cpu": cpu_identity()}
    return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()[:16]


def probe_folder(engine: Engine) -> Path:
    base = places.private_folder(places.user_folder())
    return places.private_folder(base / "probes" / f"{engine.name}-{probe_key(engine)}")


def cached(engine: Engine) -> ProbeResult | None:
    try:
        return ProbeResult(**json.loads((probe_folder(engine) / "result.json").read_text()))
    except (OSError, ValueError, TypeError):
        return None


def probe(engine: Engine, *, again: bool = False, deadline: float = PROBE_DEADLINE_S) -> ProbeResult:
    """Boot one guest of ``engine`` (or recall the last answer for this machine)."""
    if not again:
        known = cached(engine)
        if known is not None:
            return known
    folder = probe_folder(engine)
    result = boot_once(engine, folder, deadline)
    (folder / "result.json").write_text(json.dumps(asdict(result)))
    return result


def boot_once(engine: Engine, folder: Path, deadline: float = PROBE_DEADLINE_S) -> ProbeResult:
    console = folder / "console.log"
    console.write_bytes(b"")
    marker = f"bk_dir={folder}"
    guest = GuestPlan(name="probe", directory=folder, marker=marker, memory_mb=80, mgmt=None, data=(),
                      console=console, kernel_args=("bk_probe=1",))
    started = time.monotonic()
    try:
        engine.prepare()
        child = engine.start(guest)
    except Exception as error:  # noqa: BLE001 - whatever stops a boot is the answer
        return ProbeResult(False, 0.0, str(error), str(console))
    try:
        child.wait(timeout=deadline)
    except Exception:  # noqa: BLE001 - subprocess.TimeoutExpired: a guest that never finished
        processes.end_process_group(child.pid, marker)
        child.wait()
        return ProbeResult(False, round(time.monotonic() - started, 2), f"no answer within {deadline:.0f} s",
                           str(console))
    seconds = round(time.monotonic() - started, 2)
    text = console.read_text(errors="replace") + _log(folder)
    for line in text.splitlines():
        if READY in line:
            return ProbeResult(True, seconds, line.split(READY, 1)[1].strip(), str(console))
    return ProbeResult(False, seconds, last_words(text), str(console))


def _log(folder: Path) -> str:
    try:
        return (folder / "engine.log").read_text(errors="replace")
    except OSError:
        return ""


def last_words(text: str) -> str:
    """The console's most telling line: a panic or error if there is one, else its last line."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for word in ("Kernel panic", "panic", "error", "Error", "failed"):
        for line in reversed(lines):
            if word in line:
                return line[-200:]
    return lines[-1][-200:] if lines else "no output"


def forget(engine: Engine) -> None:
    with os.scandir(probe_folder(engine)) as entries:
        for entry in entries:
            if entry.name == "result.json":
                os.unlink(entry.path)
