"""Running one failover experiment on the lab: configure, measure, break, restore, collect, tear down.

The tutorial's scenario made measurable: the client pings the server's bond address every 10 ms,
the server's link state is sampled every 20 ms, the server's active slave is broken at a recorded
instant, then restored. Whatever happens (an error, Ctrl-C), the fault is restored, the probes are
stopped by pid, the bonds are removed and the switch profile is put back.

While it runs, the lab captures every frame both hosts' data NICs send and receive (QEMU writes pcap
files beside each guest); the frames join the run on the same time line as the pings (see
:func:`align_frames`). The data switch's forwarding table is read just before the fault and just
before the restore, so a recorded run shows where the switch sent each MAC before and after.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from bondkit.failover.configure import configure_host, on_hosts, teardown_host
from bondkit.failover.params import BOND_NAME, FailoverError, RunParams
from bondkit.failover.probes import parse_samples, ping_command, pings_frame, sampler_command, stop_command
from bondkit.failover.record import SWITCH_COLUMNS, Run
from bondkit.lab.topology import bond_address
from bondkit.observe.wire import FRAME_COLUMNS, read_capture, typed
from bondkit.spec import BondSpec

#: The steps of a run, in order; ``progress(step)`` is called as each one ends.
#: Round trips per guest when reading its clock (the shortest one is kept).
CLOCK_ROUNDS = 10
#: Seconds the probes keep going beyond the measurement's own window, for the fault and restore calls.
CALL_ALLOWANCE_S = 3.0
STAGES = ("configure", "ready", "measure", "fault", "restore", "collect", "teardown")
READY_TRIES = 30  # one-probe pings, each waiting at most 0.3 s, before the bond counts as not working
_SEP = "=====BONDKIT-SEPARATOR====="
UNANSWERED_AT_STOP_S = 0.1
#: fping numbers its probes on the wire from 0 and in its output from 0 too; the pings frame counts
#: from 1 (as ping's icmp_seq): wire sequence number + 1 = the pings frame's ``seq``.
WIRE_SEQ_TO_PING_SEQ = 1

Progress = Callable[[str], Any]


def start_on_first_slave(host, spec: BondSpec) -> None:
    """Make the bond's first slave its active one (bounded), so that every run starts the same way.

    With ARP monitoring the bond takes whichever slave first counts as up, and a backup counts as up
    on any frame, broadcasts included. Behind a VirtualBox-style host-only port (unicast reaches an
    adapter only at its own MAC), a fail_over_mac=none bond that settled on its second slave has the
    first slave's MAC there: it hears every ARP request and no reply, and stays on it for good.
    """
    first = spec.slaves[0].name
    host.run(f"i=0; while [ $i -lt 60 ]; do a=; read -r a < /sys/class/net/{spec.name}/bonding/active_slave; "
             f"[ \"$a\" = {first} ] && break; "
             f"echo {first} > /sys/class/net/{spec.name}/bonding/active_slave 2>/dev/null; "
             f"sleep 0.05; i=$((i + 1)); done", timeout=15)


def _sleep_until(moment: float) -> None:
    delay = moment - time.time()
    if delay > 0:
        time.sleep(delay)


class _Session:
    """The state of one run on the lab, so that cleaning up knows what was started."""

    def __init__(self, lab, params: RunParams) -> None:
        self.lab = lab
        self.params = params
        topo = lab.topology
        self.host_spec = topo.host(params.host)
        self.pinger_spec = topo.host(params.pinger)
        self.addresses = {spec.name: bond_address(spec.index) for spec in (self.host_spec, self.pinger_spec)}
        self.specs: dict[str, BondSpec] = {}
        for spec, peer in ((self.host_spec, self.pinger_spec), (self.pinger_spec, self.host_spec)):
            slaves = [(nic.name, nic.mac) for nic in spec.data]
            self.specs[spec.name] = params.bond_spec(str(self.addresses[spec.name]), slaves,
                                                     str(self.addresses[peer.name].ip))
        self.switch_before: str = lab.switch
        # On each host of the run (a lab guest or a real machine): made with plain ``mkdir -m 700``,
        # which fails if anyone made that name first, never reused.
        self.workdir = f"/tmp/bondkit-run.{os.getpid()}.{os.urandom(8).hex()}"
        self.procs: dict[str, dict[str, tuple[int, str]]] = {}
        self.faulted: str | None = None
        self.ping_line = ""
        self.configured = False
        #: Per host of the run, the pcap files of its running capture by (NIC, direction).
        self.captures: dict[str, dict[tuple[str, str], Any]] = {}
        #: The capture files as QEMU wrote them, by the name they get in a saved run's ``capture/``.
        self.pcaps: dict[str, bytes] = {}

    def host(self, name: str):
        return self.lab[name]

    # -- steps --------------------------------------------------------------------------------------

    def configure(self) -> None:
        if self.lab.switch != self.params.switch:
            self.lab.set_switch(self.params.switch)
        self.configured = True
        pairs = [(self.host(name), spec) for name, spec in self.specs.items()]
        on_hosts(configure_host, pairs)
        on_hosts(start_on_first_slave, pairs)

    def ready(self) -> tuple[str, str]:
        """Wait (bounded) until the pinger reaches the host and both bonds and all their slaves say
        they are up, then read the host's active slave and kernel.

        The kernel updates operstate lazily (linkwatch may take a second), so a run that started at
        the first answered ping would show bond0 or a slave "down" while pings flow; waiting for all
        of them starts every run from a settled bond.
        """
        target = self.addresses[self.host_spec.name].ip
        probe = (f"i=0; while [ $i -lt {READY_TRIES} ]; do "
                 f"if ping -n -q -c 1 -W 0.3 {target} >/dev/null 2>&1; then echo ready; break; fi; "
                 f"i=$((i + 1)); done")
        result = self.host(self.pinger_spec.name).run(probe, timeout=READY_TRIES + 10)
        if "ready" not in result.stdout:
            raise FailoverError("failover.not_ready", where=self.pinger_spec.name, target=str(target))

        def all_up(spec: BondSpec) -> str:
            names = " ".join([BOND_NAME, *spec.slave_names])
            return (f"i=0; while [ $i -lt 60 ]; do n=0; for d in {names}; do s=; "
                    f"read -r s < /sys/class/net/$d/operstate; [ \"$s\" = up ] || n=1; done; "
                    f"[ $n = 0 ] && break; sleep 0.05; i=$((i + 1)); done")

        self.host(self.pinger_spec.name).run(all_up(self.specs[self.pinger_spec.name]), timeout=15)
        out = self.host(self.host_spec.name).run(
            f"{all_up(self.specs[self.host_spec.name])}; a=; "
            f"read -r a < /sys/class/net/{BOND_NAME}/bonding/active_slave; echo \"$a\"; uname -r",
            check=True, timeout=15).stdout.split("\n")
        return out[0].strip(), out[1].strip()

    def start_probes(self) -> float:
        p = self.params
        now = time.time()
        # The fault and restore calls fall inside the measurement, and each starts programs in the
        # guest (a few hundred ms without KVM): the probes' bounds leave room for them.
        span = p.window + CALL_ALLOWANCE_S
        deadline = now + span + 2.0
        samples = int(span * 1000 / p.sample_ms * 1.5) + 20
        period = max(p.sample_ms - 2, 1)  # a sample itself takes one or two milliseconds
        host, pinger = self.host_spec, self.pinger_spec
        slaves = [nic.name for nic in host.data]
        watch = sampler_command(deadline, samples, period, [BOND_NAME, *slaves],
                                str(self.addresses[pinger.name].ip), BOND_NAME, f"{self.workdir}/links")
        listen = sampler_command(deadline, samples, period, [], str(self.addresses[host.name].ip), None,
                                 f"{self.workdir}/links")
        count = int(math.ceil(span * 1000 / max(p.interval_ms - 1, 1))) + 50
        ping = ping_command(str(self.addresses[host.name].ip), p.interval_ms, count,
                            int(math.ceil(span)) + 2, f"{self.workdir}/ping")
        self.ping_line = ping.split(" >")[0]
        started = self.host(host.name).run(f"mkdir -m 700 {self.workdir}; {watch}", check=True).stdout.split()
        self.procs[host.name] = {"bash": (int(started[0]), started[1])}
        started = self.host(pinger.name).run(
            f"mkdir -m 700 {self.workdir}; {listen}; {ping}", check=True).stdout.split()
        self.procs[pinger.name] = {"bash": (int(started[0]), started[1]),
                                   "timeout": (int(started[2]), started[3])}
        return time.time()

    def clock_offsets(self, rounds: int = CLOCK_ROUNDS) -> dict[str, float]:
        """How far each guest's clock is from this machine's, in seconds (see :meth:`Lab.clock_offset`).
        Every guest is read by the same command, so what reading costs on the guest's side biases all
        of them alike and cancels between the client's pings and the server's samples."""
        return {name: self.lab.clock_offset(name, rounds)
                for name in (self.host_spec.name, self.pinger_spec.name)}

    def active_slave(self) -> str:
        """The host bond's active slave now, read just before the fault: the run breaks the slave that
        carries the traffic at that moment, not the one that did when the bond settled."""
        return self.host(self.host_spec.name).run(
            f"a=; read -r a < /sys/class/net/{BOND_NAME}/bonding/active_slave; echo \"$a\"",
            timeout=15).stdout.strip()

    def fault(self, slave: str, offset: float = 0.0) -> tuple[float, float]:
        """Inject the fault; returns when it began and was done, as the guest stamped its commands,
        on this machine's clock (``offset``: the guest's), not the wider span of the call from here."""
        self.faulted = slave
        begun, done = self.lab.fault(self.host_spec.name, slave, self.params.fault)
        return begun - offset, done - offset

    def restore(self) -> tuple[float, float]:
        begun = time.time()
        if self.faulted:
            self.lab.fault(self.host_spec.name, self.faulted, "restore", only=self.params.fault)
            self.faulted = None
        return begun, time.time()

    def start_capture(self) -> None:
        """Capture both hosts' data NICs, both directions (each host's files start together)."""
        for name in (self.host_spec.name, self.pinger_spec.name):
            self.captures[name] = {}  # so that cleaning up stops whatever part of it was started
            self.captures[name] = self.lab.start_capture(name)

    def stop_capture(self) -> pd.DataFrame:
        """Stop the captures, read their files (then removed) into one frame, time in pcap seconds."""
        frames = []
        for name in list(self.captures):
            files = self.captures.pop(name)
            self.lab.stop_capture(name)
            for (nic, direction), path in files.items():
                frames.append(read_capture(path, f"{name}/{nic}", direction))
                self.pcaps[f"{name}-{nic}-{direction}.pcap"] = path.read_bytes()
                path.unlink(missing_ok=True)
        return typed(pd.concat(frames, ignore_index=True)) if frames else empty_frames()

    def switch_table(self, moment: str) -> pd.DataFrame:
        """The lab switch's table now (:meth:`bondkit.lab.Lab.switch_table`), its rows marked ``moment``."""
        table = self.lab.switch_table()
        return table.assign(moment=moment)[list(SWITCH_COLUMNS)]

    def collect(self) -> dict[str, str]:
        """Stop the probes (by pid), read their output and remove the work directory, per host."""
        outputs = {}
        for name in (self.host_spec.name, self.pinger_spec.name):
            procs = self.procs.pop(name, None)
            stop = stop_command(procs) + "; " if procs else ""
            outputs[name] = self.host(name).run(
                f"{stop}cat {self.workdir}/links 2>/dev/null; echo {_SEP}; "
                f"cat {self.workdir}/ping 2>/dev/null; rm -rf {self.workdir}", timeout=30).stdout
        return outputs

    def teardown(self) -> None:
        on_hosts(teardown_host, [(self.host(name), spec) for name, spec in self.specs.items()])
        self.configured = False

    def cleanup(self) -> None:
        """Leave the lab as it was, after an error too: every step is tried even if one fails."""
        steps: list[Callable[[], object]] = [self.restore]
        if self.captures:
            steps.append(self.stop_capture)
        if self.procs:
            steps.append(self.collect)
        if self.configured:
            steps.append(self.teardown)
        steps.append(self.switch_back)
        for step in steps:
            try:
                step()
            except Exception:  # noqa: BLE001 - cleaning up: the first error is the one to report
                pass

    def switch_back(self) -> None:
        if self.lab.switch != self.switch_before:
            self.lab.set_switch(self.switch_before)


