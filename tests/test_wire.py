"""Frames on the wire: the pcap reader, the clock alignment of a capture, the frames in a Run, and on
the live lab what a bond puts on the wire at a failover.

The reader is tested on pcap bytes laid out here field by field (both byte orders, both time units,
an 802.1Q tag, a file cut short) and, in the lab tests, on what QEMU's own ``filter-dump`` wrote.
"""

from __future__ import annotations

import gzip
import struct

import numpy as np
import pandas as pd
import pytest

from bondkit.errors import ObserveError
from bondkit.failover import MODES, Run, RunParams, run_failover
from bondkit.failover.runner import align_frames, kept_frames
from bondkit.failover.store import default_runs_dir
from bondkit.observe.wire import FRAME_COLUMNS, decode_frame, frames_frame, read_capture, read_pcap

CLIENT_MAC, SERVER_MAC = bytes.fromhex("080027e9faf3"), bytes.fromhex("080027ad1bac")
CLIENT_IP, SERVER_IP = bytes([192, 168, 99, 101]), bytes([192, 168, 99, 102])
BROADCAST = b"\xff" * 6


def ethernet(dst: bytes, src: bytes, ethertype: int, body: bytes, vlan: int | None = None) -> bytes:
    tag = struct.pack("!HH", 0x8100, vlan) if vlan is not None else b""
    return dst + src + tag + struct.pack("!H", ethertype) + body


def arp(op: int, sender_mac: bytes, sender_ip: bytes, target_mac: bytes, target_ip: bytes) -> bytes:
    return struct.pack("!HHBBH", 1, 0x0800, 6, 4, op) + sender_mac + sender_ip + target_mac + target_ip


def echo(kind: int, seq: int, src: bytes, dst: bytes) -> bytes:
    icmp = struct.pack("!BBHHH", kind, 0, 0, 0x1234, seq) + b"x" * 8
    header = struct.pack("!BBHHHBBH", 0x45, 0, 20 + len(icmp), 0, 0, 64, 1, 0) + src + dst
    return header + icmp


def pcap(records: list[tuple[float, bytes]], order: str = "<", nanoseconds: bool = False,
         linktype: int = 1) -> bytes:
    magic = 0xA1B23C4D if nanoseconds else 0xA1B2C3D4
    out = struct.pack(order + "IHHiIII", magic, 2, 4, 0, 0, 65535, linktype)
    unit = 1e9 if nanoseconds else 1e6
    for stamp, frame in records:
        seconds = int(stamp)
        out += struct.pack(order + "IIII", seconds, round((stamp - seconds) * unit), len(frame), len(frame))
        out += frame
    return out


GARP = ethernet(BROADCAST, SERVER_MAC, 0x0806, arp(1, SERVER_MAC, SERVER_IP, b"\0" * 6, SERVER_IP))
WHO_HAS = ethernet(BROADCAST, SERVER_MAC, 0x0806, arp(1, SERVER_MAC, SERVER_IP, b"\0" * 6, CLIENT_IP))
IS_AT = ethernet(SERVER_MAC, CLIENT_MAC, 0x0806, arp(2, CLIENT_MAC, CLIENT_IP, SERVER_MAC, SERVER_IP))


# ------------------------------------------------------------------------------------------ the reader


@pytest.mark.parametrize("order", ["<", ">"])
@pytest.mark.parametrize("nanoseconds", [False, True])
def test_pcap_records_in_either_byte_order_and_time_unit(order, nanoseconds):
    records = read_pcap(pcap([(100.25, GARP), (101.5, IS_AT)], order, nanoseconds))
    assert [frame for _, frame in records] == [GARP, IS_AT]
    assert [stamp for stamp, _ in records] == pytest.approx([100.25, 101.5], abs=1e-6)


