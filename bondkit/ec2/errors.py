"""botocore's failures told to the student: each becomes an EC2Error in their language, never a traceback.

Why a table of codes: EC2's error codes (``InvalidKeyPair.NotFound``...) are stable and tell exactly what
the student got wrong; the English message from AWS is kept as a detail, the explanation is translated.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from functools import cache

from botocore import exceptions as bx

from bondkit.errors import EC2Error

__all__ = ["check_region", "ec2_regions", "translated"]

# EC2 error code -> catalog key. Codes not listed fall back to ec2.api_error (code and AWS's text shown).
_CODES = {
    "InvalidKeyPair.NotFound": "ec2.key_pair_not_found",
    "InvalidKeyPair.Duplicate": "ec2.key_pair_duplicate",
    "InvalidKeyPair.Format": "ec2.invalid_parameter",
    "InvalidInstanceID.NotFound": "ec2.instance_not_found",
    "InvalidInstanceID.Malformed": "ec2.instance_id_malformed",
    "InvalidAMIID.NotFound": "ec2.image_not_found",
    "InvalidAMIID.Malformed": "ec2.image_not_found",
    "InvalidAMIID.Unavailable": "ec2.image_not_found",
    "InvalidGroup.NotFound": "ec2.group_not_found",
    "InvalidGroupId.Malformed": "ec2.group_not_found",
    "InvalidGroup.Duplicate": "ec2.group_duplicate",
    "DependencyViolation": "ec2.dependency",
    "AuthFailure": "ec2.bad_credentials",
    "InvalidClientTokenId": "ec2.bad_credentials",
    "SignatureDoesNotMatch": "ec2.bad_credentials",
    "UnrecognizedClientException": "ec2.bad_credentials",
    "RequestExpired": "ec2.clock_skew",
    "UnauthorizedOperation": "ec2.unauthorized",
    "OptInRequired": "ec2.opt_in",
    "InstanceLimitExceeded": "ec2.limit",
    "VcpuLimitExceeded": "ec2.limit",
    "InsufficientInstanceCapacity": "ec2.capacity",
    "InvalidParameterValue": "ec2.invalid_parameter",
    "InvalidParameterCombination": "ec2.invalid_parameter",
    "MissingParameter": "ec2.invalid_parameter",
    "InvalidParameter": "ec2.invalid_parameter",
    "Unsupported": "ec2.invalid_parameter",
}


@cache
def ec2_regions() -> tuple[str, ...]:
    """The regions EC2 has in the standard partition, from botocore's bundled data (no network)."""
    import boto3

    return tuple(sorted(boto3.session.Session().get_available_regions("ec2")))


def check_region(region: str) -> str:
    """Refuse an unknown region before any call is made, naming the valid ones."""
    if region not in ec2_regions():
        raise EC2Error("ec2.unknown_region", region=region, valid=", ".join(ec2_regions()))
    return region


def _client_error(exc: bx.ClientError, operation: str, where: str | None) -> EC2Error:
    error = exc.response.get("Error", {})
    code, detail = str(error.get("Code", "?")), str(error.get("Message", ""))
    key = _CODES.get(code, "ec2.api_error")
    return EC2Error(key, where=where, operation=operation, code=code, detail=detail)


@contextlib.contextmanager
def translated(operation: str, *, where: str | None = None, endpoint: str | None = None) -> Iterator[None]:
    """Run EC2 calls and turn any botocore failure into an EC2Error naming the operation and ``where``."""
    try:
        yield
    except bx.ClientError as exc:
        raise _client_error(exc, operation, where) from None
    except (bx.NoCredentialsError, bx.PartialCredentialsError, bx.CredentialRetrievalError):
        raise EC2Error("ec2.no_credentials", where=where, operation=operation) from None
    except (
        bx.EndpointConnectionError,
        bx.ConnectTimeoutError,
        bx.ConnectionClosedError,
        bx.ReadTimeoutError,
    ) as exc:
        url = endpoint or getattr(exc, "kwargs", {}).get("endpoint_url", "?")
        raise EC2Error("ec2.endpoint_down", where=where, operation=operation, endpoint=url) from None
    except bx.NoRegionError:
        raise EC2Error("ec2.no_region", where=where, operation=operation) from None
    except bx.ParamValidationError as exc:
        raise EC2Error(
            "ec2.invalid_parameter", where=where, operation=operation, code="ParamValidation", detail=str(exc)
        ) from None
    except bx.WaiterError as exc:
        raise EC2Error("ec2.wait_failed", where=where, operation=operation, detail=str(exc)) from None
    except bx.BotoCoreError as exc:
        raise EC2Error(
            "ec2.api_error", where=where, operation=operation, code=type(exc).__name__, detail=str(exc)
        ) from None
