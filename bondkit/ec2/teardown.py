"""Ending the tutorial: terminating instances, and removing everything the kit made (its tags say what).

Why in dependency order: a security group cannot go while an instance uses it, and on AWS it can stay
"in use" for a while after its instances terminate, so groups go after instances, with a bounded wait.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bondkit.ec2.instances import LIVE_STATES, describe, ids_query, validate_ids, wait_for
from bondkit.ec2.keys import delete_key_pair, public_keys, remove_key_files
from bondkit.ec2.ssh import release_guests
from bondkit.ec2.step import CliCommand, Query, Step
from bondkit.ec2.tags import is_kit_tagged
from bondkit.ec2.target import Target
from bondkit.errors import EC2Error
from bondkit.i18n import t

__all__ = ["KitResources", "cleanup", "remaining", "terminate_instances"]


def terminate_instances(
    target: Target, instance_ids: Sequence[str], *, wait: bool = True, lab: Any = None
) -> Step:
    """Terminate instances (known ids only) and, in emulator mode, take their key off the lab guest."""
    ids = validate_ids(instance_ids)
    instances = describe(target, ids)  # unknown ids fail here, before anything changes
    notes = release_guests(target, instances, lab=lab)
    response = target.call("terminate_instances", InstanceIds=ids)
    changes = [
        {
            "InstanceId": c["InstanceId"],
            "PreviousState": c["PreviousState"]["Name"],
            "CurrentState": c["CurrentState"]["Name"],
        }
        for c in response["TerminatingInstances"]
    ]
    if wait:
        wait_for(target, "instance_terminated", ids, timeout=600 if target.real else 30)
    return Step(
        "terminate_instances",
        changes,
        python=f"ec2.terminate_instances(InstanceIds={ids!r})",
        cli=[CliCommand(["aws", "ec2", "terminate-instances", "--instance-ids", *ids])],
        check=ids_query(ids, "State.Name"),
        notes=notes,
    )


@dataclass
class KitResources:
    """Everything in the target that carries a ``bondkit*`` tag key (instances: only live ones)."""

    instances: list[str]
    security_groups: list[str]
    key_pairs: list[str]

    def empty(self) -> bool:
        return not (self.instances or self.security_groups or self.key_pairs)


def remaining(target: Target) -> KitResources:
    """What the kit made and is still there (terminated instances do not count)."""
    reservations = Query(
        "DescribeInstances",
        {
            "Filters": [
                {
                    "Name": "instance-state-name",
                    "Values": [*LIVE_STATES, "stopping", "stopped", "shutting-down"],
                }
            ]
        },
        "Reservations[].Instances[]",
    ).run(target)
    instances = [i["InstanceId"] for i in reservations if is_kit_tagged(i)]
    groups = [
        g["GroupId"] for g in target.call("describe_security_groups")["SecurityGroups"] if is_kit_tagged(g)
    ]
    keys = [k["KeyName"] for k in target.call("describe_key_pairs")["KeyPairs"] if is_kit_tagged(k)]
    return KitResources(instances, groups, keys)


def cleanup(target: Target, *, lab: Any = None, key_dirs: Iterable[str | Path] = (),
            pem_files: Iterable[str | Path] = ()) -> Step:
    """Remove every instance, security group and key pair tagged ``bondkit*``, in dependency order,
    and the .pem files of those key pairs.

    Only resources with such a tag are touched. A key pair's file is looked for as ``<name>.pem`` in each
    of ``key_dirs`` (where the walkthrough saved it), and ``pem_files`` are files the kit wrote; either
    goes only if the private key in it is a deleted key pair's (a notes line says so for each file).
    """
    found = remaining(target)
    keys = public_keys(target, found.key_pairs)
    cli: list[CliCommand] = []
    if found.instances:
        cli += terminate_instances(target, found.instances, lab=lab).cli
    for group_id in found.security_groups:
        _delete_group(target, group_id)
        cli.append(CliCommand(["aws", "ec2", "delete-security-group", "--group-id", group_id]))
    for name in found.key_pairs:
        cli += delete_key_pair(target, name).cli
    removed_files, file_notes = remove_key_files(keys, key_dirs, pem_files)
    notes = [
        *file_notes,
        t(
            "ec2.note.cleanup",
            instances=len(found.instances),
            groups=len(found.security_groups),
            keys=len(found.key_pairs),
            files=len(removed_files),
        ),
    ]
    return Step(
        "cleanup",
        found,
        python="bondkit.ec2.cleanup(target)  # tag keys starting with 'bondkit'",
        cli=cli,
        check=None,
        notes=notes,
    )


def _delete_group(target: Target, group_id: str) -> None:
    """Delete a group; on AWS it can stay in use for a while after its instances terminate."""
    deadline = time.monotonic() + (120 if target.real else 0)
    while True:
        try:
            target.call("delete_security_group", GroupId=group_id)
            return
        except EC2Error as exc:
            if exc.key != "ec2.dependency" or time.monotonic() >= deadline:
                raise
            time.sleep(5)
