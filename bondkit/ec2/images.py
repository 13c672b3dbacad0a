"""The image to launch: the tutorial's AMI id, or else the newest Canonical Ubuntu found by filter.

Why both: the tutorial's id is long gone on real AWS (the emulator knows it), and a hard-coded id goes
stale, so the kit falls back to a filter that works on AWS and on the emulator alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bondkit.ec2.emulator import CANONICAL_OWNER, TUTORIAL_IMAGE_ID
from bondkit.ec2.step import Query, Step
from bondkit.ec2.target import Target
from bondkit.errors import EC2Error
from bondkit.i18n import t

__all__ = ["CANONICAL_OWNER", "TUTORIAL_IMAGE_ID", "ImageResult", "find_image", "find_ubuntu_image"]


@dataclass
class ImageResult:
    image_id: str
    name: str
    description: str
    owner_id: str
    created: str


#: What a check shows of an image (a JMESPath projection).
_IMAGE_FIELDS = "{ImageId: ImageId, Name: Name, Created: CreationDate}"


def _image(raw: dict[str, Any]) -> ImageResult:
    return ImageResult(
        raw["ImageId"],
        raw.get("Name", ""),
        raw.get("Description", ""),
        raw.get("OwnerId", ""),
        str(raw.get("CreationDate", "")),
    )


def find_image(target: Target, image_id: str = TUTORIAL_IMAGE_ID) -> Step:
    """Look the image up by id (the tutorial's by default); a missing one is refused with a way out."""
    malformed = not re.fullmatch(r"ami-[0-9a-f]{8,17}", image_id)
    images = [] if malformed else target.call("describe_images", ImageIds=[image_id])["Images"]
    if not images:
        code = "InvalidAMIID.Malformed" if malformed else "InvalidAMIID.NotFound"
        raise EC2Error(
            "ec2.image_not_found", where=target.where, operation="describe_images", code=code, detail=image_id
        )
    query = Query("DescribeImages", {"ImageIds": [image_id]}, f"Images[].{_IMAGE_FIELDS}")
    return Step("find_image", _image(images[0]), python=query.python(), cli=[query.cli()], check=query)


def find_ubuntu_image(target: Target, release: str = "24.04", arch: str = "amd64") -> Step:
    """The newest Canonical Ubuntu ``release`` image, by filter, instead of a stale hard-coded id.

    On AWS, Canonical also publishes the id as an SSM parameter; the emulator has no such parameter, so
    the kit uses the filter that works on both.
    """
    pattern = f"ubuntu/images/hvm-ssd*/ubuntu-*-{release}-{arch}-server-*"
    params = {
        "Owners": [CANONICAL_OWNER],
        "Filters": [
            {"Name": "name", "Values": [pattern]},
            {"Name": "state", "Values": ["available"]},
            {"Name": "architecture", "Values": ["arm64" if arch == "arm64" else "x86_64"]},
        ],
    }
    images = target.call("describe_images", **params)["Images"]
    if not images:
        raise EC2Error("ec2.no_ubuntu_image", where=target.where, release=release, arch=arch)
    newest = max(images, key=lambda image: str(image.get("CreationDate", "")))
    query = Query("DescribeImages", params, f"sort_by(Images, &CreationDate)[-1].{_IMAGE_FIELDS}")
    return Step(
        "find_ubuntu_image",
        _image(newest),
        python=query.python(),
        cli=[query.cli()],
        check=query,
        notes=[t("ec2.note.ssm_ubuntu", release=release)],
    )
