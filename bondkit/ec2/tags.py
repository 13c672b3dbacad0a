"""The tags that mark what the kit made: cleanup removes those and nothing else.

Why tags and not a list kept on disk: a list is lost with the notebook's kernel; tags stay on the
resources, so ``bondkit ec2 cleanup`` finds them from any process, even after a crash.
"""

from __future__ import annotations

from typing import Any

__all__ = ["LAB_GUEST_TAG", "LAB_KEYS_TAG", "TAG_KEY", "is_kit_tagged", "kit_tags", "kit_tags_cli"]

TAG_KEY = "bondkit"  # on everything the kit makes; cleanup acts on tag keys that start with it
LAB_GUEST_TAG = "bondkit:lab-guest"  # the lab guest standing for an instance (emulator mode)
LAB_KEYS_TAG = "bondkit:lab-authorized-keys"  # the file on that guest holding the instance's key


def kit_tags(resource_type: str, run_tag: str) -> list[dict[str, Any]]:
    """``TagSpecifications`` for a create call, so the resource is the kit's from its first moment."""
    return [{"ResourceType": resource_type, "Tags": [{"Key": TAG_KEY, "Value": run_tag}]}]


def kit_tags_cli(resource_type: str, run_tag: str) -> str:
    """:func:`kit_tags` in the CLI's shorthand syntax (``--tag-specifications``)."""
    return f"ResourceType={resource_type},Tags=[{{Key={TAG_KEY},Value={run_tag}}}]"


def is_kit_tagged(resource: dict[str, Any]) -> bool:
    return any(tag.get("Key", "").startswith(TAG_KEY) for tag in resource.get("Tags") or [])
