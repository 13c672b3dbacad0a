"""What every parser of kernel output shares: the kinds it reads, and text that is known to be text.

A recorded file may be empty, binary, UTF-8 with a byte order mark, CRLF-ended or coloured by ``ip -c``;
every parser gets its lines through :func:`checked_lines`, so each refuses the same junk the same way,
with an :class:`~bondkit.errors.ObserveError` naming the file and line.
"""

from __future__ import annotations

import re
from typing import NoReturn

from bondkit.errors import ObserveError

KINDS = ("proc-bonding", "ip-link", "ip-link-json", "ping")

#: The command whose output each kind is, for messages.
COMMANDS = {
    "proc-bonding": "cat /proc/net/bonding/<bond>",
    "ip-link": "ip link show",
    "ip-link-json": "ip -d -j link show",
    "ping": "ping -D -O",
}


_ANSI_COLOUR = re.compile(r"\x1b\[[0-9;]*m")  # `ip -c` colours names and addresses
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def fail(key: str, source: str, line: int | None = None, **params: object) -> NoReturn:
    raise ObserveError(key, where=f"{source}:{line}" if line else source, **params)


def checked_text(text: object, source: str) -> str:
    """The text once it is known to be non-empty text (not bytes that are not UTF-8, not binary junk).

    ``ip -c`` colour codes and a UTF-8 byte order mark are dropped.
    """
    if isinstance(text, bytes | bytearray):
        text = decode(bytes(text), source)
    if not isinstance(text, str):
        fail("observe.not_text", source)
    text = _ANSI_COLOUR.sub("", text.removeprefix("\ufeff"))
    if not text.strip():
        fail("observe.empty", source)
    unix = text.replace("\r\n", "\n")
    bad = _CONTROL.search(unix)
    if bad:
        fail("observe.binary", source, unix.count("\n", 0, bad.start()) + 1)
    return text


def checked_lines(text: object, source: str) -> list[str]:
    """The lines of :func:`checked_text`, with ``\\r\\n`` endings accepted."""
    return [line.removesuffix("\r") for line in checked_text(text, source).split("\n")]


def decode(data: bytes, source: str = "<bytes>") -> str:
    """Bytes read from a file or a remote command as text; binary data is a student error, not a crash."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        fail("observe.binary", source, data.count(b"\n", 0, exc.start) + 1)
