"""The embedded lab: VMs with the real Linux bonding driver, in a few verbs (up, host, fault, down).

Each lab host is a User-Mode Linux guest whose root is the host's filesystem seen read-only, with a
writable overlay in guest memory. Guests are wired, inside a network namespace that belongs to the lab,
to a management bridge and to the switch ``vboxnet0``; they run sshd and are reached through a loopback
forwarder with bondkit's SSH, the same code that reaches real hosts. One lab runs per user at a time;
its state file lets another process (the CLI, a notebook) attach to it or tear it down, and lets the
next ``up`` clean up after a controller that was killed.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict
from importlib import resources
from pathlib import Path

from bondkit.errors import LabError
from bondkit.lab import host as machine
from bondkit.lab.topology import MGMT_GATEWAY, SWITCH_PROFILES, HostSpec, Nic, Topology, tutorial_topology
from bondkit.ssh import Host

FAULTS = ("admin-down", "carrier-loss", "silent-drop", "restore")
#: The guest runs as an unprivileged uid, which may not open the host's /dev/net/tun (mode 0600). It gets
#: its own tun node, in a mount namespace of its own: the host's /dev is not changed.
PRIVATE_TUN = (
    "unshare", "--mount", "--propagation", "private", "sh", "-c",
    'mount -t tmpfs -o mode=755 tmpfs /dev/net && mknod -m 666 /dev/net/tun c 10 200 && exec "$@"', "sh",
)
BOOT_DEADLINE_S = 60.0
GUESTS = "guests"  # in the lab directory: one directory of files per guest
STATE_FILE = "state.json"  # in the lab directory: what another process needs to attach or to clean up
CONSOLE_LOG = ".console.log"  # after a guest's name, in the lab directory


def _per_user_directory() -> Path:
    return Path(tempfile.gettempdir()) / f"bondkit-{os.getuid()}" / "lab"


def default_directory() -> Path:
    """Where the running lab keeps its state; one per user (``BONDKIT_LAB_DIR`` chooses another)."""
    base = os.environ.get("BONDKIT_LAB_DIR")
    return Path(base) if base else _per_user_directory()


def namespace_name(directory: Path | None = None) -> str:
    """The lab namespace: one per user, or one per lab directory when a directory is chosen."""
    directory = Path(directory) if directory else default_directory()
    if directory == _per_user_directory():
        return f"bondkit-{os.getuid()}"
    return f"bondkit-{os.getuid()}-{hashlib.sha256(str(directory).encode()).hexdigest()[:8]}"


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
        memory_mb: int = 128,
    ) -> None:
        _check_switch(switch)
        self.topology = topology or tutorial_topology()
        self.switch = switch
        self.directory = Path(directory) if directory else default_directory()
        self.keep = keep
        self.memory_mb = memory_mb
        self.namespace = namespace_name(self.directory)
        self.ports: dict[str, int] = {}
        self.pids: dict[str, int] = {}
        self.forwarder_pid: int | None = None
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

    def console_log(self, name: str) -> Path:
        """What guest ``name``'s kernel printed while booting (shown when it does not come up)."""
        return self.directory / f"{name}{CONSOLE_LOG}"

    def guest_dir(self, name: str) -> Path:
        return guest_dir(self.directory, name)

    def marker(self, name: str) -> str:
        """A string only this lab's guest ``name`` has on its command line."""
        return guest_marker(self.directory, name)

    # ---- lifecycle ---------------------------------------------------------------------------------

    def __enter__(self) -> Lab:
        return self.up()

    def __exit__(self, *exc: object) -> None:
        self.down()

    def up(self) -> Lab:
        """Boot every host and return when each answers over SSH with its pinned key."""
        machine.check_can_run()
        clear_stale_lab(self.directory)
        try:
            self._prepare_files()
            self._build_network()
            self._start_guests()
            self._start_forwarder()
            self._running = True
            self._save_state()
            if not self.keep:
                atexit.register(self.down)
            self._wait_until_reachable()
        except BaseException:
            self.down()
            raise
        return self

    def down(self) -> None:
        """Remove every process, namespace, tap and file of this lab; safe to call twice."""
        with self._lock:
            for host in self._hosts.values():
                host.close()
            self._hosts.clear()
            for name, pid in self.pids.items():
                machine.end_process_group(pid, self.marker(name))
            if self.forwarder_pid:
                machine.end_process_group(self.forwarder_pid, "bondkit.lab.forward")
            for child in self._children:
                try:
                    child.wait(timeout=2)
                except subprocess.TimeoutExpired:
                    pass
            self._children.clear()
            self.pids.clear()
            self.forwarder_pid = None
            machine.delete_namespace(self.namespace)
            self._remove_files()
            self._running = False

    def _remove_files(self) -> None:
        """Remove what the lab wrote in its directory, then the directory if that left it empty: a
        directory chosen with ``BONDKIT_LAB_DIR`` keeps whatever else it holds."""
        shutil.rmtree(self.directory / GUESTS, ignore_errors=True)
        written = [self.state_file, self.state_file.with_suffix(".tmp"), self.key_file, self.known_hosts,
                   self.key_file.with_suffix(".pub"), *self.directory.glob(f"*{CONSOLE_LOG}")]
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
        lab = cls(topology_from_state(state), switch=state["switch"], directory=directory, keep=True)
        lab.ports = {k: int(v) for k, v in state["ports"].items()}
        lab.pids = {k: int(v) for k, v in state["pids"].items()}
        lab.forwarder_pid = state.get("forwarder_pid")
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
        self._require_running()
        with self._lock:
            if name not in self._hosts:
                address, port = self.endpoint(name)
                self._hosts[name] = Host(address, port, user="root", key_file=self.key_file,
                                         known_hosts=self.known_hosts, name=name, connect_deadline=10,
                                         persistent_shell=True)
            return self._hosts[name]

    __getitem__ = host

    def status(self) -> dict[str, object]:
        return {
            "running": self._running,
            "directory": str(self.directory),
            "namespace": self.namespace,
            "switch": self.switch,
            "hosts": {name: {"ssh": f"root@127.0.0.1 -p {self.ports.get(name)}", "pid": self.pids.get(name)}
                      for name in self.hosts},
            "faults": dict(self.faults),
        }

    # ---- faults and switch -------------------------------------------------------------------------

    def fault(self, host: str, iface: str, kind: str) -> None:
        """Break (or ``restore``) data NIC ``iface`` of ``host`` the way ``kind`` says.

        admin-down: ``ip link set DEV down`` in the guest, as in the tutorial. carrier-loss: the cable
        is pulled, the guest sees its carrier go down (miimon notices). silent-drop: the switch port
        stops forwarding while the carrier stays up (only ARP monitoring notices).
        """
        if kind not in FAULTS:
            raise LabError("lab.bad_fault", fault=kind, choices=", ".join(FAULTS))
        spec = self.topology.host(host)
        index = data_index(spec, iface)
        target = self.host(host)
        key = f"{host}/{iface}"
        if kind in ("admin-down", "restore"):
            target.run(f"ip link set dev {iface} {'down' if kind == 'admin-down' else 'up'}", check=True)
        if kind in ("carrier-loss", "restore"):
            state = "down" if kind == "carrier-loss" else "up"
            target.run(f"nsenter -t 1 -n ip link set dev hw{index} {state}", check=True)
        if kind in ("silent-drop", "restore"):
            machine.set_port_forwarding(self.namespace, tap_name(spec, index), kind == "restore")
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
                f"nsenter -t 1 -n sh -c 'tc filter del dev vec{i} ingress && "
                f"sh /etc/bondkit-lab/adapter.sh {i} {nic.mac} {profile} | tc -batch -'"
                for i, nic in enumerate(spec.data, start=1)
            )
            self.host(spec.name).run(script, check=True)
        self.switch = profile
        self._save_state()

    # ---- internals ---------------------------------------------------------------------------------

    def _require_running(self) -> None:
        if not self._running:
            raise LabError("lab.not_running")

    def _prepare_files(self) -> None:
        self._check_reachable_by_guests()
        self.directory.mkdir(parents=True, mode=0o711, exist_ok=True)
        os.chmod(self.directory, 0o711)
        _ssh_keygen(self.key_file, comment="bondkit-lab-admin")
        guestfs = resources.files("bondkit.lab") / "guestfs"
        for spec in self.topology.hosts:
            gdir = self.guest_dir(spec.name)
            gdir.mkdir(parents=True, exist_ok=True)
            for script in ("init.sh", "stage2.sh", "adapter.sh"):
                (gdir / script).write_text((guestfs / script).read_text())
            os.chmod(gdir / "init.sh", 0o755)
            _ssh_keygen(gdir / "ssh_host_ed25519_key", comment=f"bondkit-lab-{spec.name}")
            shutil.copy(self.key_file.with_suffix(".pub"), gdir / "authorized_keys")
            data_nics = " ".join(f"{nic.name}={nic.mac}" for nic in spec.data)
            (gdir / "guest.env").write_text(
                f"BK_HOSTNAME={spec.name}\nBK_MGMT_NIC={spec.mgmt.name}\n"
                f"BK_MGMT_ADDR={spec.mgmt_address}\nBK_DATA_NICS='{data_nics}'\nBK_SWITCH={self.switch}\n"
            )
            (gdir / "uml").mkdir(exist_ok=True)
            for path in (gdir, *gdir.rglob("*")):
                os.chown(path, machine.GUEST_UID, machine.GUEST_UID)
            os.chmod(gdir, 0o700)

    def _check_reachable_by_guests(self) -> None:
        """Guests read their files as an unprivileged user: every folder above them must let it pass.

        The per-user folder is the lab's own and is opened for that; a folder the user chose is only
        checked, never changed.
        """
        if self.directory == _per_user_directory():
            self.directory.parent.mkdir(parents=True, exist_ok=True)
            self.directory.parent.chmod(0o711)
        for folder in self.directory.resolve().parents:
            if folder.exists() and not folder.stat().st_mode & 0o001:
                raise LabError("lab.directory_unreachable", directory=str(self.directory), folder=str(folder))

    def _build_network(self) -> None:
        machine.delete_namespace(self.namespace)
        machine.create_namespace(self.namespace)
        machine.add_bridge(self.namespace, "bk-mgmt", f"{MGMT_GATEWAY}/24")
        machine.add_bridge(self.namespace, self.topology.switch)
        for spec in self.topology.hosts:
            machine.add_tap(self.namespace, tap_name(spec, 0), "bk-mgmt")
            for index in range(1, len(spec.data) + 1):
                machine.add_tap(self.namespace, tap_name(spec, index), self.topology.switch)

    def _start_guests(self) -> None:
        binary = machine.uml_binary()
        for spec in self.topology.hosts:
            gdir = self.guest_dir(spec.name)
            nics = [f"vec0:transport=tap,ifname={tap_name(spec, 0)},mac={spec.mgmt.mac}"]
            # The UML side of a data NIC gets a private MAC: the VirtualBox-style one belongs to the
            # NIC the student sees, behind the guest's wire.
            nics += [
                f"vec{i}:transport=tap,ifname={tap_name(spec, i)},mac=02:00:00:00:{spec.index:02x}:{i:02x}"
                for i in range(1, len(spec.data) + 1)
            ]
            command = [
                "ip", "netns", "exec", self.namespace, *PRIVATE_TUN,
                "setpriv", f"--reuid={machine.GUEST_UID}", f"--regid={machine.GUEST_UID}", "--clear-groups",
                "env", "-i", f"HOME={gdir / 'uml'}", f"TMPDIR={gdir / 'uml'}", "PATH=/usr/bin:/bin",
                binary, f"mem={self.memory_mb}M", f"umid=bk-{spec.name}", f"uml_dir={gdir / 'uml'}",
                "root=/dev/root", "rootfstype=hostfs", "rootflags=/", "ro", "quiet",
                f"init={gdir / 'init.sh'}", self.marker(spec.name), "con=null", "con0=null,fd:1", *nics,
            ]
            log = open(self.console_log(spec.name), "wb")  # noqa: SIM115
            with log:
                child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
            self._children.append(child)
            self.pids[spec.name] = child.pid

    def _start_forwarder(self) -> None:
        listeners = []
        for spec in self.topology.hosts:
            listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind(("127.0.0.1", 0))
            listener.listen(16)
            listeners.append((spec, listener))
            self.ports[spec.name] = listener.getsockname()[1]
        args = [f"{sock.fileno()}={spec.mgmt_address.ip}:22" for spec, sock in listeners]
        child = subprocess.Popen(
            ["ip", "netns", "exec", self.namespace, sys.executable, "-m", "bondkit.lab.forward", *args],
            pass_fds=[sock.fileno() for _, sock in listeners], stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        for _, sock in listeners:
            sock.close()
        self._children.append(child)
        self.forwarder_pid = child.pid
        with open(self.known_hosts, "w") as pins:
            for spec in self.topology.hosts:
                key = (self.guest_dir(spec.name) / "ssh_host_ed25519_key.pub").read_text().split()
                pins.write(f"[127.0.0.1]:{self.ports[spec.name]} {key[0]} {key[1]}\n")

    def _wait_until_reachable(self) -> None:
        """Poll each guest's sshd banner (bounded in time), then log in once with the pinned key."""
        deadline = time.monotonic() + BOOT_DEADLINE_S
        for name in self.hosts:
            while not _sshd_answers(self.ports[name]):
                if not machine.process_matches(self.pids[name], self.marker(name)):
                    raise LabError("lab.guest_died", host=name, log=self._console_tail(name))
                if time.monotonic() > deadline:
                    raise LabError("lab.boot_timeout", host=name, seconds=int(BOOT_DEADLINE_S),
                                   log=self._console_tail(name))
                time.sleep(0.05)
            self.host(name).run("true", check=True, timeout=10)

    def _console_tail(self, name: str) -> str:
        try:
            lines = self.console_log(name).read_text(errors="replace").splitlines()
        except OSError:
            return ""
        return "\n".join(lines[-15:])

    def _save_state(self) -> None:
        state = {
            "version": 1,
            "owner_pid": None if self.keep else os.getpid(),
            "switch": self.switch,
            "namespace": self.namespace,
            "topology": [asdict(spec) for spec in self.topology.hosts],
            "ports": self.ports,
            "pids": self.pids,
            "forwarder_pid": self.forwarder_pid,
            "faults": self.faults,
            "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=2))
        tmp.replace(self.state_file)


def _check_switch(profile: str) -> None:
    if profile not in SWITCH_PROFILES:
        raise LabError("lab.bad_switch", switch=profile, choices=", ".join(SWITCH_PROFILES))


def _sshd_answers(port: int) -> bool:
    """True once the forwarder reaches a guest sshd that sends its version banner."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.settimeout(1)
            return sock.recv(4) == b"SSH-"
    except OSError:
        return False


def guest_dir(directory: Path, name: str) -> Path:
    """The files of guest ``name`` of the lab in ``directory`` (its init scripts, keys, UML state)."""
    return directory / GUESTS / name


def guest_marker(directory: Path, name: str) -> str:
    """A string only that guest has on its command line (the init reads its directory from it), so its
    process is recognised by id and command line, never by name."""
    return f"bk_dir={guest_dir(directory, name)}"


def tap_name(spec: HostSpec, index: int) -> str:
    """Tap of NIC ``index`` (0 = management) of a host, short enough for IFNAMSIZ."""
    return f"bk{spec.index}n{index}"


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
    try:
        return json.loads((directory / STATE_FILE).read_text())
    except (OSError, ValueError):
        return None


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
    hosts = tuple(
        HostSpec(h["name"], h["index"], Nic(**h["mgmt"]), tuple(Nic(**n) for n in h["data"]))
        for h in state["topology"]
    )
    return Topology(hosts)


def clear_stale_lab(directory: Path) -> None:
    """Refuse a second lab; clean up after one whose controller died (``kill -9``)."""
    state = read_state(directory)
    if state and state_is_live(state, directory):
        raise LabError("lab.already_running", directory=str(directory))
    (Lab.from_state(state, directory) if state else Lab(directory=directory, keep=True)).down()