def test_arp_frames_say_request_reply_and_gratuitous():
    garp, who_has, is_at = (decode_frame(frame) for frame in (GARP, WHO_HAS, IS_AT))
    assert (garp["kind"], garp["gratuitous"], garp["sender_ip"], garp["target_ip"]) == \
        ("arp-request", True, "192.168.99.102", "192.168.99.102")
    assert garp["dst_mac"] == "ff:ff:ff:ff:ff:ff" and garp["sender_mac"] == "08:00:27:ad:1b:ac"
    assert (who_has["kind"], who_has["gratuitous"]) == ("arp-request", False)
    assert who_has["target_ip"] == "192.168.99.101"
    assert (is_at["kind"], is_at["gratuitous"], is_at["src_mac"]) == ("arp-reply", False, "08:00:27:e9:fa:f3")


def test_icmp_echoes_carry_their_sequence_number_and_other_frames_their_family():
    request = decode_frame(ethernet(SERVER_MAC, CLIENT_MAC, 0x0800, echo(8, 7, CLIENT_IP, SERVER_IP)))
    reply = decode_frame(ethernet(CLIENT_MAC, SERVER_MAC, 0x0800, echo(0, 7, SERVER_IP, CLIENT_IP)))
    assert (request["kind"], request["icmp_seq"]) == ("icmp-request", 7)
    assert request["sender_ip"] == "192.168.99.101"
    assert (reply["kind"], reply["icmp_seq"], reply["target_ip"]) == ("icmp-reply", 7, "192.168.99.101")
    udp = bytearray(echo(8, 1, CLIENT_IP, SERVER_IP))
    udp[9] = 17
    assert decode_frame(ethernet(SERVER_MAC, CLIENT_MAC, 0x0800, bytes(udp)))["kind"] == "ipv4"
    assert decode_frame(ethernet(BROADCAST, CLIENT_MAC, 0x86DD, b"\x60" + b"\0" * 39))["kind"] == "ipv6"
    assert decode_frame(b"\x01\x02")["kind"] == "other"


def test_a_vlan_tag_is_looked_through():
    tagged = decode_frame(ethernet(BROADCAST, SERVER_MAC, 0x0806, arp(1, SERVER_MAC, SERVER_IP, b"\0" * 6,
                                                                       SERVER_IP), vlan=10))
    assert tagged["kind"] == "arp-request" and tagged["gratuitous"]


@pytest.mark.parametrize(("data", "key", "where"), [
    (b"", "observe.pcap.not_pcap", "cap.pcap"),
    (b"\x00" * 24, "observe.pcap.not_pcap", "cap.pcap"),
    (pcap([(1.0, GARP)], linktype=113), "observe.pcap.linktype", "cap.pcap"),
    (pcap([(1.0, GARP), (2.0, IS_AT)])[:-5], "observe.pcap.truncated", "cap.pcap#2"),
    (pcap([(1.0, GARP)]) + b"\x01\x02", "observe.pcap.truncated", "cap.pcap#2"),
])
def test_what_is_not_a_whole_ethernet_pcap_is_an_error_naming_the_record(data, key, where):
    with pytest.raises(ObserveError) as caught:
        read_pcap(data, "cap.pcap")
    assert caught.value.key == key and caught.value.where == where


def test_a_capture_file_reads_into_the_documented_columns(tmp_path):
    path = tmp_path / "capture.pcap"
    path.write_bytes(pcap([(5.0, GARP), (5.5, WHO_HAS)]))
    frame = read_capture(path, "server/enp0s9", "out")
    assert list(frame.columns) == list(FRAME_COLUMNS)
    assert list(frame["kind"]) == ["arp-request", "arp-request"]
    assert list(frame["gratuitous"]) == [True, False]
    assert set(frame["nic"]) == {"server/enp0s9"} and set(frame["direction"]) == {"out"}
    assert read_capture(tmp_path / "never-written.pcap", "server/enp0s8", "in").empty


# ---------------------------------------------------------------------------------- clock alignment


def _pings(count: int = 50, lost: range = range(20, 26), rtt_ms: float = 2.0) -> pd.DataFrame:
    seq = np.arange(1, count + 1)
    return pd.DataFrame({"t": -0.2 + (seq - 1) * 0.01, "seq": seq, "rtt_ms": rtt_ms,
                         "lost": [s in lost for s in seq]})