def fault_instant(links: pd.DataFrame, slave: str, call_begun: float) -> tuple[float, float]:
    """When the fault took effect, relative to the end of the fault call: (t0, window start).

    The call to the lab takes 20 to 300 ms on a busy machine (a fork in the guest, or on this host for
    silent-drop), and the fault lands somewhere inside it. A fault the guest can see (admin-down,
    carrier-loss) also shows in the link samples as the failed slave leaving ``up``; when that sample
    comes before the call returned, it bounds the instant more tightly: t0 is the first sample showing
    it, and the window starts at the sample before it, or at the call if that is later. (A guest's
    clock may run a few milliseconds off this host's; when the two disagree, the guest's own samples
    win.) Otherwise t0 is the end of the call and the window is the call. Figures shade the window.
    """
    mine = links[links["ifname"] == slave].sort_values("t")
    down = mine[(mine["operstate"] != "up") & (mine["t"] > call_begun - 0.05)]
    if len(down) and float(down["t"].iloc[0]) <= 0:
        first = float(down["t"].iloc[0])
        earlier = mine.loc[mine["t"] < first, "t"]
        previous = float(earlier.max()) if len(earlier) else min(call_begun, first)
        start = max(previous, call_begun)
        return first, start if start <= first else previous
    return 0.0, call_begun


