"""The tutorial's ``chmod 400`` and ``ssh -i``: reaching an instance with the key pair's .pem.

In emulator mode the instance has only a made-up public address, which is shown and never contacted.
A guest of the embedded lab stands for it: the key pair's public key (derived from the .pem) is put in
the guest's authorized_keys, marked with the instance id, and the student's .pem really logs in, over
loopback, with the guest's host key pinned by the lab. Terminating the instance takes the key off the
guest again. Without a lab the step says so and is skipped.

On real AWS the host key to pin comes from the instance's console output (the ``BEGIN SSH HOST KEY
KEYS`` block cloud-init prints), never from the first connection.
"""

from __future__ import annotations

import contextlib
import re
import shlex
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bondkit.ec2.emulator import is_loopback_url
from bondkit.ec2.instances import InstanceResult, describe
from bondkit.ec2.step import CliCommand, Step
from bondkit.ec2.tags import LAB_GUEST_TAG, LAB_KEYS_TAG
from bondkit.ec2.target import Target
from bondkit.errors import BondkitError, EC2Error
from bondkit.i18n import t

__all__ = [
    "GUEST_AUTHORIZED_KEYS",
    "SSHResult",
    "current_lab",
    "known_hosts_from_console",
    "release_guests",
    "ssh_to_instance",
]

GUEST_AUTHORIZED_KEYS = "/root/.ssh/authorized_keys"
DEFAULT_GUEST = "server"
MARK = "bondkit-instance:"


@dataclass
class SSHResult:
    instance_id: str
    public_ip: str | None
    reached: str | None  # what was really contacted ("lab guest server at 127.0.0.1:2201"), None if skipped
    command: str
    stdout: str = ""
    skipped: bool = False


def current_lab() -> Any:
    """The running lab, or None when there is none, bondkit.lab is not available, or the notebooks'
    lab switch is off (``BONDKIT_NB_LAB=off``: then no part of a notebook reaches a lab)."""
    from bondkit.notebook.session import lab_switched_off

    if lab_switched_off():
        return None
    try:
        from bondkit.lab import Lab
    except ImportError:
        return None
    return Lab.current()


def _rewrite_script(path: str, instance_id: str) -> str:
    """Shell: drop this instance's line from ``path`` and append stdin (the new line, or nothing).

    Rewritten in place (``cat >``) so the file keeps its owner and mode; other lines, including the
    lab's own key, are kept.
    """
    q = shlex.quote(path)
    mark = shlex.quote(f" {MARK}{instance_id}$")
    return (
        f'set -e; umask 077; mkdir -p "$(dirname {q})"; touch {q}; '
        f"{{ grep -v -e {mark} {q} || true; cat; }} > {q}.bondkit; cat {q}.bondkit > {q}; rm -f {q}.bondkit"
    )


@contextlib.contextmanager
def _guest_admin(lab: Any, guest: str, *, ours: bool) -> Iterator[Any]:
    """The lab's root connection to ``guest``; closed afterwards when we looked the lab up ourselves
    (a caller's lab keeps its cached connections)."""
    admin = lab.host(guest)
    try:
        yield admin
    finally:
        if ours:
            admin.close()


def _set_key(admin: Any, path: str, instance_id: str, line: str | None) -> None:
    """Put ``line`` in ``path`` as this instance's key, or take the instance's key out (``None``)."""
    admin.run(_rewrite_script(path, instance_id), input=f"{line}\n" if line else "", check=True)


def ssh_to_instance(
    target: Target,
    instance_id: str,
    key_file: str | Path,
    *,
    lab: Any = None,
    guest: str = DEFAULT_GUEST,
    command: str = "uname -a; hostname",
    user: str | None = None,
    authorized_keys: str = GUEST_AUTHORIZED_KEYS,
    connect_deadline: float = 20.0,
    host_key_wait: float = 300.0,
) -> Step:
    """Log in to the instance with its key pair's .pem and run ``command``.

    Emulator mode: through the lab guest ``guest`` (``lab`` defaults to the running lab; none: skipped).
    Real AWS: to the public address as ``user`` (default ``ubuntu``), host key pinned from the console.
    """
    from bondkit.ssh import Host, fingerprint, load_private_key, public_key_line

    key_path = Path(key_file)
    key = load_private_key(key_path)  # missing, unreadable, or not 0400/0600: the ssh error, translated
    (instance,) = describe(target, [instance_id])
    if instance.state != "running":
        raise EC2Error("ec2.ssh_not_running", where=instance_id, state=instance.state)
    _check_key_matches(target, instance, key, key_path)
    public = instance.public_ip
    tutorial = CliCommand(["ssh", "-i", key_path.name, f"{user or 'ubuntu'}@{public or '[PUBLIC IP]'}"])
    if target.real:
        return _ssh_real(
            target, instance, key_path, command, user or "ubuntu", connect_deadline, host_key_wait, tutorial
        )
    notes = [t("ec2.note.not_contacted", ip=public or "-")]
    ours = lab is None
    lab = lab if lab is not None else current_lab()
    if lab is None:
        from bondkit.notebook.session import LAB_SWITCH, lab_switched_off

        switched = lab_switched_off()
        notes.append(t("ec2.note.lab_switched_off", switch=switched, name=LAB_SWITCH) if switched
                     else t("ec2.note.no_lab"))
        return Step(
            "ssh",
            SSHResult(instance_id, public, None, command, skipped=True),
            python="bondkit.ssh.Host(...).run(...)  # skipped: no lab",
            cli=[tutorial],
            notes=notes,
        )
    address, port = lab.endpoint(guest)
    if not is_loopback_url(f"ssh://{address}"):
        raise EC2Error("ec2.ssh_not_local", where=guest, address=address)
    with _guest_admin(lab, guest, ours=ours) as admin:
        _set_key(admin, authorized_keys, instance_id, public_key_line(key, f"{MARK}{instance_id}"))
    target.call(
        "create_tags",
        Resources=[instance_id],
        Tags=[{"Key": LAB_GUEST_TAG, "Value": guest}, {"Key": LAB_KEYS_TAG, "Value": authorized_keys}],
    )
    reached = t("ec2.ssh_reached", guest=guest, address=address, port=port)
    host = Host(
        address,
        port,
        user="root",
        key_file=key_path,
        known_hosts=lab.known_hosts,
        name=f"{instance_id} ({reached})",
        connect_deadline=connect_deadline,
    )
    with host:
        output = host.run(command, check=True).stdout
    notes.append(t("ec2.note.lab_guest", guest=guest, fingerprint=fingerprint(key)))
    real_line = CliCommand(
        [
            "ssh",
            "-i",
            key_path.name,
            "-p",
            str(port),
            "-o",
            f"UserKnownHostsFile={lab.known_hosts}",
            "-o",
            "StrictHostKeyChecking=yes",
            f"root@{address}",
            command,
        ]
    )
    return Step(
        "ssh",
        SSHResult(instance_id, public, reached, command, output),
        python=f"bondkit.ssh.Host({address!r}, {port}, user='root', key_file={key_path.name!r}, "
        f"known_hosts=lab.known_hosts).run({command!r})",
        cli=[CliCommand(["chmod", "400", key_path.name]), tutorial, real_line],
        notes=notes,
    )