def _echoes(pings: pd.DataFrame, capture_offset: dict[str, float], jitter: float = 0.0) -> pd.DataFrame:
    """What the two guests' captures hold of ``pings``: each echo stamped on its guest's capture clock
    (relative time + that guest's constant), fping's wire numbers counting from 0."""
    rng = np.random.default_rng(1)
    records = []
    for row in pings.itertuples():
        wire_seq, sent, rtt = row.seq - 1, row.t, row.rtt_ms / 1000
        noise = rng.uniform(-jitter, jitter, 4)
        client, server = capture_offset["client"], capture_offset["server"]
        records.append(("client/enp0s8", "out", "icmp-request", wire_seq, sent + client + noise[0]))
        middle = sent + rtt / 2 + server
        records.append(("server/enp0s8", "in", "icmp-request", wire_seq, middle + noise[1]))
        if not row.lost:
            records.append(("server/enp0s8", "out", "icmp-reply", wire_seq, middle + noise[2]))
            records.append(("client/enp0s8", "in", "icmp-reply", wire_seq, sent + rtt + client + noise[3]))
    rows = [{"t": stamp, "nic": nic, "direction": direction, "kind": kind, "icmp_seq": seq,
             "src_mac": "", "dst_mac": "", "gratuitous": False, "sender_mac": "",
             "sender_ip": "192.168.99.101" if kind == "icmp-request" else "192.168.99.102",
             "target_ip": "192.168.99.102" if kind == "icmp-request" else "192.168.99.101", "length": 98}
            for nic, direction, kind, seq, stamp in records]
    garp = {**rows[0], "t": 0.05 + capture_offset["server"], "nic": "server/enp0s9", "direction": "out",
            "kind": "arp-request", "gratuitous": True, "icmp_seq": -1,
            "sender_ip": "192.168.99.102", "target_ip": "192.168.99.102"}
    return pd.DataFrame([*rows, garp], columns=list(FRAME_COLUMNS))


def test_each_guests_capture_clock_is_found_from_the_pings_it_carried():
    pings = _pings()
    offsets = {"client": 1_796_676_399.25, "server": 1_796_676_412.75}
    aligned, report = align_frames(_echoes(pings, offsets, jitter=0.0003), pings, "client", "server",
                                   ("192.168.99.101", "192.168.99.102"))
    assert report["client"]["offset_s"] == pytest.approx(offsets["client"], abs=0.001)
    assert report["server"]["offset_s"] == pytest.approx(offsets["server"], abs=0.001)
    # the echoes of answered pings only: a lost ping's round trip, and so its arrival, is not known
    assert report["client"]["spread_ms"] < 0.5 and report["server"]["matched"] == 44 + 44
    garp = aligned[aligned["gratuitous"]]
    assert float(garp["t"].iloc[0]) == pytest.approx(0.05, abs=0.001)  # a frame that is no echo moves along
    first = aligned[aligned["kind"] == "icmp-request"].sort_values("t")
    assert float(first["t"].iloc[0]) == pytest.approx(-0.2, abs=0.001)


def test_a_wrong_sequence_numbering_would_show_as_a_ping_interval_of_error():
    """The wire counts from 0 and the pings frame from 1: read one off, every echo lands one probe
    (10 ms) early, which the alignment must not do."""
    pings = _pings()
    offsets = {"client": 50.0, "server": 80.0}
    wire = _echoes(pings, offsets)
    aligned, _ = align_frames(wire, pings, "client", "server", ("192.168.99.101", "192.168.99.102"))
    sent = aligned[(aligned["nic"] == "client/enp0s8") & (aligned["kind"] == "icmp-request")]
    assert np.allclose(sent.sort_values("icmp_seq")["t"].to_numpy(), pings["t"].to_numpy(), atol=1e-6)


