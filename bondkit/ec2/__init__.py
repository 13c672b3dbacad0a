"""The EC2 tutorial, one function per step, each with its `aws` CLI twin.

Every step returns a :class:`Step`: the result the student needs, the boto3 call as Python text, the
exact ``aws ...`` command line(s) that do the same, and a read-only *check* (a query run both by boto3
and by the `aws` CLI, see :mod:`bondkit.ec2.twin`) that shows the two tools see the same state.

Where the calls go is a :class:`Target`: the embedded endpoint (default; see :mod:`bondkit.ec2.emulator`)
or real AWS, only with ``Target.aws(..., confirm=...)``. Everything the kit creates carries a tag whose
key starts with ``bondkit``; :func:`cleanup` acts on those tags and nothing else.

This module is the one door notebooks and scripts use (``from bondkit import ec2``); each step lives in
the module of the resource it handles.
"""

from __future__ import annotations

from bondkit.ec2.emulator import DEFAULT_REGION
from bondkit.ec2.groups import SECURITY_GROUP_NAME, SecurityGroupResult, caller_cidr, ensure_security_group
from bondkit.ec2.images import CANONICAL_OWNER, TUTORIAL_IMAGE_ID, ImageResult, find_image, find_ubuntu_image
from bondkit.ec2.instances import (
    TUTORIAL_FILTER,
    TUTORIAL_INSTANCE_TYPE,
    TUTORIAL_QUERY,
    InstanceResult,
    describe,
    describe_instances,
    filters_from_cli,
    run_instances,
    wait_running,
)
from bondkit.ec2.keys import TUTORIAL_KEY_NAME, KeyPairResult, create_key_pair, delete_key_pair
from bondkit.ec2.profile import Configured, configure
from bondkit.ec2.ssh import SSHResult, ssh_to_instance
from bondkit.ec2.step import Check, CliCommand, ConfigCheck, Query, Step, as_json
from bondkit.ec2.tags import LAB_GUEST_TAG, LAB_KEYS_TAG, TAG_KEY
from bondkit.ec2.target import Target, ask_in_terminal, open_target
from bondkit.ec2.teardown import KitResources, cleanup, remaining, terminate_instances

__all__ = [
    "CANONICAL_OWNER",
    "DEFAULT_REGION",
    "LAB_GUEST_TAG",
    "LAB_KEYS_TAG",
    "SECURITY_GROUP_NAME",
    "TAG_KEY",
    "TUTORIAL_FILTER",
    "TUTORIAL_IMAGE_ID",
    "TUTORIAL_INSTANCE_TYPE",
    "TUTORIAL_KEY_NAME",
    "TUTORIAL_QUERY",
    "Check",
    "CliCommand",
    "ConfigCheck",
    "Configured",
    "ImageResult",
    "InstanceResult",
    "KeyPairResult",
    "KitResources",
    "Query",
    "SSHResult",
    "SecurityGroupResult",
    "Step",
    "Target",
    "as_json",
    "ask_in_terminal",
    "caller_cidr",
    "cleanup",
    "configure",
    "create_key_pair",
    "delete_key_pair",
    "describe",
    "describe_instances",
    "ensure_security_group",
    "filters_from_cli",
    "find_image",
    "find_ubuntu_image",
    "open_target",
    "remaining",
    "run_instances",
    "ssh_to_instance",
    "terminate_instances",
    "wait_running",
]
