"""The lab guests' root filesystem: an ext4 image made from this machine's own programs.

A guest must never change a host file, so its root is not the host's filesystem: it is a small image
holding the programs a lab host needs (shell, coreutils, iproute2, ping, sshd, kmod) and the guest
kernel's network modules, built without root by ``mke2fs -d`` and opened by each guest read-only under a
throw-away overlay of its own. The image is made once per set of programs and kernel, and kept: set-up
builds it beside the virtual environment for every user of the machine, and a user whose machine lacks
it builds it into their cache on the first ``lab up``. Guests of another architecture than the machine's
(``BONDKIT_LAB_ARCH=arm64`` on an x86-64 machine) cannot run its programs: their image is made of
Debian's packages of their architecture instead (:mod:`bondkit.lab.foreign`), with the same /etc,
guest scripts and modules.

``python -m bondkit.lab.rootfs [--system]`` builds it (``--system``: into the shared folder).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from bondkit.errors import LabError
from bondkit.lab import places
from bondkit.lab.tools import SYSTEM_FOLDERS, tool

if TYPE_CHECKING:
    from bondkit.lab.qemu.kernel import Arch, GuestKernel

#: Bumped whenever what goes into the image changes in a way the source files' stamps cannot show.
LAYOUT = 6
#: What every lab host has: what bondkit runs on it and what the tutorials have a student type.
REQUIRED = (
    "sh", "bash", "cat", "cp", "mv", "rm", "ln", "mkdir", "rmdir", "ls", "chmod", "chown", "touch", "echo",
    "printf", "sleep", "date", "head", "tail", "tee", "wc", "sort", "uniq", "cut", "tr", "sed", "grep",
    "awk", "find", "xargs", "stat", "true", "false", "test", "env", "id", "whoami", "uname", "hostname",
    "basename", "dirname", "readlink", "realpath", "sync", "mktemp", "seq", "expr", "install", "du", "df",
    "sha256sum", "md5sum", "base64", "cmp", "diff", "timeout", "nohup", "setsid", "flock", "nsenter",
    "unshare", "mount", "umount", "dmesg", "ps", "kill", "sysctl", "free", "uptime", "getent", "ip", "tc",
    "bridge", "ss", "ping", "fping", "modprobe", "insmod", "lsmod", "rmmod", "depmod", "sshd",
    "mkfifo", "mknod", "pwd", "dd", "od", "tac", "paste", "comm", "truncate", "nproc", "stty", "tty", "yes",
)
#: Handy when present on the machine (a student's terminal habits), never required.
OPTIONAL = ("less", "more", "vi", "vim", "nano", "tcpdump", "arping", "ethtool", "watch", "top", "clear",
            "tput", "gzip", "gunzip", "zcat", "tar", "file", "strace", "nstat", "lnstat", "pgrep", "pkill",
            "pidof", "killall", "fuser", "lsof", "hexdump", "xxd", "nl", "fold", "split", "join", "shuf",
            "sum", "cksum", "sha1sum", "printenv", "groups", "logger", "ln", "link", "unlink", "ionice",
            "nice", "renice", "chgrp", "numfmt", "csplit", "fmt", "pr", "ptx", "tsort", "dircolors",
            "lsblk", "findmnt", "losetup", "blkid", "wall", "script", "column", "rev", "look", "chrt",
            "taskset", "prlimit", "lscpu", "lsipc", "lslocks", "ipcs", "vmstat", "pmap", "pwdx", "slabtop",
            "tload", "w", "sysctl", "bridge", "devlink", "rtmon", "genl", "ifstat", "routel")
#: Helper programs that sshd runs by path.
HELPERS = ("/usr/lib/openssh/sftp-server", "/usr/lib/openssh/sshd-session", "/usr/lib/openssh/sshd-auth")
#: Guest kernel modules the lab loads (their dependencies come along): the virtual hardware's drivers,
#: then what a lab host does with it.
MODULES = ("virtio_pci", "virtio_net", "virtio_rng", "qemu_fw_cfg", "bonding", "veth", "bridge", "8021q",
           "dummy", "sch_ingress", "sch_netem", "cls_flower", "cls_matchall", "cls_u32", "act_mirred",
           "act_gact", "sch_prio", "sch_tbf", "sch_htb")
TERMINFO = ("l/linux", "v/vt100", "v/vt220", "x/xterm", "x/xterm-256color", "d/dumb", "s/screen",
            "t/tmux", "t/tmux-256color")
#: The guests' sshd: keys only, root by key, no PAM (the image has none), the student's language passed on.
SSHD_CONFIG = """Port 22
HostKey /etc/ssh/bondkit_host_ed25519_key
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
UseDNS no
PidFile /run/sshd.pid
AuthorizedKeysFile /root/.ssh/authorized_keys
Subsystem sftp internal-sftp
AcceptEnv LANG LC_* BONDKIT_LANG
"""
#: Free room in the image for what guests write (it lands in each guest's own overlay, never here).
FREE_MB = 192


def find_program(name: str) -> Path | None:
    """A program for the image: from the system's folders alone (not the user's PATH, which may hold a
    virtual environment's or a user's own programs)."""
    for folder in SYSTEM_FOLDERS:
        candidate = Path(folder, name)
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def missing_programs() -> list[str]:
    return [name for name in REQUIRED if not find_program(name)]


def _programs() -> list[tuple[str, Path]]:
    """(name in the guest's /usr/bin or /usr/sbin, file on this machine) for every program."""
    found = []
    for name in (*REQUIRED, *OPTIONAL):
        path = find_program(name)
        if path:
            found.append((name, path))
    return found


def _modules(kernel: GuestKernel) -> list[Path]:
    """The chosen modules and everything they depend on, from the kernel's own modules.dep."""
    base = kernel.modules
    deps: dict[str, list[str]] = {}
    for line in (base / "modules.dep").read_text().splitlines():
        module, _, needs = line.partition(":")
        deps[module] = needs.split()
    by_name = {Path(path).name.split(".ko")[0].replace("-", "_"): path for path in deps}
    wanted: set[str] = set()
    pending = [by_name[name] for name in MODULES if name in by_name]
    while pending:
        path = pending.pop()
        if path not in wanted:
            wanted.add(path)
            pending.extend(deps.get(path, []))
    return [base / path for path in sorted(wanted)]


def _libraries(binaries: list[Path]) -> set[Path]:
    """The shared libraries (and loader) the binaries load, as ``ldd`` resolves them here."""
    found: set[Path] = set()
    elf = [str(path) for path in binaries if path.read_bytes()[:4] == b"\x7fELF"]
    result = subprocess.run(["ldd", *elf], capture_output=True, text=True)
    for line in result.stdout.splitlines():
        match = re.search(r"(/\S+) \(0x", line)
        if match:
            found.add(Path(match.group(1)))
    return found


def sources(kernel: GuestKernel) -> dict[str, list[Path]]:
    """What the image is made of, grouped by kind."""
    programs = _programs()
    helpers = [Path(p) for p in HELPERS if Path(p).exists()]
    binaries = [path for _, path in programs] + helpers
    return {
        "programs": [path for _, path in programs],
        "helpers": helpers,
        "libraries": sorted(_libraries(binaries)),
        "modules": _modules(kernel),
        "terminfo": [p for entry in TERMINFO for p in (Path("/usr/share/terminfo", entry),
                                                       Path("/lib/terminfo", entry)) if p.exists()],
    }


def is_foreign(arch: Arch) -> bool:
    """A guest architecture that is not this machine's: its image is made of its own Debian packages."""
    from bondkit.lab.qemu.kernel import machine_arch

    return arch.name != machine_arch()


def stamp(kernel: GuestKernel, arch: Arch) -> str:
    """Names the image: changes whenever a program, the kernel or a guest script changes. Libraries are
    not looked up here (that takes ``ldd``, a third of a second): an image carries its own copies, so
    it keeps working when a library alone is upgraded. An image of another architecture's packages
    changes with what :func:`bondkit.lab.foreign.recipe` says."""
    digest = hashlib.sha256(f"layout {LAYOUT}\nkernel {kernel.release}\n".encode())
    if is_foreign(arch):
        from bondkit.lab import foreign

        digest.update(foreign.recipe(arch).encode())
        stamped = []
    else:
        stamped = [path for _, path in _programs()] + [Path(p) for p in HELPERS if Path(p).exists()]
    stamped += [kernel.modules / "modules.dep"]
    for path in stamped:
        info = path.stat()
        digest.update(f"{path} {info.st_size} {info.st_mtime_ns}\n".encode())
    for script in sorted(_guest_scripts()):
        digest.update(script.encode() + (resources.files("bondkit.lab") / "guestfs" / script).read_bytes())
    return digest.hexdigest()[:16]


def _guest_scripts() -> list[str]:
    return [entry.name for entry in (resources.files("bondkit.lab") / "guestfs").iterdir()
            if entry.name.endswith(".sh")]


def image_name(kernel: GuestKernel, arch: Arch) -> str:
    return f"rootfs-{arch.debian}-{stamp(kernel, arch)}.ext4"


def find_image(kernel: GuestKernel, arch: Arch) -> Path | None:
    """The image for this machine's programs, if one was built (``BONDKIT_ROOTFS`` names one)."""
    chosen = os.environ.get("BONDKIT_ROOTFS")
    if chosen:
        return Path(chosen) if Path(chosen).is_file() else None
    name = image_name(kernel, arch)
    for folder in places.image_folders():
        if (folder / name).is_file():
            return folder / name
    return None


def ensure_image(kernel: GuestKernel, arch: Arch) -> Path:
    """The image, built into the user's cache first when no folder has it yet."""
    return find_image(kernel, arch) or build(places.user_folder(), kernel, arch)


def _copy(source: Path, root: Path, as_path: Path | None = None) -> None:
    target = root / (as_path or source).relative_to("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        shutil.copy2(source, target, follow_symlinks=True)


def _populate(root: Path, kernel: GuestKernel) -> None:
    """Lay out the guest's tree from this machine's programs: merged /usr as on Debian, programs,
    libraries (the rest is :func:`_lay_in`'s)."""
    for folder in ("usr/bin", "usr/sbin", "usr/lib", "usr/lib64"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    for link in ("bin", "sbin", "lib", "lib64"):
        (root / link).symlink_to(f"usr/{link}")
    parts = sources(kernel)
    for path in parts["programs"]:
        folder = "usr/sbin" if path.parent.name == "sbin" else "usr/bin"
        _copy(path, root, Path("/", folder, path.name))
    for path in parts["helpers"] + parts["libraries"] + parts["terminfo"]:
        _copy(path.resolve(), root, Path("/usr") / path.relative_to("/") if not str(path).startswith("/usr/")
              else path)


def _write(path: Path, text: str, mode: int = 0o644) -> None:
    """Write a file of the tree anew: a link a package put there is replaced, never followed (it could
    name a file of this machine)."""
    path.unlink(missing_ok=True)
    path.write_text(text)
    path.chmod(mode)


def _lay_in(root: Path, kernel: GuestKernel) -> None:
    """What every guest's tree gets, whatever its programs came from: the kernel's modules, the lab's
    /etc and users, the guest scripts."""
    for folder in ("etc/ssh", "etc/modprobe.d", "root/.ssh", "tmp", "run/sshd", "proc", "sys", "dev", "mnt",
                   "var/log", "var/empty", "home"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    (root / "root").chmod(0o700)
    (root / "root/.ssh").chmod(0o700)
    release = kernel.release
    for path in _modules(kernel):
        _copy(path, root, Path("/usr/lib/modules", release, path.relative_to(kernel.modules)))
    for name in ("modules.order", "modules.builtin", "modules.builtin.modinfo"):
        if (kernel.modules / name).exists():
            _copy(kernel.modules / name, root, Path("/usr/lib/modules", release, name))
    subprocess.run([tool("depmod"), "-b", str(root / "usr"), release], check=True, capture_output=True)
    etc = root / "etc"
    _write(etc / "passwd", "root:x:0:0:root:/root:/bin/bash\n"
                           "sshd:x:100:65534::/run/sshd:/usr/sbin/nologin\n"
                           "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n")
    _write(etc / "group", "root:x:0:\nnogroup:x:65534:\n")
    # "*" rather than "!": sshd refuses key logins to locked accounts.
    users = ("root", "sshd", "nobody")
    _write(etc / "shadow", "".join(f"{user}:*:19000:0:99999:7:::\n" for user in users), 0o640)
    _write(etc / "nsswitch.conf", "passwd: files\ngroup: files\nshadow: files\nhosts: files\n")
    _write(etc / "hosts", "127.0.0.1 localhost\n")
    # fping looks its protocol up by name, as the C library's getprotobyname does
    _write(etc / "protocols", "ip 0 IP\nicmp 1 ICMP\ntcp 6 TCP\nudp 17 UDP\nipv6-icmp 58 IPv6-ICMP\n")
    _write(etc / "os-release", 'PRETTY_NAME="bondkit lab host"\nID=bondkit-lab\nNAME="bondkit lab host"\n')
    _write(etc / "profile", 'export PATH=/usr/sbin:/usr/bin:/sbin:/bin\nPS1="\\u@\\h:\\w\\$ "\n')
    _write(root / "root/.bashrc", ". /etc/profile\n")
    # What the guest's init would otherwise make at every boot, one program start at a time.
    _write(etc / "fstab", "proc /proc proc defaults 0 0\nsys /sys sysfs defaults 0 0\n"
                          "devpts /dev/pts devpts X-mount.mkdir 0 0\nshm /dev/shm tmpfs X-mount.mkdir 0 0\n"
                          "tmp /tmp tmpfs mode=1777 0 0\n")
    # max_bonds=0: no bond0 of its own, as on a host whose bonds its tools make.
    _write(etc / "modprobe.d" / "bondkit.conf", "options bonding max_bonds=0\n")
    _write(etc / "ssh" / "bondkit_sshd_config", SSHD_CONFIG)
    guest = etc / "bondkit"
    guest.mkdir()
    for script in _guest_scripts():
        _write(guest / script, (resources.files("bondkit.lab") / "guestfs" / script).read_text(), 0o755)


def build(folder: Path, kernel: GuestKernel, arch: Arch) -> Path:
    """Build the image into ``folder`` (atomically: a half-built image is never found)."""
    foreign = is_foreign(arch)
    missing = [] if foreign else missing_programs()
    if missing:
        raise LabError("lab.rootfs_missing", programs=", ".join(missing))
    places.image_folder(folder)
    target = folder / image_name(kernel, arch)
    with tempfile.TemporaryDirectory(prefix=".rootfs-", dir=folder) as work:
        root = Path(work) / "root"
        root.mkdir()
        if foreign:  # the programs of the guests' architecture, from its Debian packages
            from bondkit.lab import foreign as foreign_tree

            foreign_tree.populate(root, arch, REQUIRED)
        else:
            _populate(root, kernel)
        _lay_in(root, kernel)
        used = sum(p.lstat().st_size for p in root.rglob("*")) // (1 << 20)
        partial = folder / f".{target.name}.{os.getpid()}"
        command = [tool("mke2fs"), "-q", "-F", "-t", "ext4", "-L", "bondkit-root", "-E", "root_owner=0:0",
                   "-d", str(root), str(partial), f"{used * 2 + FREE_MB}M"]
        # Under fakeroot every file is root's in the image, as on a real host; without it they keep the
        # builder's uid, which changes nothing for the lab.
        if shutil.which("fakeroot") and os.geteuid() != 0:
            command = [tool("fakeroot"), *command]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            partial.unlink(missing_ok=True)
            raise LabError("lab.rootfs_failed", error=result.stderr.strip())
    partial.chmod(0o444)
    partial.replace(target)
    for stale in folder.glob(f"rootfs-{arch.debian}-*.ext4"):  # images of programs since upgraded
        if stale != target:
            stale.unlink(missing_ok=True)
    return target


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bondkit.lab.rootfs")
    parser.add_argument("--system", action="store_true", help="build into the folder shared by every user")
    args = parser.parse_args(argv)
    from bondkit.lab.qemu import kernel as guest_kernel

    arch = guest_kernel.guest_arch()
    folder = places.system_folder() if args.system else places.user_folder()
    kernel = guest_kernel.find_kernel(arch) or guest_kernel.fetch(arch, folder)
    existing = folder / image_name(kernel, arch)
    print(existing if existing.is_file() else build(folder, kernel, arch))


if __name__ == "__main__":
    main()