def test_a_host_whose_capture_holds_no_echo_gets_no_frames():
    pings = _pings()
    wire = _echoes(pings, {"client": 3.0, "server": 4.0})
    only_server = wire[wire["nic"].str.startswith("server/")]
    aligned, report = align_frames(only_server, pings, "client", "server",
                                   ("192.168.99.101", "192.168.99.102"))
    assert report["client"] == {"matched": 0} and set(aligned["nic"].str.split("/").str[0]) == {"server"}


def test_a_run_keeps_the_faulted_hosts_frames_and_the_pingers_non_echo_frames():
    pings = _pings()
    aligned, _ = align_frames(_echoes(pings, {"client": 3.0, "server": 4.0}), pings, "client", "server",
                              ("192.168.99.101", "192.168.99.102"))
    client_arp = {**aligned.iloc[0].to_dict(), "kind": "arp-reply", "icmp_seq": -1}
    kept = kept_frames(pd.concat([aligned, pd.DataFrame([client_arp])], ignore_index=True), "server")
    client = kept[kept["nic"].str.startswith("client/")]
    assert list(client["kind"]) == ["arp-reply"]
    server = aligned[aligned["nic"].str.startswith("server/")]
    assert len(kept[kept["nic"].str.startswith("server/")]) == len(server)


# ------------------------------------------------------------------------------------- the Run record


def test_frames_survive_saving_and_loading_a_run(tmp_path):
    recorded = Run.load(default_runs_dir() / "none_admin-down_learning_mii100")
    frames = frames_frame([(0.05, GARP), (0.2, WHO_HAS)], "server/enp0s9", "out")
    run = Run(meta=recorded.meta, pings=recorded.pings, links=recorded.links, neigh=recorded.neigh,
              frames=frames)
    loaded = Run.load(run.save(tmp_path / "run"))
    assert list(loaded.frames["gratuitous"]) == [True, False]  # not the text "False", which is true
    assert loaded.frames["sender_mac"].iloc[0] == "08:00:27:ad:1b:ac"
    pd.testing.assert_frame_equal(loaded.frames, run.frames)


def test_a_runs_capture_files_are_saved_as_captured_and_read_back(tmp_path):
    """The pcap files go with the run (``capture/``, gzipped) byte for byte, for Wireshark or
    ``tcpdump -r``; a run without them saves no such folder."""
    recorded = Run.load(default_runs_dir() / "none_admin-down_learning_mii100")
    data = pcap([(5.0, GARP), (5.5, WHO_HAS)])
    run = Run(meta=recorded.meta, pings=recorded.pings, links=recorded.links, neigh=recorded.neigh,
              pcaps={"server-enp0s9-out.pcap": data})
    folder = run.save(tmp_path / "run")
    loaded = Run.load(folder)
    assert [path.name for path in loaded.pcap_files] == ["server-enp0s9-out.pcap.gz"]
    assert gzip.decompress(loaded.pcap_files[0].read_bytes()) == data
    unpacked = tmp_path / "server-enp0s9-out.pcap"
    unpacked.write_bytes(gzip.decompress(loaded.pcap_files[0].read_bytes()))
    assert list(read_capture(unpacked, "server/enp0s9", "out")["gratuitous"]) == [True, False]
    plain = Run(meta=recorded.meta, pings=recorded.pings, links=recorded.links, neigh=recorded.neigh)
    assert not (plain.save(tmp_path / "plain") / "capture").exists()


def test_a_run_recorded_without_frames_loads_with_none(tmp_path):
    recorded = Run.load(default_runs_dir() / "none_admin-down_learning_mii100")
    plain = Run(meta=recorded.meta, pings=recorded.pings, links=recorded.links, neigh=recorded.neigh)
    folder = plain.save(tmp_path / "old")
    assert not (folder / "frames.csv").exists()
    loaded = Run.load(folder)
    assert loaded.frames.empty and list(loaded.frames.columns) == list(FRAME_COLUMNS)


def _band(run: Run) -> float:
    """Where the band of the fault taking effect starts (s), a little before: the fault's instant is
    known only to within it, and a bond may fail over early in it."""
    return -float(run.meta.get("fault_window_ms") or 0.0) / 1000 - 0.01


