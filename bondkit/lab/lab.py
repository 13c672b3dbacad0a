"""The embedded lab: VMs with the real Linux bonding driver, in a few verbs (up, host, fault, down).

Each lab host is a virtual machine that the lab's engine (:mod:`bondkit.lab.engine`; QEMU) boots from
the lab's root image (:mod:`bondkit.lab.rootfs`) under a throw-away overlay of its own. Its NICs are
plugged into VDE switches, unprivileged processes
that talk over unix sockets in the lab's folder: ``vboxnet0`` for the data NICs and a management switch
whose only other port is a slirp plug in restricted mode, which listens on 127.0.0.1 alone and carries
SSH to each guest (the guests get no way out through it). Guests run sshd and are reached with
bondkit's SSH, the same code that reaches real hosts. Nothing here needs root or a namespace of the
host, so a lab runs for an ordinary user and inside a default container; every process runs under
Landlock (:mod:`bondkit.lab.confine` says what that covers). One lab runs per lab folder; its state file
lets another process (the CLI, a notebook) attach to it or tear it down, and lets the next ``up`` clean
up after a controller that was killed.

Everything a lab makes (keys, state, sockets, the guests' overlays, OpenSSH's control sockets) lies in
its folder, which is the user's own and closed to everyone else (:func:`bondkit.lab.places.lab_folder`):
a folder that fails that check is refused, and nothing in it is read, ended or removed.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import threading
import time
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bondkit.errors import LabError
from bondkit.lab import places
from bondkit.lab import processes as machine
from bondkit.lab.engine import DEFAULT_MEMORY_MB, Engine, GuestPlan, NicPlan, choose_engine
from bondkit.lab.needs import missing_pieces
from bondkit.lab.topology import SWITCH_PROFILES, HostSpec, Nic, Topology, tutorial_topology

if TYPE_CHECKING:
    import pandas as pd

    from bondkit.ssh import Host

FAULTS = ("admin-down", "carrier-loss", "silent-drop", "unicast-drop", "restore")
#: What each fault that acts on the switch port makes of it (see guestfs/wire.sh).
PORT_STATES = {"silent-drop": "blocked", "unicast-drop": "unicast-blocked"}
BOOT_DEADLINE_S = 60.0
GUESTS = "guests"  # in the lab directory: one directory of files per guest
NET = "net"  # in the lab directory: the switches' sockets and the plug's log
MGMT_SWITCH = "mgmt"
CONTROL = "ssh"  # in the lab directory: OpenSSH's control sockets, one per guest, named by its number
STATE_FILE = "state.json"  # in the lab directory: what another process needs to attach or to clean up
CONSOLE_LOG = ".console.log"  # after a guest's name, in the lab directory
#: What a guest's init prints on its console once its sshd runs (see guestfs/init.sh).
READY = b"bondkit-guest: ready"
#: What each guest is handed at boot, read-only (see guestfs/init.sh): its settings and keys.
GUEST_SETTINGS = "guest.sh"


def _per_user_directory() -> Path:
    return places.runtime_folder() / "lab"


def default_directory() -> Path:
    """Where the running lab keeps its state; one per user, in a folder of theirs that nobody else can
    make first (``$XDG_RUNTIME_DIR/bondkit/lab``, else ``~/.cache/bondkit/lab``; ``BONDKIT_LAB_DIR``
    chooses another)."""
    base = os.environ.get("BONDKIT_LAB_DIR")
    return Path(base) if base else _per_user_directory()


class Lab:
    """A running (or startable) lab.

    ``with Lab() as lab:`` starts it and always tears it down; ``Lab(keep=True).up()`` leaves it running
    for later ``Lab.current()`` / ``bondkit lab down``.
    """

    def __init__(
        self,
        topology: Topology | None = None,
        *,
        switch: str = "learning",
        directory: Path | None = None,
        keep: bool = False,
        memory_mb: int = DEFAULT_MEMORY_MB,
        engine: Engine | None = None,
    ) -> None:
        _check_switch(switch)
        self._engine = engine
        self.topology = topology or tutorial_topology()
        self.switch = switch
        self.directory = Path(directory) if directory else default_directory()
        self.keep = keep
        self.memory_mb = memory_mb
        self.ports: dict[str, int] = {}
        self.pids: dict[str, int] = {}
        #: The lab's other processes by role: one VDE switch per network and the slirp plug.
        self.helper_pids: dict[str, int] = {}
        self.faults: dict[str, str] = {}
        self._children: list[subprocess.Popen[bytes]] = []
        self._hosts: dict[str, Host] = {}
        self._lock = threading.Lock()
        self._running = False

    # ---- files -------------------------------------------------------------------------------------

    @property
    def state_file(self) -> Path:
        return self.directory / STATE_FILE

    @property
    def key_file(self) -> Path:
        """The lab's admin key (root on every guest)."""
        return self.directory / "id_ed25519"

    @property
    def known_hosts(self) -> Path:
        """Pins every guest's host key for ``[127.0.0.1]:port``: bondkit never accepts an unknown key."""
        return self.directory / "known_hosts"

    @property
    def net_dir(self) -> Path:
        """The switches' sockets: only processes of this lab, which know the folder, can plug in."""
        return self.directory / NET

    def switch_socket(self, network: str) -> Path:
        return self.net_dir / network

    def console_log(self, name: str) -> Path:
        """What guest ``name``'s kernel printed while booting (shown when it does not come up)."""
        return self.directory / f"{name}{CONSOLE_LOG}"

    def guest_dir(self, name: str) -> Path:
        return guest_dir(self.directory, name)

    def marker(self, name: str) -> str:
        """A string only this lab's guest ``name`` has on its command line."""
        return guest_marker(self.directory, name)

    @property
    def engine(self) -> Engine:
        """What runs the guests (chosen for this machine when the lab was made without one)."""
        if self._engine is None:
            self._engine = choose_engine()
        return self._engine

    def plan(self, name: str) -> GuestPlan:
        """What the engine is told about guest ``name``: its folder, NICs, files and console."""
        spec = self.topology.host(name)
        gdir = self.guest_dir(name)
        data = self.switch_socket(self.topology.switch)
        return GuestPlan(
            name=name, directory=gdir, marker=self.marker(name), memory_mb=self.memory_mb,
            mgmt=NicPlan(spec.mgmt.mac, self.switch_socket(MGMT_SWITCH)),
            data=tuple(NicPlan(nic.mac, data, self.data_port(name, nic.name)) for nic in spec.data),
            files={GUEST_SETTINGS: gdir / GUEST_SETTINGS},
            console=self.console_log(name),
        )

    # ---- lifecycle ---------------------------------------------------------------------------------

    def __enter__(self) -> Lab:
        return self.up()

    def __exit__(self, *exc: object) -> None:
        self.down()

    def up(self) -> Lab:
        """Boot every host and return when each answers over SSH with its pinned key."""
        missing = missing_pieces(self.engine)
        if missing:
            raise LabError("lab.missing", pieces="\n".join(f"  - {what}: {how}" for what, how in missing))
        _check_directory(self.directory)
        places.lab_folder(self.directory)
        clear_stale_lab(self.directory)
        try:
            self.engine.prepare()
            self._prepare_files()
            with machine.confined_within(self.directory):
                self._start_switches()
                self._start_guests()
                self._start_ssh_plug()
            self._running = True
            self._save_state()
            if not self.keep:
                atexit.register(self.down)
            self._wait_until_reachable()
        except BaseException:
            self.down(keep_consoles=True)  # what the guests printed stays, for the message's pointer
            raise
        return self

    def down(self, *, keep_consoles: bool = False) -> None:
        """Remove every process, socket and file of this lab; safe to call twice. ``keep_consoles``
        leaves the guests' console files (a failed ``up`` points at them); the next ``up`` or
        ``down`` removes them."""
        with self._lock:
            for host in self._hosts.values():
                host.close()
            self._hosts.clear()
            self._close_shared_connections()
            for name, pid in self.pids.items():
                machine.end_process_group(pid, self.marker(name))
            for pid in self.helper_pids.values():  # each names a file of this lab on its command line
                machine.end_process_group(pid, f"{self.directory}/")
            for child in self._children:
                try:
                    child.wait(timeout=2)
                except subprocess.TimeoutExpired:
                    pass
            self._children.clear()
            self.pids.clear()
            self.helper_pids.clear()
            self._remove_files(keep_consoles)
            self._running = False

    def _remove_files(self, keep_consoles: bool = False) -> None:
        """Remove what the lab wrote in its directory, then the directory if that left it empty: a
        directory chosen with ``BONDKIT_LAB_DIR`` keeps whatever else it holds. Only from a folder that
        passes the lab folder's checks (see :mod:`bondkit.lab.places`): else nothing is removed."""
        if places.existing_lab_folder(self.directory) is None:
            return
        for folder in (self.directory / GUESTS, self.net_dir, self.control_dir):
            if os.path.lexists(folder):
                places.check_private(folder)
                shutil.rmtree(folder, ignore_errors=True)
        written = [self.state_file, self.state_file.with_suffix(".tmp"), self.key_file, self.known_hosts,
                   self.key_file.with_suffix(".pub"),
                   *([] if keep_consoles else self.directory.glob(f"*{CONSOLE_LOG}"))]
        for path in written:
            path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            self.directory.rmdir()

    @classmethod
    def current(cls, directory: Path | None = None) -> Lab | None:
        """The lab that is running for this user (started by any process), or None."""
        directory = Path(directory) if directory else default_directory()
        state = read_state(directory)
        if not state or not state_is_live(state, directory):
            return None
        lab = cls.from_state(state, directory)
        lab._running = True
        return lab

    @classmethod
    def from_state(cls, state: dict, directory: Path) -> Lab:
        """The lab a state file describes (processes, ports, faults), to attach to it or to tear it down."""
        lab = cls(topology_from_state(state), switch=state.get("switch", "learning"), directory=directory,
                  keep=True)
        lab.ports = {k: int(v) for k, v in state.get("ports", {}).items()}
        lab.pids = {k: int(v) for k, v in state.get("pids", {}).items()}
        lab.helper_pids = {k: int(v) for k, v in state.get("helper_pids", {}).items()}
        lab.faults = dict(state.get("faults", {}))
        return lab

    # ---- reaching hosts ----------------------------------------------------------------------------

    @property
    def hosts(self) -> list[str]:
        return self.topology.names

    def endpoint(self, name: str) -> tuple[str, int]:
        """Where ``name``'s sshd is reached from this machine: always 127.0.0.1."""
        self.topology.host(name)
        return "127.0.0.1", self.ports[name]

    def host(self, name: str) -> Host:
        """An SSH connection as root to lab host ``name`` (opened once, reused)."""
        from bondkit.ssh import Host  # paramiko: only for the processes that talk to hosts from Python

        self._require_running()
        with self._lock:
            if name not in self._hosts:
                address, port = self.endpoint(name)
                self._hosts[name] = Host(address, port, user="root", key_file=self.key_file,
                                         known_hosts=self.known_hosts, name=name, connect_deadline=10,
                                         persistent_shell=True)
            return self._hosts[name]

    __getitem__ = host

    @property
    def control_dir(self) -> Path:
        """OpenSSH's control sockets, inside the lab's own folder (nobody else can reach or plant one)."""
        return self.directory / CONTROL

    def control_socket(self, name: str) -> Path:
        """Where OpenSSH keeps its shared connection to ``name`` for the command line's ``lab ssh``: named
        by the guest's number, because a unix socket's path has at most 107 bytes and ssh adds 17 while
        it makes one (80 for the lab folder, 5 for ``/ssh/``, 1 or 2 here)."""
        return self.control_dir / str(self.topology.host(name).index)

    def ssh_command(self, name: str, *command: str) -> list[str]:
        """OpenSSH to lab host ``name`` as root, with the lab's key and pinned host key. The first call
        opens a connection that later ones share (a guest needs a while for each new login), so a
        student's ``bondkit lab ssh HOST -- CMD`` answers at terminal speed; ``down`` closes it."""
        address, port = self.endpoint(name)
        return ["ssh", "-i", str(self.key_file), "-o", f"UserKnownHostsFile={self.known_hosts}",
                "-o", "StrictHostKeyChecking=yes", "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
                "-o", f"ControlPath={self.control_socket(name)}", "-o", "ControlMaster=auto",
                "-o", "ControlPersist=600", "-o", "LogLevel=ERROR", "-p", str(port), f"root@{address}",
                *command]

    def _close_shared_connections(self) -> None:
        for name in self.hosts:
            socket_path = self.control_socket(name)
            if socket_path.exists():
                with contextlib.suppress(OSError, subprocess.TimeoutExpired):
                    subprocess.run(["ssh", "-o", f"ControlPath={socket_path}", "-O", "exit", "lab"],
                                   capture_output=True, timeout=3)

    def status(self) -> dict[str, Any]:
        return {
            "running": self._running,
            "directory": str(self.directory),
            "switch": self.switch,
            "hosts": {name: {"ssh": f"root@127.0.0.1 -p {self.ports.get(name)}", "pid": self.pids.get(name)}
                      for name in self.hosts},
            "faults": dict(self.faults),
        }

    # ---- faults and switch -------------------------------------------------------------------------

    def fault(self, host: str, iface: str, kind: str, *, only: str | None = None) -> tuple[float, float]:
        """Break (or ``restore``) data NIC ``iface`` of ``host`` the way ``kind`` says.

        admin-down: ``ip link set DEV down`` in the guest, as in the tutorial. carrier-loss: the cable
        is pulled (the engine drops the virtual NIC's carrier), the guest's driver sees it go down
        (miimon notices). silent-drop: the switch port
        stops forwarding while the carrier stays up (only ARP monitoring notices). unicast-drop: the
        port still passes broadcast and multicast but no unicast, so the peer's ARP requests keep
        arriving while its replies do not (a plain ARP monitor is fooled; ``arp_validate`` is not).

        ``restore`` undoes every kind of fault, or with ``only`` just that one (each undo starts a
        program in the guest: a run that knows its fault restores it faster).

        Returns when, on the guest's own clock, the fault began and was done: the guest stamps the
        commands itself, so the instant is known to the commands' own run time rather than to a whole
        SSH round trip.
        """
        if kind not in FAULTS:
            raise LabError("lab.bad_fault", fault=kind, choices=", ".join(FAULTS))
        spec = self.topology.host(host)
        index = data_index(spec, iface)
        target = self.host(host)
        key = f"{host}/{iface}"
        restoring = kind == "restore"

        def acts_on(*faults: str) -> bool:
            return kind in faults or restoring and (only is None or only in faults)

        if kind == "carrier-loss" or restoring and only == "carrier-loss":
            return self._pull_cable(host, index, key, restoring)
        if restoring and only is None:  # every kind: the cable too, before the guest's own undoing
            self.engine.set_carrier(self.plan(host), index, True)
        commands, prepared = [], ""
        if acts_on("admin-down"):
            commands.append(f"ip link set dev {iface} {'up' if restoring else 'down'}")
        if acts_on(*PORT_STATES):
            port = PORT_STATES.get(kind, "forwarding")
            # The port's new filters are worked out before the first stamp: only tc runs between them.
            prepared = f"batch=$({_port_batch(spec.data[index - 1], self.switch, port)}); "
            commands.append('{ tc -force -batch - <<< "$batch" 2>/dev/null; true; }')
        stamped = (prepared + 'b=$EPOCHREALTIME; ' + " && ".join(commands)
                   + '; s=$?; a=$EPOCHREALTIME; echo "$b $a"; exit $s')
        out = target.run(f"bash -c {shlex.quote(stamped)}", check=True).stdout.split()
        self._note_fault(key, kind)
        return float(out[-2]), float(out[-1])

    def _pull_cable(self, host: str, index: int, key: str, restoring: bool) -> tuple[float, float]:
        """Carrier loss is done from outside the guest (the engine unplugs the NIC's cable), so its
        instants are this machine's, put on the guest's clock by the guest's offset read just before."""
        offset = self.clock_offset(host)
        begun = time.time()
        self.engine.set_carrier(self.plan(host), index, restoring)
        done = time.time()
        self._note_fault(key, "restore" if restoring else "carrier-loss")
        return begun + offset, done + offset

    def clock_offset(self, host: str, rounds: int = 10) -> float:
        """How far ``host``'s clock is ahead of this machine's, in seconds.

        A guest's clock is set at boot from its virtual machine's clock (whole seconds) and then keeps
        its own time, so the guests of one lab need not agree with this machine or with each other.
        Read as :meth:`bondkit.ssh.Host.clock_offset` does: ``rounds`` readings, the shortest kept.
        """
        return self.host(host).clock_offset(rounds)

    def _note_fault(self, key: str, kind: str) -> None:
        if kind == "restore":
            self.faults.pop(key, None)
        else:
            self.faults[key] = kind
        self._save_state()

    def set_switch(self, profile: str) -> None:
        """Change how every data port delivers unicast (``learning`` or ``vbox-hostonly``)."""
        _check_switch(profile)
        for spec in self.topology.hosts:
            script = "; ".join(
                _rewire(nic, profile, PORT_STATES.get(self.faults.get(f"{spec.name}/{nic.name}", ""),
                                                      "forwarding"))
                for nic in spec.data
            )
            self.host(spec.name).run(script, check=True)
        self.switch = profile
        self._save_state()

    def data_port(self, host: str, iface: str) -> int:
        """The data switch's port that ``host``'s NIC ``iface`` is plugged into: fixed by the topology
        (hosts in order, their data NICs in order, from 1), so that the switch's table can be read."""
        port = 0
        for spec in self.topology.hosts:
            for nic in spec.data:
                port += 1
                if (spec.name, nic.name) == (host, iface):
                    return port
        self.topology.host(host).nic(iface)  # names what is wrong
        raise LabError("lab.not_data_nic", host=host, nic=iface,
                       nics=", ".join(n.name for n in self.topology.host(host).data))

    def switch_table(self, network: str | None = None) -> pd.DataFrame:
        """The forwarding table of the data switch (or of ``network``), named after the lab's NICs:
        columns as :data:`bondkit.lab.switch.NAMED_COLUMNS` (mac, owner, port, port_nic, via, vlan,
        age_s)."""
        from bondkit.lab import switch

        self._require_running()
        network = network or self.topology.switch
        if network not in (self.topology.switch, MGMT_SWITCH):
            raise LabError("lab.unknown_network", network=network,
                           networks=", ".join((self.topology.switch, MGMT_SWITCH)))
        table = switch.parse_table(switch.ask(self.net_dir / f"{network}.mgmt", "hash/print"))
        owners = {nic.mac: f"{spec.name}/{nic.name}" for spec in self.topology.hosts
                  for nic in (spec.mgmt, *spec.data)}
        ports = ({self.data_port(spec.name, nic.name): f"{spec.name}/{nic.name}"
                  for spec in self.topology.hosts for nic in spec.data}
                 if network == self.topology.switch else {})
        return switch.name_table(table, owners, ports)

    def start_capture(self, host: str) -> dict[tuple[str, str], Path]:
        """Capture every frame ``host``'s data NICs send and receive (see
        :meth:`bondkit.lab.engine.Engine.start_capture`); returns the pcap file of each (NIC name,
        ``out``/``in``), in the guest's folder, replaced if there."""
        spec = self.topology.host(host)
        files = {(nic.name, direction): self.guest_dir(host) / f"capture-{nic.name}-{direction}.pcap"
                 for nic in spec.data for direction in ("out", "in")}
        for path in files.values():
            path.unlink(missing_ok=True)
        self.engine.start_capture(self.plan(host), {(data_index(spec, nic), direction): path
                                                    for (nic, direction), path in files.items()})
        return files

    def stop_capture(self, host: str) -> None:
        spec = self.topology.host(host)
        self.engine.stop_capture(self.plan(host), [(i, direction) for i in range(1, len(spec.data) + 1)
                                                   for direction in ("out", "in")])

    # ---- internals ---------------------------------------------------------------------------------

    def _require_running(self) -> None:
        if not self._running:
            raise LabError("lab.not_running")

    def _prepare_files(self) -> None:
        places.lab_folder(self.directory)
        for folder in (self.net_dir, self.control_dir, self.directory / GUESTS):
            places.lab_subfolder(folder)
        _ssh_keygen(self.key_file, comment="bondkit-lab-admin")
        for spec in self.topology.hosts:
            gdir = places.lab_subfolder(self.guest_dir(spec.name))
            _ssh_keygen(gdir / "ssh_host_ed25519_key", comment=f"bondkit-lab-{spec.name}")
            settings = {
                "BK_HOSTNAME": spec.name, "BK_MGMT_NIC": spec.mgmt.name, "BK_MGMT_MAC": spec.mgmt.mac,
                "BK_MGMT_ADDR": str(spec.mgmt_address), "BK_SWITCH": self.switch,
                "BK_DATA_NICS": " ".join(f"{nic.name}={nic.mac}" for nic in spec.data),
                "BK_AUTHORIZED_KEY": self.key_file.with_suffix(".pub").read_text().strip(),
                "BK_HOST_KEY": (gdir / "ssh_host_ed25519_key").read_text().strip(),
            }
            # Read by the guest's init with the shell's own ``.``: one file, no program started.
            (gdir / GUEST_SETTINGS).write_text("".join(f"{key}={shlex.quote(value)}\n"
                                                       for key, value in settings.items()))

    def _start_switches(self) -> None:
        """One VDE switch per network: a learning switch, as the one behind a host-only adapter.

        Against flapping, VDE keeps a MAC address on its port while it was seen there less than
        "min persistence" whole seconds ago, and every sighting renews that. A failover is exactly a
        MAC moving port while the pings still arrive for it: with the guard at its default (3 s), or
        even at 0 (it compares whole seconds with ``>``), the switch kept sending the pings to the dead
        port for seconds. -1 lets a MAC move with its first frame on the new port, as a real switch
        relearns.
        """
        rc_file = self.net_dir / "switch.rc"
        rc_file.write_text("hash/setminper -1\n")
        started = []
        for network in (MGMT_SWITCH, self.topology.switch):
            pidfile = self.net_dir / f"{network}.pid"
            started.append((network, pidfile, machine.start_confined(
                ["vde_switch", "--daemon", "--pidfile", str(pidfile), "--rcfile", str(rc_file),
                 "--sock", str(self.switch_socket(network)), "--mode", "600", "--dirmode", "700",
                 "--mgmt", str(self.net_dir / f"{network}.mgmt"), "--mgmtmode", "600"],
                [self.net_dir], self.net_dir / "switches.log")))
        for network, pidfile, child in started:
            child.wait(timeout=10)
            self.helper_pids[network] = _read_pid(pidfile, self.switch_socket(network) / "ctl")

    def _start_guests(self) -> None:
        for spec in self.topology.hosts:
            self.console_log(spec.name).write_bytes(b"")
            child = self.engine.start(self.plan(spec.name))
            self._children.append(child)
            self.pids[spec.name] = child.pid

    def _start_ssh_plug(self) -> None:
        """The management switch's port to this machine: slirp, restricted (the guests can open no
        connection through it), IPv4 only, forwarding one port on 127.0.0.1 to each guest's sshd.

        A port is chosen free, then bound by the plug: another user may take it in between. So each
        port counts only once the plug itself listens on it (its own socket, seen in /proc), else the
        plug starts again on other ports; the plug may bind those ports and no other."""
        for _attempt in range(5):
            ports = {spec.name: _free_port() for spec in self.topology.hosts}
            forwards = ",".join(f"127.0.0.1:{ports[spec.name]}:{spec.mgmt_address.ip}:22"
                                for spec in self.topology.hosts)
            child = machine.start_confined(
                ["vde_plug", f"vde://{self.switch_socket(MGMT_SWITCH)}",
                 f"slirp:///v4/restricted/disable_host_loopback/tcpfwd={forwards}"],
                [self.net_dir], self.net_dir / "plug.log", ports=sorted(ports.values()))
            self._children.append(child)
            self.helper_pids["ssh"] = child.pid
            if all(_wait_listening(port, child) and listens(child.pid, port) for port in ports.values()):
                self.ports = ports
                break
            machine.end_process_group(child.pid, str(self.net_dir))
        else:
            raise LabError("lab.plug_failed", log=_tail(self.net_dir / "plug.log"))
        with open(self.known_hosts, "w") as pins:
            for spec in self.topology.hosts:
                key = (self.guest_dir(spec.name) / "ssh_host_ed25519_key.pub").read_text().split()
                pins.write(f"[127.0.0.1]:{self.ports[spec.name]} {key[0]} {key[1]}\n")

    def _wait_until_reachable(self) -> None:
        """Wait for each guest's init to say its sshd runs, then for the banner (bounded in time), then
        log in to every guest at once with the pinned key. Each login stays open as the connection that
        ``lab ssh`` shares. The console is read first because every knock on sshd costs the guest a
        process of its own while it is still busy booting."""
        deadline = time.monotonic() + BOOT_DEADLINE_S
        for name in self.hosts:
            while not (_said_ready(self.console_log(name)) and _sshd_answers(self.ports[name])):
                if not machine.process_matches(self.pids[name], self.marker(name)):
                    raise LabError("lab.guest_died", host=name, line=self._last_words(name),
                                   console=str(self.console_log(name)))
                if time.monotonic() > deadline:
                    raise LabError("lab.boot_timeout", host=name, seconds=int(BOOT_DEADLINE_S),
                                   line=self._last_words(name), console=str(self.console_log(name)))
                time.sleep(0.05)
        self._open_shared_connections()
        self._save_state()

    def _last_words(self, name: str) -> str:
        """The most telling line of what guest ``name`` and its engine printed (the console itself
        stays in its file: a kernel's stack dump is no message for a student)."""
        from bondkit.lab.probe import last_words

        return last_words(_tail(self.guest_dir(name) / "engine.log", 40) + "\n"
                          + _tail(self.console_log(name), 40))

    def _open_shared_connections(self) -> None:
        """OpenSSH logs in (``-f`` returns once it has) and stays as the master of its control socket;
        its pid is recorded with the lab's other processes, so ``down`` and a later clean-up end it."""
        logins = {}
        for name in self.hosts:
            argv = self.ssh_command(name)
            argv[1:1] = ["-f", "-N", "-o", "ControlMaster=yes", "-o", "ControlPersist=yes"]
            logins[name] = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                            stderr=subprocess.PIPE)
        for name, login in logins.items():
            try:
                _, error = login.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                login.kill()
                error = b"timed out"
            if login.returncode != 0:
                raise LabError("lab.login_failed", host=name, error=error.decode(errors="replace").strip())
            check = subprocess.run(["ssh", "-o", f"ControlPath={self.control_socket(name)}", "-O", "check",
                                    "lab"], capture_output=True, text=True, timeout=5)
            match = re.search(r"pid=(\d+)", check.stderr + check.stdout)
            if match:
                self.helper_pids[f"ssh-{name}"] = int(match.group(1))

    def _save_state(self) -> None:
        state = {
            "version": 2,
            "owner_pid": None if self.keep else os.getpid(),
            "switch": self.switch,
            "topology": [asdict(spec) for spec in self.topology.hosts],
            "ports": self.ports,
            "pids": self.pids,
            "helper_pids": self.helper_pids,
            "faults": self.faults,
            "engine": self.engine.name,
            "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=2))
        tmp.replace(self.state_file)


def _check_switch(profile: str) -> None:
    if profile not in SWITCH_PROFILES:
        raise LabError("lab.bad_switch", switch=profile, choices=", ".join(SWITCH_PROFILES))


def _check_directory(directory: Path) -> None:
    """The folder's path goes on the guests' kernel command lines and into unix socket addresses
    (at most 108 bytes): no blanks, and short enough."""
    text = str(directory.absolute())
    if any(ch.isspace() or ch == "," for ch in text) or len(text) > 80:
        raise LabError("lab.bad_directory", directory=text)


def _port_batch(nic: Nic, profile: str, port: str) -> str:
    """The guest command that prints, for ``tc -batch``, how data NIC ``nic`` meets its switch port
    (see guestfs/wire.sh)."""
    return f"sh /etc/bondkit/wire.sh {nic.name} {nic.mac} {profile} {port}"


def _rewire(nic: Nic, profile: str, port: str) -> str:
    """The guest command that sets how data NIC ``nic`` meets its switch port."""
    return f"{_port_batch(nic, profile, port)} | tc -force -batch - 2>/dev/null; true"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def listens(pid: int, port: int) -> bool:
    """True when process ``pid`` itself holds the socket listening on 127.0.0.1:``port`` (and not some
    other process that took the port first)."""
    wanted = (f"0100007F:{port:04X}", f"7F000001:{port:04X}")  # little- and big-endian
    inodes = set()
    try:
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            fields = line.split()
            if len(fields) > 9 and fields[1] in wanted and fields[3] == "0A":  # 0A: LISTEN
                inodes.add(f"socket:[{fields[9]}]")
        if not inodes:
            return False
        for fd in os.listdir(f"/proc/{pid}/fd"):
            with contextlib.suppress(OSError):
                if os.readlink(f"/proc/{pid}/fd/{fd}") in inodes:
                    return True
    except OSError:
        return False
    return False


def _wait_listening(port: int, child: subprocess.Popen[bytes], timeout: float = 5.0) -> bool:
    """True once something accepts on 127.0.0.1:``port``; False if the plug died first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and child.poll() is None:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.settimeout(0.5)
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.02)
    return False


def _read_pid(pidfile: Path, ready: Path, timeout: float = 5.0) -> int:
    """The pid a daemon wrote, once its socket exists (bounded in time)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, ValueError):
            if ready.exists():
                return int(pidfile.read_text().strip())
        time.sleep(0.01)
    raise LabError("lab.switch_failed", switch=ready.parent.name, log=_tail(pidfile.parent / "switches.log"))


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _said_ready(console: Path) -> bool:
    try:
        with open(console, "rb") as text:
            return READY in text.read()
    except OSError:
        return False