def run_failover(lab=None, params: RunParams | None = None, *, progress: Progress | None = None,
                 keep_bonds: bool = False, restore_switch: bool = True, **changes: Any) -> Run:
    """Run one experiment on ``lab`` (default: the running lab) and return its :class:`Run`.

    ``params`` (or keyword changes to the defaults, e.g. ``fail_over_mac="follow"``) say what to run.
    ``progress(step)`` is called after each of :data:`STAGES`. With ``keep_bonds`` the bonds stay up
    afterwards for a look with ``ip link show`` (the slaves keep whatever MAC the run left them).
    ``restore_switch=False`` leaves the switch profile the run needed (a series of runs on one profile
    then changes it once; the caller puts it back). After an error the switch is always put back.
    """
    if lab is None:
        from bondkit.lab import Lab

        lab = Lab.current()
        if lab is None:
            raise FailoverError("failover.no_lab")
    params = (params or RunParams()).with_(**changes) if changes else (params or RunParams())
    tick = progress or (lambda step: None)
    session = _Session(lab, params)
    times: dict[str, float] = {}
    try:
        session.configure()
        tick("configure")
        active, kernel = session.ready()
        slave = params.slave or active
        if not slave:
            raise FailoverError("failover.no_active", where=params.host)
        tick("ready")
        offsets = session.clock_offsets()
        session.start_capture()
        ping_started = session.start_probes()
        _sleep_until(ping_started + params.pre)
        tick("measure")
        tables = [session.switch_table("before")]
        if not params.slave:  # the bond may have moved since it settled (an ARP monitor on a busy guest)
            slave = session.active_slave() or slave
        times["fault_begun"], times["t0"] = session.fault(slave, offsets[params.host])
        tick("fault")
        _sleep_until(times["t0"] + params.duration)
        tables.append(session.switch_table("after"))
        times["restore_begun"], times["restore_done"] = session.restore()
        _sleep_until(times["restore_done"] + params.after_restore)
        tick("restore")
        times["stopped"] = time.time()
        outputs = session.collect()
        wire = session.stop_capture()
        tick("collect")
        if not keep_bonds:
            session.teardown()
        if restore_switch:
            session.switch_back()
        tick("teardown")
    except BaseException:
        session.cleanup()
        raise
    run = _assemble(session, outputs, times, slave, kernel, offsets, wire)
    run.switch = pd.concat(tables, ignore_index=True)
    run.pcaps = session.pcaps
    run.raw = outputs
    return run