def _failovers(run: Run) -> int:
    """How many times the server's active slave changed during the whole run (link samples)."""
    lanes = run.lanes()
    active = lanes[lanes["is_active"]].sort_values("t")["ifname"]
    return int((active != active.shift()).sum()) - 1 if len(active) else 0


def test_every_recorded_failover_shows_one_gratuitous_arp_leaving_the_new_active_slave():
    """data/runs, re-recorded with their frames: in every run on the learning switch where the bond
    failed over exactly once, the new active slave sent exactly one gratuitous ARP for the server's
    address between the fault and the restore, with the bond's MAC after the failover as its source;
    with none it was the first frame that slave sent (with active, an ARP request with the old address
    was once seen leaving first, in the moment between the bond's change of slave and of address)."""
    from bondkit.failover.store import load_runs

    checked = set()
    for run in load_runs():
        if run.params.switch != "learning" or _failovers(run) != 1:
            continue  # a bond whose ARP monitor flapped on a busy machine sends one for each failover
        sent = run.frames[(run.frames["nic"] == f"server/{run.metrics.active_after}")
                          & (run.frames["direction"] == "out") & (run.frames["t"] > _band(run))
                          & (run.frames["t"] < run.meta["restore_t"])].sort_values("t")
        garps = sent[sent["gratuitous"]]
        assert len(garps) == 1, run.id
        garp = garps.iloc[0]
        assert garp["kind"] == "arp-request" and garp["sender_ip"] == garp["target_ip"] == "192.168.99.102"
        bond_after = run.lanes()[(run.lanes()["ifname"] == "bond0")
                                 & (run.lanes()["t"] < run.meta["restore_t"])]["mac"].iloc[-1]
        assert garp["src_mac"] == bond_after, run.id
        if run.params.fail_over_mac == "none":
            assert sent.iloc[0]["gratuitous"], run.id
        checked.add(run.params.fail_over_mac)
    assert checked == set(MODES)


# -------------------------------------------------------------------------------------- the live lab

FAST = {"pre": 0.5, "duration": 1.0, "after_restore": 0.3}


@pytest.fixture(scope="module")
def wire_runs(lab_slot) -> dict[str, Run]:
    """A pulled cable under each fail_over_mac policy, every frame of both hosts captured."""
    lab = lab_slot.get()
    return {mode: run_failover(lab, RunParams(mode, "carrier-loss", "learning", miimon=100, **FAST))
            for mode in MODES}


def _sent(run: Run, nic: str) -> pd.DataFrame:
    frames = run.frames
    return frames[(frames["nic"] == f"server/{nic}") & (frames["direction"] == "out")].sort_values("t")


def _lane_macs(run: Run, ifname: str, before: bool) -> str:
    lanes = run.lanes()
    lane = lanes[(lanes["ifname"] == ifname) & ((lanes["t"] < 0) if before else
                                               (lanes["t"] < run.meta["restore_t"]))]
    return str(lane["mac"].iloc[-1])


def test_a_fresh_run_keeps_every_capture_file_and_they_hold_its_gratuitous_arp(wire_runs):
    """Each host's data NICs, both directions, as QEMU wrote them: the server's outgoing capture of
    the new active slave holds the gratuitous ARP the frames lane shows."""
    run = wire_runs["none"]
    assert sorted(run.pcaps) == sorted(f"{host}-{nic}-{way}.pcap" for host in ("client", "server")
                                       for nic in ("enp0s8", "enp0s9") for way in ("in", "out"))
    new = run.metrics.active_after
    sent = frames_frame(read_pcap(run.pcaps[f"server-{new}-out.pcap"]), f"server/{new}", "out")
    assert sent["gratuitous"].sum() == 1