def _sshd_answers(port: int) -> bool:
    """True once the plug reaches a guest sshd that sends its version banner. The banner is waited for
    up to 5 s: an emulated guest's sshd (arm64 on x86-64) takes about a second to send it, and a check
    that gave up sooner would start another sshd session in the guest every second, each slowing it."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.settimeout(5)
            return sock.recv(4) == b"SSH-"
    except OSError:
        return False


def guest_dir(directory: Path, name: str) -> Path:
    """The files of guest ``name`` of the lab in ``directory`` (its settings, keys, disk overlay, monitor)."""
    return directory / GUESTS / name


def guest_marker(directory: Path, name: str) -> str:
    """A string only that guest has on its command line (the init reads its directory from it), so its
    process is recognised by id and command line, never by name."""
    return f"bk_dir={guest_dir(directory, name)}"


def data_index(spec: HostSpec, iface: str) -> int:
    for index, nic in enumerate(spec.data, start=1):
        if nic.name == iface:
            return index
    raise LabError("lab.not_data_nic", host=spec.name, nic=iface,
                   nics=", ".join(nic.name for nic in spec.data))


def _ssh_keygen(path: Path, comment: str) -> None:
    if not path.exists():
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)],
                       check=True, capture_output=True)


def read_state(directory: Path) -> dict | None:
    """What the lab in ``directory`` recorded, None when there is none. A folder that fails the lab
    folder's checks, or a state file that is not what the lab writes, is a :class:`LabError`: its names
    go into paths and its ids are ended, so nothing in it is taken on trust."""
    if places.existing_lab_folder(directory) is None:
        return None
    path = directory / STATE_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise LabError("lab.bad_state", file=str(path), problem=str(error)) from None
    try:
        state = json.loads(text)
        _check_state(state)
        topology_from_state(state)
    except (ValueError, TypeError, KeyError, AttributeError, LabError) as error:
        problem = error.message() if isinstance(error, LabError) else f"{type(error).__name__}: {error}"
        raise LabError("lab.bad_state", file=str(path), problem=problem) from None
    return state


def _check_state(state: object) -> None:
    """The shape :meth:`Lab._save_state` writes: names as the topology allows, whole numbers as ids."""
    if not isinstance(state, dict) or not isinstance(state.get("topology"), list):
        raise ValueError("no topology")
    for key in ("ports", "pids", "helper_pids"):
        table = state.get(key, {})
        if not isinstance(table, dict):
            raise ValueError(f"{key} is not a table")
        for name, number in table.items():
            if not (isinstance(name, str) and re.fullmatch(r"[a-z][a-z0-9-]{0,20}", name)):
                raise ValueError(f"{key}: bad name {name!r}")
            if not (isinstance(number, int) and not isinstance(number, bool) and 0 < number < 1 << 22):
                raise ValueError(f"{key}.{name}: bad number {number!r}")
    owner = state.get("owner_pid")
    if owner is not None and not (isinstance(owner, int) and owner > 0):
        raise ValueError(f"owner_pid: {owner!r}")
    if not isinstance(state.get("faults", {}), dict) or not isinstance(state.get("switch", "learning"), str):
        raise ValueError("faults or switch")


def state_is_live(state: dict, directory: Path) -> bool:
    """Live: every guest still runs, and the process that owns it (if any) too."""
    owner = state.get("owner_pid")
    if owner and not Path(f"/proc/{owner}").exists():
        return False
    return all(
        machine.process_matches(int(pid), guest_marker(directory, name))
        for name, pid in state.get("pids", {}).items()
    )


def topology_from_state(state: dict) -> Topology:
    """The topology a state file records, rebuilt by the same rules (names, MACs) as a new one."""
    hosts = tuple(
        HostSpec(h["name"], h["index"], Nic(**h["mgmt"]), tuple(Nic(**n) for n in h["data"]))
        for h in state["topology"]
    )
    if not hosts:
        raise ValueError("no hosts")
    names = tuple(h.name for h in hosts)
    rebuilt = tutorial_topology(names, tuple(n.name for n in hosts[0].data), hosts[0].mgmt.name)
    if rebuilt.hosts != hosts:
        raise ValueError("the hosts differ from what the lab makes")
    return Topology(hosts)


def clear_stale_lab(directory: Path) -> None:
    """Refuse a second lab; clean up after one whose controller died (``kill -9``)."""
    state = read_state(directory)
    if state and state_is_live(state, directory):
        raise LabError("lab.already_running", directory=str(directory))
    (Lab.from_state(state, directory) if state else Lab(directory=directory, keep=True)).down()