def _check_key_matches(target: Target, instance: InstanceResult, key: Any, key_path: Path) -> None:
    """The .pem must be the instance's key pair, as ssh would find out (told before any connection)."""
    pairs = target.call("describe_key_pairs", KeyNames=[instance.key_name], IncludePublicKey=True)["KeyPairs"]
    public = (pairs[0].get("PublicKey") or "").split()
    if len(public) >= 2 and public[1] != key.get_base64():
        raise EC2Error(
            "ec2.ssh_wrong_key",
            where=str(key_path),
            key_name=instance.key_name,
            instance_id=instance.instance_id,
        )


def release_guests(target: Target, instances: list[InstanceResult], *, lab: Any = None) -> list[str]:
    """Take terminated instances' keys off their lab guests; returns notes (never blocks termination)."""
    notes: list[str] = []
    bound = [i for i in instances if LAB_GUEST_TAG in i.tags]
    if not bound or target.real:
        return notes
    ours = lab is None
    lab = lab if lab is not None else current_lab()
    for instance in bound:
        guest = instance.tags[LAB_GUEST_TAG]
        if lab is None:
            notes.append(t("ec2.note.lab_gone", instance_id=instance.instance_id, guest=guest))
            continue
        try:
            with _guest_admin(lab, guest, ours=ours) as admin:
                keys_file = instance.tags.get(LAB_KEYS_TAG, GUEST_AUTHORIZED_KEYS)
                _set_key(admin, keys_file, instance.instance_id, None)
            notes.append(t("ec2.note.key_removed", instance_id=instance.instance_id, guest=guest))
        except BondkitError as exc:
            notes.append(
                t("ec2.note.key_not_removed", instance_id=instance.instance_id, guest=guest, reason=exc)
            )
    return notes


_HOST_KEYS = re.compile(r"-----BEGIN SSH HOST KEY KEYS-----(.*?)-----END SSH HOST KEY KEYS-----", re.S)


def known_hosts_from_console(console: str, host: str) -> str:
    """known_hosts lines for ``host`` from the host-key block cloud-init writes to the console."""
    match = _HOST_KEYS.search(console or "")
    if not match:
        return ""
    lines = []
    for raw in match.group(1).splitlines():
        parts = raw.split()
        if len(parts) >= 2 and (parts[0].startswith(("ssh-", "ecdsa-"))):
            lines.append(f"{host} {parts[0]} {parts[1]}\n")
    return "".join(lines)


def _ssh_real(
    target: Target,
    instance: InstanceResult,
    key_path: Path,
    command: str,
    user: str,
    connect_deadline: float,
    host_key_wait: float,
    tutorial: CliCommand,
) -> Step:
    """Real AWS: pin the host key from the console output (bounded wait), then log in."""
    from bondkit.ssh import Host

    if not instance.public_ip:
        raise EC2Error("ec2.ssh_no_public_ip", where=instance.instance_id)
    deadline, lines = time.monotonic() + host_key_wait, ""
    while not lines:
        output = target.call("get_console_output", InstanceId=instance.instance_id).get("Output", "")
        lines = known_hosts_from_console(output, instance.public_ip)
        if not lines:
            if time.monotonic() >= deadline:
                raise EC2Error("ec2.ssh_no_host_keys", where=instance.instance_id, seconds=host_key_wait)
            time.sleep(10)
    with tempfile.TemporaryDirectory(prefix="bondkit-") as tmp:
        known = Path(tmp) / "known_hosts"
        known.write_text(lines)
        with Host(
            instance.public_ip,
            22,
            user=user,
            key_file=key_path,
            known_hosts=known,
            name=instance.instance_id,
            connect_deadline=max(connect_deadline, 120.0),
        ) as host:
            output = host.run(command, check=True).stdout
    reached = f"{user}@{instance.public_ip}"
    return Step(
        "ssh",
        SSHResult(instance.instance_id, instance.public_ip, reached, command, output),
        python=f"bondkit.ssh.Host({instance.public_ip!r}, user={user!r}, key_file={key_path.name!r}, "
        f"known_hosts=<from console output>).run({command!r})",
        cli=[CliCommand(["chmod", "400", key_path.name]), tutorial],
        notes=[t("ec2.note.host_key_console")],
    )