def empty_frames() -> pd.DataFrame:
    return typed(pd.DataFrame(columns=list(FRAME_COLUMNS)))


def align_frames(wire: pd.DataFrame, pings: pd.DataFrame, pinger: str, host: str,
                 addresses: tuple[str, str]) -> tuple[pd.DataFrame, dict[str, dict[str, float]]]:
    """The captured frames with ``t`` on the pings' time line (seconds from the fault), and per host
    how that was found.

    QEMU stamps a captured frame with the whole second at which the capture began plus the guest's
    virtual clock (time since the guest started, which runs with this machine's), so its stamps are
    off by a constant per guest that nothing reports. The echo requests and replies in the capture are
    the pings of the run, whose send times and round trips the pings frame holds: on the pinger an
    echo request leaves at its send time and its reply arrives a round trip later; on the other host
    the request arrives, and the reply leaves, about half a round trip after the send. The median
    difference over all of a guest's echoes is its constant (``offset_s``); ``spread_ms`` is the
    median distance of the single differences from it (how well the two clocks agree; the lab's
    round trips are about a millisecond). A host with no echo in its capture gets no frames.
    """
    by_seq = pings[~pings["lost"]].set_index("seq")
    source, target = addresses
    aligned: list[pd.DataFrame] = []
    report: dict[str, dict[str, float]] = {}
    for name in (pinger, host):
        mine = wire[wire["nic"].str.startswith(f"{name}/")]
        echo = mine[mine["kind"].isin(["icmp-request", "icmp-reply"])
                    & mine["sender_ip"].isin([source, target]) & mine["target_ip"].isin([source, target])]
        seq = echo["icmp_seq"] + WIRE_SEQ_TO_PING_SEQ
        known = seq.isin(by_seq.index)
        echo, seq = echo[known], seq[known]
        sent = by_seq.loc[seq, "t"].to_numpy()
        rtt = by_seq.loc[seq, "rtt_ms"].to_numpy() / 1000
        if name == pinger:
            expected = sent + np.where(echo["kind"].to_numpy() == "icmp-reply", rtt, 0.0)
        else:
            expected = sent + rtt / 2
        differences = echo["t"].to_numpy() - expected
        if not len(differences):
            report[name] = {"matched": 0}
            continue
        offset = float(np.median(differences))
        report[name] = {"offset_s": round(offset, 6), "matched": len(differences),
                        "spread_ms": round(float(np.median(np.abs(differences - offset))) * 1000, 3)}
        aligned.append(mine.assign(t=mine["t"] - offset))
    if not aligned:
        return empty_frames(), report
    return typed(pd.concat(aligned, ignore_index=True).sort_values("t", kind="stable")), report


