"""What every format parser shares: safe text, names and addresses, and one place for problems.

Parsers meet two kinds of trouble. Some make a file unreadable (binary junk, broken YAML, a line that is not
``KEY=value``): those always raise ConfigError with the file and line. Others leave it readable but its
meaning wrong or lossy (an unknown key, a bad value, a slave whose MASTER names no bond): ``show`` and
``convert`` must stop on them, while ``lint`` wants all of them at once. A Collector does either, so each
parser is written once.
"""

from __future__ import annotations

import ipaddress
import re
import shlex

from bondkit.errors import ConfigError
from bondkit.spec import BondSpec, Location, Note

#: Characters no configuration text contains: C0/C1 controls (but tab), DEL, and the line separators
#: that YAML counts as line breaks but ``str.split("\n")`` does not (line numbers would disagree).
_JUNK = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")

#: The kernel's dev_valid_name(): 1-15 bytes, not "." or "..", no "/", ":" or whitespace.
_IFNAME = re.compile(r"[^\s/:]{1,15}")
_MAC = re.compile(r"[0-9a-f]{2}(:[0-9a-f]{2}){5}")
#: An IPoIB hardware address: 20 bytes (4 of queue pair number, 16 of port GID), as HWADDR, netplan's
#: match: macaddress and NetworkManager's infiniband.mac-address write it.
_IB_HWADDR = re.compile(r"[0-9a-f]{2}(:[0-9a-f]{2}){19}")


def decode(data: bytes, source: str) -> str:
    """UTF-8 text of a file, or ConfigError at the line where it stops being text."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError("formats.binary", source=source, line=data[: exc.start].count(b"\n") + 1) from None
    return text


def lines(text: str, source: str) -> list[str]:
    """The lines of ``text`` (CRLF accepted); ConfigError for junk characters or a file with nothing in it."""
    result = text.split("\n")
    for number, line in enumerate(result, 1):
        line = line[:-1] if line.endswith("\r") else line
        result[number - 1] = line
        if _JUNK.search(line) or "\r" in line:
            raise ConfigError("formats.binary", source=source, line=number)
    if not any(line.strip() and not line.lstrip().startswith("#") for line in result):
        raise ConfigError("formats.empty", source=source, line=1)
    return result


def logical_lines(text: str, source: str) -> list[tuple[int, str]]:
    """Lines with backslash continuations joined, each numbered by where it starts (shell scripts)."""
    result: list[tuple[int, str]] = []
    pending, start = "", 0
    for number, line in enumerate(lines(text, source), 1):
        if not pending:
            start = number
        if line.endswith("\\") and not line.endswith("\\\\"):
            pending += line[:-1] + " "
            continue
        result.append((start, pending + line))
        pending = ""
    if pending:
        result.append((start, pending))
    return result


def shell_words(text: str, where: Location) -> list[str]:
    """Split one line as the shell would (quotes, ``#`` comments), or ConfigError."""
    try:
        return shlex.split(text, comments=True)
    except ValueError as exc:
        raise ConfigError("formats.shell_syntax", source=where.source, line=where.line,
                          problem=str(exc)) from None


def shell_quote(value: str) -> str:
    """A value as a shell word, bare when it is plain, so rendered files look like hand-written ones."""
    if value and re.fullmatch(r"[A-Za-z0-9_.,:/+@%=-]+", value):
        return value
    if not re.search(r'["$`\\!]', value):
        return f'"{value}"'
    return shlex.quote(value)


class Collector:
    """Problems met while parsing: raised at once (``notes is None``) or kept for lint.

    A note about one bond goes on that bond (``spec.notes``) so that ``lint(specs)`` sees it too; a note
    that belongs to no bond (a slave of a bond that does not exist) goes into ``notes``.
    """

    def __init__(self, notes: list[Note] | None = None) -> None:
        self.notes = notes

    @property
    def strict(self) -> bool:
        return self.notes is None

    def problem(self, rule: str, message: str, where: Location | None, spec: BondSpec | None = None,
                **params: object) -> None:
        """Something that changes or loses meaning: an error for show/convert, a finding for lint.

        ``rule`` is the lint rule id, ``message`` the catalog key of the text.
        """
        if self.notes is None:
            raise ConfigError(message, source=where.source if where else None,
                              line=where.line if where else None, **params)
        self._keep(Note(rule, message, where, params), spec)

    def notice(self, rule: str, message: str, where: Location | None, spec: BondSpec | None = None,
               **params: object) -> None:
        """Something worth telling that does not stop a conversion (a deprecated key)."""
        self._keep(Note(rule, message, where, params), spec)

    def _keep(self, note: Note, spec: BondSpec | None) -> None:
        if spec is not None:
            spec.notes.append(note)
        elif self.notes is not None:
            self.notes.append(note)

    def set_option(self, spec: BondSpec, name: str, value: object, where: Location) -> None:
        """``spec.set_option``, with a bad value turned into a problem instead of an abort."""
        try:
            spec.set_option(name, value, where)
        except ConfigError as exc:
            self.problem("bad-value", exc.key, where, spec, **exc.params)

    def ifname(self, name: str, where: Location, spec: BondSpec | None = None) -> bool:
        """Whether ``name`` can be a Linux interface name; a problem when not."""
        if _IFNAME.fullmatch(name) and len(name.encode()) < 16 and name not in (".", ".."):
            return True
        self.problem("bad-value", "formats.bad_ifname", where, spec, name=name)
        return False

    def address(self, text: str, where: Location, spec: BondSpec | None = None) -> str | None:
        """An interface address in canonical CIDR form ("192.168.99.101/24"); a prefix is required."""
        try:
            if "/" not in text:
                raise ValueError(text)
            return str(ipaddress.ip_interface(text.strip()))
        except ValueError:
            self.problem("bad-value", "formats.bad_address", where, spec, value=text)
            return None

    def ip(self, text: str, where: Location, spec: BondSpec | None = None) -> str | None:
        """A plain IPv4/IPv6 address (a gateway, a next hop) in canonical form."""
        try:
            return str(ipaddress.ip_address(text.strip()))
        except ValueError:
            self.problem("bad-value", "formats.bad_ip", where, spec, value=text)
            return None

    def network(self, text: str, where: Location, spec: BondSpec | None = None) -> str | None:
        """A route destination in canonical form; host bits are dropped as ``ip route`` does."""
        try:
            return str(ipaddress.ip_network(text.strip(), strict=False))
        except ValueError:
            self.problem("bad-value", "formats.bad_network", where, spec, value=text)
            return None

    def mac(self, text: str, where: Location, spec: BondSpec | None = None,
            hardware: bool = False) -> str | None:
        """A MAC address in canonical form; with ``hardware`` (a NIC's permanent address, which a
        configuration pins a port to), an InfiniBand port's twenty-byte address too."""
        value = text.strip().lower().replace("-", ":")
        if _MAC.fullmatch(value) or (hardware and _IB_HWADDR.fullmatch(value)):
            return value
        self.problem("bad-value", "formats.bad_mac", where, spec, value=text)
        return None


def is_v6(address: str) -> bool:
    return ":" in address


def split_addresses(addresses: list[str]) -> tuple[list[str], list[str]]:
    """IPv4 and IPv6 addresses apart, order kept: ifcfg and nmcli keep them in separate keys."""
    return [a for a in addresses if not is_v6(a)], [a for a in addresses if is_v6(a)]
