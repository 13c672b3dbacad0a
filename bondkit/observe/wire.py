"""Frames on the wire: a pcap file read into a frame, one row per Ethernet frame.

A failover is decided by frames nobody sees: the ARP request the client sends when its entry goes
stale, the gratuitous ARP a bond may send from its new active slave, the first frame that teaches the
switch where a MAC now lives. The lab captures them (QEMU's ``filter-dump``, see
:meth:`bondkit.lab.Lab.start_capture`); this module reads what it wrote. It knows just what a lesson
on bonding needs: the pcap file and record headers, Ethernet (with one optional 802.1Q tag), ARP and
IPv4 ICMP echo. Every other frame is kept as a row of kind ``ipv4``, ``ipv6`` or ``other``.
"""

from __future__ import annotations

import ipaddress
import struct
from pathlib import Path
from typing import Any

import pandas as pd

from bondkit.observe.common import fail

#: Columns of :func:`frames_frame`. ``t`` is the pcap time stamp in seconds (the capture's clock:
#: callers put it on another time line); ``nic`` is ``host/ifname`` and ``direction`` ``out`` (the NIC
#: sent it) or ``in`` (it received it); ``kind`` is one of :data:`KINDS`; ``gratuitous`` marks an ARP
#: whose sender and target address are the same (an announcement, not a question); ``sender_mac``,
#: ``sender_ip`` and ``target_ip`` come from the ARP body, or from the IPv4 header for ICMP;
#: ``icmp_seq`` is an echo's sequence number (-1 for others); ``length`` the frame's length in bytes.
FRAME_COLUMNS = ("t", "nic", "direction", "src_mac", "dst_mac", "kind", "gratuitous", "sender_mac",
                 "sender_ip", "target_ip", "icmp_seq", "length")
KINDS = ("arp-request", "arp-reply", "icmp-request", "icmp-reply", "ipv4", "ipv6", "other")

#: pcap magic numbers: microsecond and nanosecond time stamps (either byte order).
_MAGICS = {0xA1B2C3D4: 1e-6, 0xA1B23C4D: 1e-9}
LINKTYPE_ETHERNET = 1
_GLOBAL = struct.Struct("IHHiIII")
_RECORD = struct.Struct("IIII")
ETH_ARP, ETH_IPV4, ETH_IPV6, ETH_VLAN = 0x0806, 0x0800, 0x86DD, 0x8100


def read_pcap(data: bytes, source: str = "<pcap>") -> list[tuple[float, bytes]]:
    """The records of a pcap file as (time stamp in seconds, captured bytes).

    The file must be a whole pcap file of Ethernet frames; anything else is an ObserveError naming
    ``source`` and the record where it went wrong.
    """
    if len(data) < _GLOBAL.size:
        fail("observe.pcap.not_pcap", source)
    order = ""
    for candidate in "<>":
        if struct.unpack(candidate + "I", data[:4])[0] in _MAGICS:
            order = candidate
    if not order:
        fail("observe.pcap.not_pcap", source)
    magic, _major, _minor, _zone, _sigfigs, _snaplen, linktype = struct.unpack(order + _GLOBAL.format,
                                                                                data[:_GLOBAL.size])
    if linktype != LINKTYPE_ETHERNET:
        fail("observe.pcap.linktype", source, linktype=linktype)
    unit = _MAGICS[magic]
    header = struct.Struct(order + _RECORD.format)
    records, offset, number = [], _GLOBAL.size, 0
    while offset < len(data):
        number += 1
        if offset + header.size > len(data):
            fail("observe.pcap.truncated", f"{source}#{number}")
        seconds, fraction, captured, _length = header.unpack_from(data, offset)
        offset += header.size
        if offset + captured > len(data):
            fail("observe.pcap.truncated", f"{source}#{number}")
        records.append((seconds + fraction * unit, data[offset:offset + captured]))
        offset += captured
    return records


def _mac(raw: bytes) -> str:
    return ":".join(f"{byte:02x}" for byte in raw)