def kept_frames(frames: pd.DataFrame, host: str) -> pd.DataFrame:
    """What a run keeps of its capture: every frame of the faulted host's NICs, and of the pinger's
    all but the echoes (the same pings, seen from the other end)."""
    echo = frames["kind"].isin(["icmp-request", "icmp-reply"])
    pinger_echo = ~frames["nic"].str.startswith(f"{host}/") & echo
    return frames[~pinger_echo].reset_index(drop=True)


def _assemble(session: _Session, outputs: dict[str, str], times: dict[str, float], slave: str,
              kernel: str, offsets: dict[str, float], wire: pd.DataFrame | None = None) -> Run:
    """The probes' output as a Run, every time relative to the fault instant (each guest's stamps
    brought to this machine's clock by its offset)."""
    params = session.params
    host, pinger, t0 = params.host, params.pinger, times["t0"]
    links_text, _, _ = outputs[host].partition(_SEP)
    neigh_text, _, ping_text = outputs[pinger].partition(_SEP)
    links, neigh_host, link_stats = parse_samples(links_text, host, t0 + offsets[host])
    _, neigh_pinger, _ = parse_samples(neigh_text, pinger, t0 + offsets[pinger])
    pings, ping_stats = pings_frame(ping_text, t0 + offsets[pinger])
    neigh = pd.concat([neigh_pinger, neigh_host], ignore_index=True)
    shift, window_start = fault_instant(links, slave, times["fault_begun"] - t0)
    # Every frame ends a little before the probes were stopped: the last pings had no time to be
    # answered, which is not an outage.
    end = times["stopped"] - t0 - UNANSWERED_AT_STOP_S - shift

    def rebase(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.assign(t=frame["t"] - shift)
        return frame[frame["t"] <= end].reset_index(drop=True)

    addresses = (str(session.addresses[pinger].ip), str(session.addresses[host].ip))
    frames, frames_clock = align_frames(wire if wire is not None else empty_frames(), pings, pinger, host,
                                        addresses)
    frames = kept_frames(frames, host)

    meta = {
        "id": params.run_id(),
        "fail_over_mac": params.fail_over_mac,
        "fault": params.fault,
        "switch": params.switch,
        "miimon": params.effective_miimon,
        "arp_interval": params.arp_interval,
        "kernel": kernel,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(times["t0"])),
        "params": params.to_dict(),
        "failed_slave": slave,
        "addresses": {name: str(address) for name, address in session.addresses.items()},
        "adapters": {spec.name: {nic.name: nic.mac for nic in spec.data}
                     for spec in (session.host_spec, session.pinger_spec)},
        "bond_options": {name: dict(spec.kernel_options()) for name, spec in session.specs.items()},
        "fault_call_ms": round((t0 - times["fault_begun"]) * 1000, 2),
        "fault_window_ms": round((shift - window_start) * 1000, 2),
        "t0_from": "link sample" if shift < 0 else "fault call",
        "restore_t": round(times["restore_begun"] - t0 - shift, 4),
        "restore_call_ms": round((times["restore_done"] - times["restore_begun"]) * 1000, 2),
        "end_t": round(end, 4),
        "ping_command": session.ping_line,
        "ping_interval_ms": round(ping_stats["ping_interval_ms"], 3),
        "sample_period_ms": round(link_stats["period_ms"], 3),
        "link_samples": link_stats["samples"],
        "t0_epoch": round(t0 + shift, 6),
        "clock_offsets_ms": {name: round(value * 1000, 2) for name, value in offsets.items()},
        "frames_clock": frames_clock,
    }
    return Run(meta=meta, pings=rebase(pings), links=rebase(links), neigh=rebase(neigh),
               frames=rebase(frames))
