"""The tutorial's key pair: created with its private key saved as a 0400 .pem, and deleted again.

Why the .pem is created before EC2 is asked: an existing file is refused before anything exists in EC2,
and the key is never readable by others, not even for an instant. Why a .pem is removed only when its
key is the deleted key pair's: ``TestKeyPair.pem`` is also the name the tutorial uses on real AWS, and a
student's key to a real instance must survive a cleanup of the emulator.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bondkit.ec2.step import CliCommand, Query, Step
from bondkit.ec2.tags import kit_tags, kit_tags_cli
from bondkit.ec2.target import Target
from bondkit.errors import EC2Error
from bondkit.i18n import t

__all__ = ["TUTORIAL_KEY_NAME", "KeyPairResult", "create_key_pair", "delete_key_pair", "public_keys",
           "remove_key_files", "validate_key_name"]

TUTORIAL_KEY_NAME = "TestKeyPair"
_KEY_NAME = re.compile(r"^[\x20-\x7e]{1,255}$")


@dataclass
class KeyPairResult:
    name: str
    key_pair_id: str
    fingerprint: str  # as EC2 reports it
    ssh_fingerprint: str  # SHA256 of the public key in the .pem, as ssh-keygen -l prints it
    path: Path


def validate_key_name(name: str) -> None:
    if not _KEY_NAME.match(name):
        raise EC2Error("ec2.bad_key_name", name=name)


def create_key_pair(
    target: Target,
    name: str = TUTORIAL_KEY_NAME,
    *,
    key_dir: str | Path = ".",
    key_type: str = "rsa",
    run_tag: str = "walkthrough",
) -> Step:
    """Create a key pair and save its private key to ``<key_dir>/<name>.pem``, mode 0400 from the start.

    The file is created (O_EXCL, mode 0400) before EC2 is asked, so an existing file is refused before
    anything exists in EC2, and the key is never readable by others, not even for an instant. If EC2
    refuses, the empty file is removed; if writing fails, the key pair is deleted again.
    """
    from bondkit.ssh import fingerprint, load_private_key

    validate_key_name(name)
    directory = Path(key_dir).expanduser()
    if not directory.is_dir():
        raise EC2Error("ec2.key_dir_missing", path=str(directory))
    path = directory / f"{name}.pem"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o400)
    except FileExistsError:
        raise EC2Error("ec2.pem_exists", where=str(path), path=str(path)) from None
    except OSError as exc:
        raise EC2Error("ec2.pem_write", where=str(path), reason=exc.strerror or str(exc)) from None
    created = False
    try:
        os.fchmod(fd, 0o400)
        response = target.call(
            "create_key_pair", KeyName=name, KeyType=key_type, TagSpecifications=kit_tags("key-pair", run_tag)
        )
        created = True
        material = response["KeyMaterial"]
        os.write(fd, (material if material.endswith("\n") else material + "\n").encode("ascii"))
        os.close(fd)
        fd = -1
        ssh_fp = fingerprint(load_private_key(path))
    except BaseException:
        if fd >= 0:
            os.close(fd)
        path.unlink(missing_ok=True)
        if created:
            target.call("delete_key_pair", KeyName=name)
        raise
    argv = ["aws", "ec2", "create-key-pair", "--key-name", name]
    if key_type != "rsa":
        argv += ["--key-type", key_type]
    argv += [
        "--tag-specifications",
        kit_tags_cli("key-pair", run_tag),
        "--query",
        "KeyMaterial",
        "--output",
        "text",
    ]
    return Step(
        "create_key_pair",
        KeyPairResult(name, response.get("KeyPairId", ""), response["KeyFingerprint"], ssh_fp, path),
        python=f"ec2.create_key_pair(KeyName={name!r}, KeyType={key_type!r}, "
        f"TagSpecifications=[...])['KeyMaterial']  # saved to {path} (0400)",
        cli=[CliCommand(argv, stdout_to=path.name, private=True), CliCommand(["chmod", "400", path.name])],
        check=Query("DescribeKeyPairs", {"KeyNames": [name]}, "KeyPairs[0].KeyFingerprint"),
        notes=[t("ec2.note.pem_saved", path=path, fingerprint=ssh_fp)],
    )


def delete_key_pair(target: Target, name: str, *, pem: str | Path | None = None) -> Step:
    """Delete a key pair (EC2 does not complain about unknown names, so we look first) and its .pem."""
    target.call("describe_key_pairs", KeyNames=[name])  # InvalidKeyPair.NotFound -> a clear error
    target.call("delete_key_pair", KeyName=name)
    notes = []
    if pem is not None and Path(pem).exists():
        Path(pem).unlink()
        notes.append(t("ec2.note.pem_removed", path=pem))
    return Step(
        "delete_key_pair",
        name,
        python=f"ec2.delete_key_pair(KeyName={name!r})",
        cli=[CliCommand(["aws", "ec2", "delete-key-pair", "--key-name", name])],
        check=Query(
            "DescribeKeyPairs", {"Filters": [{"Name": "key-name", "Values": [name]}]}, "KeyPairs[].KeyName"
        ),
        notes=notes,
    )


def public_keys(target: Target, names: Sequence[str]) -> dict[str, str]:
    """The public key (``ssh-rsa AAAA...``, without comment) of each named key pair that EC2 reports;
    read before the key pairs go, so that their .pem files can be recognised afterwards."""
    if not names:
        return {}
    pairs = target.call("describe_key_pairs", KeyNames=list(names), IncludePublicKey=True)["KeyPairs"]
    return {pair["KeyName"]: " ".join(pair["PublicKey"].split()[:2])
            for pair in pairs if pair.get("PublicKey")}


def remove_key_files(keys: dict[str, str], folders: Iterable[str | Path] = (),
                     files: Iterable[str | Path] = ()) -> tuple[list[Path], list[str]]:
    """Remove the .pem files of deleted key pairs: ``<folder>/<name>.pem`` for each key pair ``name`` of
    ``keys`` (name -> public key, from :func:`public_keys`), and ``files``, each only when the private key
    in it is one of those key pairs'. Returns the files removed and a note for each file looked at."""
    candidates: dict[Path, set[str]] = {}  # file -> the public keys it may hold
    for folder in folders:
        for name, public in keys.items():
            candidates.setdefault(Path(folder).expanduser() / f"{name}.pem", set()).add(public)
    for file in files:
        candidates.setdefault(Path(file).expanduser(), set()).update(keys.values())
    removed: list[Path] = []
    notes: list[str] = []
    seen: set[Path] = set()
    for path, allowed in candidates.items():
        if not path.is_file() or path.resolve() in seen:
            continue
        seen.add(path.resolve())
        held, problem = _public_key_in(path)
        if problem:
            notes.append(t("ec2.note.pem_unreadable", path=path, reason=problem))
        elif held in allowed:
            path.unlink()
            removed.append(path)
            notes.append(t("ec2.note.pem_removed", path=path))
        else:
            notes.append(t("ec2.note.pem_kept", path=path))
    return removed, notes


def _public_key_in(path: Path) -> tuple[str, str | None]:
    """The public key of the private key in ``path`` (``type base64``), or why it cannot be read."""
    from bondkit.errors import SSHError
    from bondkit.ssh import load_private_key, public_key_line

    try:
        return public_key_line(load_private_key(path)), None
    except SSHError as exc:  # the reason without the path, which the note names already
        return "", t(exc.key, None, **exc.params)