def _ip(raw: bytes) -> str:
    return str(ipaddress.IPv4Address(raw))


def decode_frame(frame: bytes) -> dict[str, Any]:
    """One Ethernet frame's fields (the columns of :data:`FRAME_COLUMNS` after ``direction``)."""
    row: dict[str, Any] = {"src_mac": "", "dst_mac": "", "kind": "other", "gratuitous": False,
                           "sender_mac": "", "sender_ip": "", "target_ip": "", "icmp_seq": -1,
                           "length": len(frame)}
    if len(frame) < 14:
        return row
    row["dst_mac"], row["src_mac"] = _mac(frame[0:6]), _mac(frame[6:12])
    ethertype, body = struct.unpack("!H", frame[12:14])[0], frame[14:]
    if ethertype == ETH_VLAN and len(body) >= 4:
        ethertype, body = struct.unpack("!H", body[2:4])[0], body[4:]
    if ethertype == ETH_ARP:
        _arp(body, row)
    elif ethertype == ETH_IPV4:
        _ipv4(body, row)
    elif ethertype == ETH_IPV6:
        row["kind"] = "ipv6"
    return row


def _arp(body: bytes, row: dict[str, Any]) -> None:
    if len(body) < 28:
        return
    htype, ptype, hlen, plen, op = struct.unpack("!HHBBH", body[:8])
    if (htype, ptype, hlen, plen) != (1, ETH_IPV4, 6, 4) or op not in (1, 2):
        return
    row["kind"] = "arp-request" if op == 1 else "arp-reply"
    row["sender_mac"] = _mac(body[8:14])
    row["sender_ip"], row["target_ip"] = _ip(body[14:18]), _ip(body[24:28])
    row["gratuitous"] = row["sender_ip"] == row["target_ip"]


def _ipv4(body: bytes, row: dict[str, Any]) -> None:
    if len(body) < 20 or body[0] >> 4 != 4:
        return
    row["kind"] = "ipv4"
    row["sender_mac"] = row["src_mac"]
    row["sender_ip"], row["target_ip"] = _ip(body[12:16]), _ip(body[16:20])
    header = (body[0] & 0x0F) * 4
    icmp = body[header:]
    if body[9] == 1 and len(icmp) >= 8 and icmp[0] in (0, 8):
        row["kind"] = "icmp-request" if icmp[0] == 8 else "icmp-reply"
        row["icmp_seq"] = struct.unpack("!H", icmp[6:8])[0]


def frames_frame(records: list[tuple[float, bytes]], nic: str, direction: str) -> pd.DataFrame:
    """:func:`read_pcap`'s records of one NIC and direction as a frame with :data:`FRAME_COLUMNS`."""
    rows = [{"t": stamp, "nic": nic, "direction": direction, **decode_frame(frame)}
            for stamp, frame in records]
    return typed(pd.DataFrame(rows, columns=list(FRAME_COLUMNS)))


def typed(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (with :data:`FRAME_COLUMNS`) with each column's type, e.g. after reading a CSV."""
    frame = frame.copy()
    for column in ("nic", "direction", "src_mac", "dst_mac", "kind", "sender_mac", "sender_ip", "target_ip"):
        frame[column] = frame[column].fillna("").astype(str)
    # A CSV gives "True"/"False" as text, which ``bool`` would read as True both.
    frame["gratuitous"] = [value in (True, "True", "true", "1") for value in frame["gratuitous"]]
    return frame.astype({"t": "float64", "gratuitous": bool, "icmp_seq": "int64", "length": "int64"})


def read_capture(path: str | Path, nic: str, direction: str) -> pd.DataFrame:
    """A pcap file's frames (:func:`frames_frame`); a file QEMU never wrote is no frame at all."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return frames_frame([], nic, direction)
    except OSError as error:
        fail("observe.cannot_read", str(path), reason=str(error))
    return frames_frame(read_pcap(data, str(path)), nic, direction)