@pytest.mark.parametrize("mode", MODES)
def test_the_new_active_slave_sends_a_gratuitous_arp_with_the_bonds_address(wire_runs, mode):
    """bonding.rst, num_grat_arp: after a failover an active-backup bond sends a peer notification
    (a gratuitous ARP; default 1) from its new active slave, under every fail_over_mac policy. Measured
    here: exactly one per failover, sender address = the bond's address after the failover
    (enp0s8's with none and follow, enp0s9's own with active), from enp0s9 and not from enp0s8."""
    run = wire_runs[mode]
    assert run.metrics.active_after == "enp0s9"
    restore = run.meta["restore_t"]
    garps = _sent(run, "enp0s9")
    garps = garps[garps["gratuitous"] & (garps["t"] > _band(run)) & (garps["t"] < restore)]
    assert len(garps) == 1, garps
    garp = garps.iloc[0]
    assert garp["sender_ip"] == garp["target_ip"] == "192.168.99.102"
    assert garp["dst_mac"] == "ff:ff:ff:ff:ff:ff"
    assert garp["sender_mac"] == garp["src_mac"] == _lane_macs(run, "bond0", before=False)
    owners = run.meta["adapters"]["server"]
    expected = owners["enp0s9"] if mode == "active" else owners["enp0s8"]
    assert garp["sender_mac"] == expected
    old = _sent(run, "enp0s8")
    assert not old[old["gratuitous"] & (old["t"] > 0)].shape[0]


@pytest.mark.parametrize("mode", MODES)
def test_the_gratuitous_arp_falls_between_the_samples_that_saw_the_failover(wire_runs, mode):
    """The frames' clock (from the pings) against the link sampler's (from the server's own clock):
    the gratuitous ARP leaves after the last sample with enp0s8 active, and at most one MII period
    after the first with enp0s9: the driver sends peer notifications from its link monitor's ticks
    (bonding.rst, peer_notif_delay: "a multiple of the MII link monitor interval"), so one can wait
    for the tick after the failover (seen once: 47 ms after the sample, with ``active``)."""
    run = wire_runs[mode]
    lanes = run.lanes()
    bond = lanes[lanes["ifname"] == "enp0s9"].sort_values("t")
    after = bond[bond["is_active"] & (bond["t"] > _band(run))]["t"].iloc[0]
    old = lanes[(lanes["ifname"] == "enp0s8") & lanes["is_active"] & (lanes["t"] < after)]["t"].max()
    sent = _sent(run, "enp0s9")
    garp = float(sent[sent["gratuitous"] & (sent["t"] > _band(run))]["t"].iloc[0])
    slack = 0.025  # the two clocks' offsets are each read to a few milliseconds
    period = run.params.miimon / 1000
    assert old - slack <= garp <= after + period + slack, (old, garp, after)
    for host in ("client", "server"):  # about 1 ms; 12 ms at most in the 44 recorded runs (a busy machine)
        assert run.meta["frames_clock"][host]["spread_ms"] < 25


def test_with_none_the_switch_relearns_the_bonds_mac_from_the_new_slaves_first_frame(wire_runs):
    """fail_over_mac=none keeps the bond's MAC, now carried by enp0s9: the first frame enp0s9 sends
    after the failover is the gratuitous ARP with that MAC, and only after it does an echo request for
    the bond arrive on enp0s9 (the switch now sends that MAC to enp0s9's port)."""
    run = wire_runs["none"]
    sent = _sent(run, "enp0s9")
    first = sent[sent["t"] > _band(run)].iloc[0]
    assert first["gratuitous"] and first["src_mac"] == run.meta["adapters"]["server"]["enp0s8"]
    frames = run.frames
    arrived = frames[(frames["nic"] == "server/enp0s9") & (frames["direction"] == "in")
                     & (frames["kind"] == "icmp-request") & (frames["t"] > _band(run))]
    assert len(arrived) and float(arrived["t"].min()) > float(first["t"])
    before = frames[(frames["nic"] == "server/enp0s9") & (frames["kind"] == "icmp-request")
                    & (frames["t"] < _band(run))]
    assert before.empty  # before the failover, the switch sent the bond's MAC to enp0s8's port only
