"""Parsing and rendering bond configurations: the seed files, every format, and bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from bondkit import formats
from bondkit.errors import BondkitError, ConfigError
from bondkit.formats import ifcfg, iproute, netplan, nmcli
from bondkit.formats.report import describe
from bondkit.lint import lint
from bondkit.spec import BondSpec, Route, SlaveSpec

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "seed"
CENTOS_CLIENT = SEED / "centos" / "client"
CENTOS_SERVER = SEED / "centos" / "server"
UBUNTU_CLIENT = SEED / "ubuntu" / "client" / "50-cloud-init.yaml"
UBUNTU_SERVER = SEED / "ubuntu" / "server" / "50-cloud-init.yaml"


def centos(address: str) -> BondSpec:
    """What the tutorial's CentOS files mean: mode=1 and fail_over_mac=1 in the kernel's words."""
    return BondSpec(
        name="bond0",
        mode="active-backup",
        options={"miimon": 100, "fail_over_mac": "active"},
        slaves=[SlaveSpec("enp0s8"), SlaveSpec("enp0s9")],
        addresses=[address],
    )


def ubuntu(address: str) -> BondSpec:
    return BondSpec(
        name="bond0",
        mode="active-backup",
        options={"miimon": 100, "fail_over_mac": "active", "primary": "enp0s8"},
        slaves=[SlaveSpec("enp0s8"), SlaveSpec("enp0s9")],
        addresses=[address],
        gateway="192.168.225.1",
    )


def reparse(spec: BondSpec, fmt: str) -> list[BondSpec]:
    files = formats.render(spec, fmt)
    if fmt == "ifcfg":
        return ifcfg.parse(files)
    ((name, text),) = files.items()
    return formats.parse_text(text, name, fmt)


def write(directory: Path, files: dict[str, str | bytes]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = directory / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return directory


def raises_at(call, source_part: str, line: int | None, key: str | None = None) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        call()
    err = info.value
    assert source_part in (err.source or ""), err
    if line is not None:
        assert err.line == line, (err.line, str(err))
    if key is not None:
        assert err.key == key, err.key
    return err


# ------------------------------------------------------------------------------------------- the seed


def test_seed_centos_client_and_server() -> None:
    assert formats.load(CENTOS_CLIENT) == [centos("192.168.99.101/24")]
    assert formats.load(CENTOS_SERVER) == [centos("192.168.99.102/24")]


def test_seed_ubuntu_gateway4_becomes_the_gateway() -> None:
    assert formats.load(UBUNTU_CLIENT) == [ubuntu("192.168.225.101/24")]
    assert formats.load(UBUNTU_SERVER) == [ubuntu("192.168.225.102/24")]


def test_seed_origins_name_file_and_line() -> None:
    (spec,) = formats.load(CENTOS_CLIENT)
    assert str(spec.origin["bond"]).endswith("centos/client/ifcfg-bond0:5")
    assert spec.origin["miimon"].line == 9
    assert [str(s.origin).rsplit("/", 1)[1] for s in spec.slaves] == ["ifcfg-enp0s8:6", "ifcfg-enp0s9:6"]
    (spec,) = formats.load(UBUNTU_CLIENT)
    assert spec.origin["primary"].line == 26
    assert spec.origin["gateway"].line == 20


def test_seed_centos_to_netplan_to_ifcfg_is_the_same_spec() -> None:
    (original,) = formats.load(CENTOS_CLIENT)
    ((name, yaml_text),) = netplan.render(original).items()
    via_netplan = netplan.parse(yaml_text, source=name)
    assert via_netplan == [original]
    assert ifcfg.parse(ifcfg.render(via_netplan[0])) == [original]


@pytest.mark.parametrize("seed", [CENTOS_CLIENT, CENTOS_SERVER, UBUNTU_CLIENT, UBUNTU_SERVER])
@pytest.mark.parametrize("fmt", list(formats.FORMATS))
def test_seed_round_trips_through_every_format(seed: Path, fmt: str) -> None:
    (spec,) = formats.load(seed)
    assert reparse(spec, fmt) == [spec]


def test_seed_chain_through_all_formats() -> None:
    (spec,) = formats.load(UBUNTU_SERVER)
    current = spec
    for fmt in ("nmcli", "ip", "ifcfg", "netplan", "nmcli"):
        (current,) = reparse(current, fmt)
    assert current == spec


# ------------------------------------------------------------------------------------ loading files


def test_load_list_of_ifcfg_files_and_single_bond_file() -> None:
    files = [CENTOS_CLIENT / "ifcfg-bond0", CENTOS_CLIENT / "ifcfg-enp0s8", CENTOS_CLIENT / "ifcfg-enp0s9"]
    assert formats.load(files) == [centos("192.168.99.101/24")]
    (alone,) = formats.load(CENTOS_CLIENT / "ifcfg-bond0")
    assert alone.slaves == [] and alone.options == {"miimon": 100, "fail_over_mac": "active"}


def test_load_passes_over_other_files_of_network_scripts(tmp_path: Path) -> None:
    texts = {p.name: p.read_text() for p in CENTOS_CLIENT.iterdir()}
    write(
        tmp_path,
        {
            **texts,
            "ifup-eth": "#!/bin/bash\nexit 0\n",
            "ifcfg-bond0.bak": "junk\x00",
            "ifcfg-lo": "DEVICE=lo\nIPADDR=127.0.0.1\nNETMASK=255.0.0.0\nONBOOT=yes\n",
            "ifcfg-enp0s3": "DEVICE=enp0s3\nBOOTPROTO=dhcp\nONBOOT=yes\nUUID=1234\n",
        },
    )
    assert formats.load(tmp_path) == [centos("192.168.99.101/24")]


def test_detect_by_content(tmp_path: Path) -> None:
    (spec,) = formats.load(UBUNTU_CLIENT)
    write(
        tmp_path,
        {
            "a-script": nmcli.render(spec)["bond0-nmcli.sh"],
            "b-script": iproute.render(spec)["bond0-ip.sh"],
            "c-config": UBUNTU_CLIENT.read_text().split("\n", 5)[5],
        },
    )
    for name in ("a-script", "b-script", "c-config"):
        assert formats.load(tmp_path / name) == [spec], name


def test_numeric_aliases_are_normalised() -> None:
    (spec,) = ifcfg.parse(
        'DEVICE=bond0\nTYPE=Bond\nBONDING_OPTS="mode=4 lacp_rate=1 xmit_hash_policy=1 '
        'primary_reselect=2 arp_validate=3 fail_over_mac=2"\n'
    )
    assert spec.mode == "802.3ad"
    assert spec.options == {
        "lacp_rate": "fast",
        "xmit_hash_policy": "layer3+4",
        "primary_reselect": "failure",
        "arp_validate": "all",
        "fail_over_mac": "follow",
    }


def test_mode_defaults_to_the_kernels_balance_rr() -> None:
    assert ifcfg.parse("DEVICE=bond0\nTYPE=Bond\n")[0].mode == "balance-rr"
    text = "network:\n  version: 2\n  bonds:\n    bond0: {}\n"
    assert netplan.parse(text)[0].mode == "balance-rr"


# ------------------------------------------------------------------------------------------- ifcfg


def test_ifcfg_netmask_several_addresses_ipv6_gateway_and_routes() -> None:
    files = {
        "d/ifcfg-bond0": "DEVICE=bond0\nTYPE=Bond\nBONDING_OPTS='mode=active-backup miimon=100 "
        "arp_ip_target=+10.0.0.1,10.0.0.2'\nIPADDR=10.1.1.5\nNETMASK=255.255.0.0\n"
        "IPADDR1=10.2.2.5\nPREFIX1=24\nIPV6INIT=yes\nIPV6ADDR=2001:db8::5/64\n"
        "GATEWAY=10.1.0.1\nDEFROUTE=yes # the default route\n",
        "d/ifcfg-eth1": "DEVICE=eth1\nMASTER=bond0\nSLAVE=yes\nMACADDR=02:00:00:00:00:01\n",
        "d/route-bond0": "10.9.0.0/16 via 10.1.0.254 dev bond0\n",
        "d/route6-bond0": "default via 2001:db8::1\n",
    }
    (spec,) = ifcfg.parse(files)
    assert spec.options["arp_ip_target"] == ("10.0.0.1", "10.0.0.2")
    assert spec.addresses == ["10.1.1.5/16", "10.2.2.5/24", "2001:db8::5/64"]
    assert spec.gateway == "10.1.0.1"
    assert spec.routes == [("10.9.0.0/16", "10.1.0.254"), ("::/0", "2001:db8::1")]
    assert spec.slaves == [SlaveSpec("eth1", "02:00:00:00:00:01")]


def test_ifcfg_route_file_in_key_value_form() -> None:
    files = {
        "ifcfg-bond0": "DEVICE=bond0\nTYPE=Bond\n",
        "route-bond0": "ADDRESS0=10.9.0.0\nNETMASK0=255.255.0.0\nGATEWAY0=10.1.0.254\n",
    }
    assert ifcfg.parse(files)[0].routes == [("10.9.0.0/16", "10.1.0.254")]


def test_ifcfg_render_writes_one_file_per_interface() -> None:
    (spec,) = formats.load(UBUNTU_CLIENT)
    spec.routes.append(("10.9.0.0/16", "192.168.225.254"))
    files = ifcfg.render(spec)
    assert sorted(files) == ["ifcfg-bond0", "ifcfg-enp0s8", "ifcfg-enp0s9", "route-bond0"]
    assert (
        'BONDING_OPTS="mode=active-backup fail_over_mac=active miimon=100 primary=enp0s8"'
        in files["ifcfg-bond0"]
    )
    assert "MASTER=bond0\nSLAVE=yes\n" in files["ifcfg-enp0s8"]


# ------------------------------------------------------------------------------------------ netplan


def test_netplan_maps_every_parameter_of_the_issue() -> None:
    wanted = {
        "mode": "mode",
        "mii-monitor-interval": "miimon",
        "up-delay": "updelay",
        "down-delay": "downdelay",
        "fail-over-mac-policy": "fail_over_mac",
        "primary": "primary",
        "primary-reselect-policy": "primary_reselect",
        "gratuitous-arp": "num_grat_arp",
        "arp-interval": "arp_interval",
        "arp-ip-targets": "arp_ip_target",
        "arp-validate": "arp_validate",
        "arp-all-targets": "arp_all_targets",
        "all-members-active": "all_slaves_active",
        "resend-igmp": "resend_igmp",
        "learn-packet-interval": "lp_interval",
    }
    for key, option in wanted.items():
        assert netplan.PARAMETERS[key][0] == option
        assert netplan.KERNEL_TO_NETPLAN[option] == key


def test_netplan_every_parameter_both_ways() -> None:
    text = """\
network:
  version: 2
  renderer: networkd
  ethernets:
    eth1: {macaddress: "02:00:00:00:00:01"}
    eth2: {}
  bonds:
    bond0:
      interfaces: [eth1, eth2]
      routes:
        - {to: default, via: 10.0.0.1}
        - {to: 10.8.0.0/16, via: 10.0.0.254}
      parameters:
        mode: active-backup
        mii-monitor-interval: 1s
        up-delay: 2000ms
        down-delay: 400
        fail-over-mac-policy: follow
        primary: eth1
        primary-reselect-policy: better
        gratuitous-arp: 3
        arp-interval: 0
        arp-ip-targets: [10.0.0.1, 10.0.0.2]
        arp-validate: backup
        arp-all-targets: all
        all-slaves-active: true
        resend-igmp: 4
        learn-packet-interval: 2
"""
    (spec,) = netplan.parse(text)
    assert spec.options == {
        "miimon": 1000,
        "updelay": 2000,
        "downdelay": 400,
        "fail_over_mac": "follow",
        "primary": "eth1",
        "primary_reselect": "better",
        "num_grat_arp": 3,
        "arp_interval": 0,
        "arp_ip_target": ("10.0.0.1", "10.0.0.2"),
        "arp_validate": "backup",
        "arp_all_targets": "all",
        "all_slaves_active": 1,
        "resend_igmp": 4,
        "lp_interval": 2,
    }
    assert spec.gateway == "10.0.0.1" and spec.routes == [("10.8.0.0/16", "10.0.0.254")]
    assert spec.slaves[0].mac == "02:00:00:00:00:01"
    rendered = netplan.render(spec)["bond0.yaml"]
    assert "all-members-active: true" in rendered and "gateway4" not in rendered
    # A route to 0.0.0.0/0, which every netplan reads; "to: default" needs netplan 0.103 or later.
    assert "- to: 0.0.0.0/0\n" in rendered and "default" not in rendered
    assert netplan.parse(rendered) == [spec]


def test_netplan_names_stay_names() -> None:
    """An interface called ``on`` is not YAML's boolean true."""
    text = (
        "network:\n  version: 2\n  ethernets: {'on': {}, '1': {}}\n  bonds:\n    bond0:\n"
        "      interfaces: ['on', '1']\n      parameters: {primary: 'on'}\n"
    )
    (spec,) = netplan.parse(text)
    assert spec.slave_names == ["on", "1"] and spec.options["primary"] == "on"
    assert netplan.parse(netplan.render(spec)["bond0.yaml"]) == [spec]


def test_netplan_refuses_options_it_cannot_express() -> None:
    (spec,) = formats.load(CENTOS_CLIENT)
    spec.set_option("peer_notif_delay", 200)
    with pytest.raises(ConfigError) as info:
        netplan.render(spec)
    assert info.value.key == "formats.netplan.unsupported" and "peer_notif_delay" in str(info.value)


# ---------------------------------------------------------------------------------------- nmcli, ip


def test_nmcli_abbreviations_old_spellings_and_modify() -> None:
    text = """\
sudo nmcli c a type bond con-name mybond ifname bond0 mode active-backup miimon 100
nmcli con add type bond-slave ifname eth1 master bond0
nmcli connection add type ethernet ifname eth2 controller mybond port-type bond
nmcli connection modify mybond +bond.options "fail_over_mac=1,arp_ip_target=10.0.0.1\\,10.0.0.2" \\
    ipv4.method manual ipv4.addresses "10.0.0.5/24, 10.0.1.5/24" ipv4.gateway 10.0.0.1
nmcli con up mybond
"""
    (spec,) = nmcli.parse(text)
    assert spec.name == "bond0" and spec.mode == "active-backup"
    assert spec.options == {
        "miimon": 100,
        "fail_over_mac": "active",
        "arp_ip_target": ("10.0.0.1", "10.0.0.2"),
    }
    assert spec.slave_names == ["eth1", "eth2"]
    assert spec.addresses == ["10.0.0.5/24", "10.0.1.5/24"] and spec.gateway == "10.0.0.1"


def test_ip_commands_are_in_an_order_the_kernel_accepts() -> None:
    (spec,) = formats.load(UBUNTU_CLIENT)
    spec.set_option("active_slave", "enp0s9")
    spec.set_option("updelay", 200)
    spec.slaves[0].mac = "02:00:00:00:00:08"
    commands = iproute.commands(spec)
    index = {command: n for n, command in enumerate(commands)}
    create = commands[0]
    assert create.startswith("ip link add bond0 type bond mode active-backup")
    assert "fail_over_mac active" in create and "miimon 100 updelay 200" in create
    assert "primary" not in create and "active_slave" not in create
    for slave in ("enp0s8", "enp0s9"):
        assert index[f"ip link set {slave} down"] < index[f"ip link set {slave} master bond0"]
        assert (
            index[f"ip link set {slave} master bond0"] < index["ip link set bond0 type bond primary enp0s8"]
        )
    assert index["ip link set enp0s8 address 02:00:00:00:00:08"] < index["ip link set enp0s8 master bond0"]
    assert index["ip link set bond0 type bond primary enp0s8"] < index["ip link set bond0 up"]
    assert index["ip address add 192.168.225.101/24 dev bond0"] < index["ip link set bond0 up"]
    assert index["ip link set bond0 up"] < index["ip link set bond0 type bond active_slave enp0s9"]
    assert commands[-1] == "ip route add default via 192.168.225.1 dev bond0"
    assert iproute.teardown(spec) == [
        "ip link set bond0 down",
        "ip link set enp0s8 nomaster",
        "ip link set enp0s9 nomaster",
        "ip link del bond0",
    ]
    assert iproute.parse("\n".join(commands)) == [spec]


def test_ip_peer_notif_delay_uses_iproute2_spelling() -> None:
    spec = BondSpec(options={"peer_notif_delay": 500})
    assert "peer_notify_delay 500" in iproute.commands(spec)[0]
    assert iproute.parse("\n".join(iproute.commands(spec))) == [spec]


def test_ip_cannot_say_dhcp() -> None:
    with pytest.raises(ConfigError) as info:
        iproute.commands(BondSpec(dhcp4=True))
    assert info.value.key == "formats.ip.dhcp"


def test_convert_and_conflicts() -> None:
    files = formats.convert(CENTOS_CLIENT, "netplan")
    assert list(files) == ["bond0.yaml"]
    with pytest.raises(ConfigError, match="bond0-ip.sh"):
        formats.convert([CENTOS_CLIENT, CENTOS_SERVER], "ip")
    with pytest.raises(ConfigError):
        formats.render(BondSpec(), "yaml")


# ---------------------------------------------------------------------------------------- bad input


BAD_IFCFG = [
    ("empty", "", 1, "formats.empty"),
    ("only comments", "# nothing\n\n", 1, "formats.empty"),
    ("junk", "DEVICE=bond0\nTYPE=Bond\x00\x01\n", 2, "formats.binary"),
    ("not key=value", "DEVICE=bond0\nthis is not ifcfg\n", 2, "formats.ifcfg.bad_line"),
    (
        "unquoted space",
        "DEVICE=bond0\nTYPE=Bond\nBONDING_OPTS=mode=1 miimon 100\n",
        3,
        "formats.ifcfg.unquoted_space",
    ),
    ("open quote", 'DEVICE=bond0\nBONDING_OPTS="mode=1\n', 2, "formats.shell_syntax"),
    ("bad mode", 'DEVICE=bond0\nTYPE=Bond\nBONDING_OPTS="mode=9"\n', 3, "spec.bad_mode"),
    ("bad number", 'DEVICE=bond0\nTYPE=Bond\nBONDING_OPTS="miimon=fast"\n', 3, "spec.bad_number"),
    ("bad token", 'DEVICE=bond0\nTYPE=Bond\nBONDING_OPTS="miimon"\n', 3, "formats.ifcfg.bad_option"),
    ("bad address", "DEVICE=bond0\nTYPE=Bond\nIPADDR=192.168.99.300\nPREFIX=24\n", 3, "formats.bad_address"),
    ("no prefix", "DEVICE=bond0\nTYPE=Bond\nIPADDR=192.168.99.1\n", 3, "formats.ifcfg.no_prefix"),
]


@pytest.mark.parametrize(("case", "text", "line", "key"), BAD_IFCFG, ids=[c[0] for c in BAD_IFCFG])
def test_bad_ifcfg(tmp_path: Path, case: str, text: str, line: int, key: str) -> None:
    path = write(tmp_path, {"ifcfg-bond0": text}) / "ifcfg-bond0"
    raises_at(lambda: formats.load(path), "ifcfg-bond0", line, key)


def test_ifcfg_slave_of_a_missing_bond_makes_the_bond_as_initscripts_does(tmp_path: Path) -> None:
    """ifup-eth creates the MASTER named by a slave even without its ifcfg file (NM_CONTROLLED=no: the
    file is initscripts'); lint warns."""
    write(
        tmp_path,
        {"ifcfg-bond0": "DEVICE=bond0\nTYPE=Bond\n",
         "ifcfg-eth1": "DEVICE=eth1\nMASTER=bond1\nSLAVE=yes\nNM_CONTROLLED=no\n"},
    )
    bond0, bond1 = formats.load(tmp_path)
    assert bond0.slaves == [] and bond1.slave_names == ["eth1"] and bond1.mode == "balance-rr"
    (note,) = [n for n in bond1.notes if n.rule == "bond-from-slaves"]
    assert note.where.line == 2 and note.where.source.endswith("ifcfg-eth1")


def test_ifcfg_port_of_a_missing_bond_is_refused_when_networkmanager_reads_it(tmp_path: Path) -> None:
    """NetworkManager (the file does not say NM_CONTROLLED=no) never brings up a port whose bond has no
    connection: show refuses it at MASTER, lint says it as an error, and the other bond is still read."""
    write(tmp_path, {"ifcfg-bond0": "DEVICE=bond0\nTYPE=Bond\n",
                     "ifcfg-eth2": "DEVICE=eth2\nMASTER=bond99\nSLAVE=yes\n"})
    raises_at(lambda: formats.load(tmp_path), "ifcfg-eth2", 2, "formats.ifcfg.no_bond_file")
    findings = lint(tmp_path)
    (finding,) = [f for f in findings if f.key == "formats.ifcfg.no_bond_file"]
    assert finding.severity == "error" and finding.where.line == 2
    assert "bond99" in finding.message("ko") and "NM_CONTROLLED=no" in finding.message("en")


def test_ifcfg_misspelt_key_is_kept_and_told(tmp_path: Path) -> None:
    """initscripts ignores a key it does not know: not an error, but a near miss is pointed out."""
    (spec,) = ifcfg.parse("DEVICE=bond0\nTYPE=Bond\nBONDINGOPTS=mode=1\n")
    (note,) = spec.notes
    assert (note.rule, note.key, note.where.line, note.params["hint"]) == (
        "misspelt-key", "formats.ifcfg.unknown_key", 3, "BONDING_OPTS")
    assert "BONDINGOPTS=mode=1" in ifcfg.render(spec)["ifcfg-bond0"]
    (loss,) = formats.losses(spec, "netplan")
    assert loss.setting == "BONDINGOPTS=mode=1" and loss.where.line == 3


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, {"ifcfg-bond0": b"DEVICE=bond0\nTYPE=Bond\nNAME=\xff\xfe\n"}) / "ifcfg-bond0"
    raises_at(lambda: formats.load(path), "ifcfg-bond0", 3, "formats.binary")


NETPLAN_HEAD = "network:\n  version: 2\n  ethernets:\n    eth1: {}\n  bonds:\n    bond0:\n"
BAD_NETPLAN = [
    ("empty", "", 1, "formats.empty"),
    ("truncated", NETPLAN_HEAD + "      interfaces: [eth1\n", 8, "formats.netplan.yaml"),
    ("truncated quote", NETPLAN_HEAD + '      parameters: {mode: "active-\n', 8, "formats.netplan.yaml"),
    ("tabs", NETPLAN_HEAD + "\t  interfaces: [eth1]\n", 7, "formats.netplan.tab"),
    (
        "unknown key",
        NETPLAN_HEAD + "      interfaces: [eth1]\n      parameter: {mode: 1}\n",
        8,
        "formats.netplan.unknown_key",
    ),
    (
        "unknown parameter",
        NETPLAN_HEAD + "      parameters:\n        mii-monitor: 100\n",
        8,
        "formats.netplan.unknown_key",
    ),
    ("unknown section", "network:\n  version: 2\n  bondz: {}\n", 3, "formats.netplan.unknown_key"),
    ("interfaces not a list", NETPLAN_HEAD + "      interfaces: eth1\n", 7, "formats.netplan.want_list"),
    ("dhcp4 not a bool", NETPLAN_HEAD + "      dhcp4: maybe\n", 7, "formats.netplan.want_bool"),
    (
        "gratuitous-arp not a number",
        NETPLAN_HEAD + "      parameters: {gratuitous-arp: many}\n",
        7,
        "formats.netplan.want_int",
    ),
    (
        "bad time",
        NETPLAN_HEAD + "      parameters: {mii-monitor-interval: soon}\n",
        7,
        "formats.netplan.bad_time",
    ),
    (
        "bad policy",
        NETPLAN_HEAD + "      parameters: {fail-over-mac-policy: sometimes}\n",
        7,
        "spec.bad_choice",
    ),
    (
        "undefined member",
        NETPLAN_HEAD + "      interfaces: [eth1, eth9]\n",
        7,
        "formats.netplan.undefined_member",
    ),
    ("bond not a mapping", "network:\n  version: 2\n  bonds: [bond0]\n", 3, "formats.netplan.want_mapping"),
    ("no network", "version: 2\n", 1, "formats.netplan.unknown_key"),
    ("version 1", "network:\n  version: 1\n", 2, "formats.netplan.version"),
    ("two documents", "network: {}\n---\nnetwork: {}\n", 2, "formats.netplan.yaml"),
    (
        "duplicate key",
        NETPLAN_HEAD + "      dhcp4: false\n      dhcp4: true\n",
        8,
        "formats.netplan.duplicate_key",
    ),
    ("python tag", NETPLAN_HEAD + "      dhcp4: !!python/name:os.system\n", 7, "formats.netplan.bad_scalar"),
    ("bad date", NETPLAN_HEAD + "      dhcp4: 2001-13-45\n", 7, "formats.netplan.bad_scalar"),
]


@pytest.mark.parametrize(("case", "text", "line", "key"), BAD_NETPLAN, ids=[c[0] for c in BAD_NETPLAN])
def test_bad_netplan(tmp_path: Path, case: str, text: str, line: int, key: str) -> None:
    path = write(tmp_path, {"01-bond.yaml": text}) / "01-bond.yaml"
    raises_at(lambda: formats.load(path), "01-bond.yaml", line, key)


BAD_SCRIPTS = [
    (
        "nmcli unknown property",
        "nmcli con add type bond ifname bond0 bond.option mode=1\n",
        1,
        "formats.nmcli.misspelt_property",
    ),
    (
        "nmcli property of no setting",
        "nmcli con add type bond ifname bond0 frobnicate yes\n",
        1,
        "formats.nmcli.unknown_property",
    ),
    (
        "nmcli missing value",
        "nmcli con add type bond ifname bond0 bond.options\n",
        1,
        "formats.nmcli.missing_value",
    ),
    (
        "nmcli modify before add",
        "nmcli con add type bond ifname bond0\nnmcli con mod bond1 ipv4.method auto\n",
        2,
        "formats.nmcli.no_such_connection",
    ),
    (
        "nmcli orphan",
        "nmcli con add type bond ifname bond0\nnmcli con add type ethernet ifname eth1 master bond1\n",
        2,
        "formats.orphan_slave",
    ),
    (
        "ip unknown",
        "ip link add bond0 type bond\nip frobnicate add 10.0.0.1\n",
        2,
        "formats.ip.unknown",
    ),
    ("ip not ip", "ip link add bond0 type bond\necho hello\n", 2, "formats.ip.not_ip"),
    (
        "ip bad option",
        "ip link add bond0 type bond mode active-backup miimon\n",
        1,
        "formats.ip.missing_value",
    ),
    (
        "ip bad value",
        "ip link add bond0 type bond mode active-backup fail_over_mac sometimes\n",
        1,
        "spec.bad_choice",
    ),
]


@pytest.mark.parametrize(("case", "text", "line", "key"), BAD_SCRIPTS, ids=[c[0] for c in BAD_SCRIPTS])
def test_bad_scripts(tmp_path: Path, case: str, text: str, line: int, key: str) -> None:
    path = write(tmp_path, {"bond.sh": text}) / "bond.sh"
    raises_at(lambda: formats.load(path), "bond.sh", line, key)


def test_directory_with_no_bond_and_missing_paths(tmp_path: Path) -> None:
    write(tmp_path / "scripts", {"ifcfg-eth0": "DEVICE=eth0\nBOOTPROTO=dhcp\n", "README": "hello"})
    raises_at(lambda: formats.load(tmp_path / "scripts"), "scripts", None, "formats.no_bond")
    (tmp_path / "empty").mkdir()
    raises_at(lambda: formats.load(tmp_path / "empty"), "empty", None, "formats.no_bond")
    raises_at(lambda: formats.load(tmp_path / "nowhere"), "nowhere", None, "formats.no_such_path")


def test_unknown_format_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, {"notes.sh": "# my notes\n\nhello world\n"}) / "notes.sh"
    raises_at(lambda: formats.load(path), "notes.sh", 3, "formats.unknown_format")


def test_errors_speak_korean() -> None:
    with pytest.raises(BondkitError) as info:
        ifcfg.parse('DEVICE=bond0\nTYPE=Bond\nBONDING_OPTS="mode=9"\n', source="ifcfg-bond0")
    assert "본딩 모드" in info.value.message("ko") and info.value.message("ko").startswith("ifcfg-bond0:3: ")


def test_netplan_directory_is_read_as_netplan_reads_it(tmp_path: Path) -> None:
    """A bond in 60-bond.yaml may enslave ethernets that 50-cloud-init.yaml defines."""
    write(
        tmp_path,
        {
            "50-cloud-init.yaml": "network:\n  version: 2\n  ethernets: {eth1: {}, eth2: {}}\n",
            "60-bond.yaml": "network:\n  version: 2\n  bonds:\n    bond0:\n      interfaces: [eth1, eth2]\n",
        },
    )
    (spec,) = formats.load(tmp_path)
    assert spec.slave_names == ["eth1", "eth2"]
    raises_at(
        lambda: formats.load(tmp_path / "60-bond.yaml"), "60-bond.yaml", 5, "formats.netplan.undefined_member"
    )


def test_interface_names_are_limited_in_bytes() -> None:
    assert ifcfg.parse("DEVICE=bond0\nTYPE=Bond\n")[0].name == "bond0"
    with pytest.raises(ConfigError, match="1-15"):
        ifcfg.parse("DEVICE=본딩인터페이스영\nTYPE=Bond\n")


# ------------------------------------------------------------------- forms the owning tools also take


def test_netplan_times_are_systemd_time_spans() -> None:
    """networkd reads netplan's times as systemd time spans: 15m, 1min 30s, 2s, 500ms, bare milliseconds."""
    text = NETPLAN_HEAD.replace("    bond0:\n", "") + (
        "    bond0:\n      interfaces: [eth1]\n      parameters:\n        mode: active-backup\n"
        "        mii-monitor-interval: 15m\n        up-delay: 1min 30s\n        down-delay: 500ms\n"
        "        arp-interval: 2s\n        learn-packet-interval: 2m\n"
    )
    (spec,) = netplan.parse(text)
    assert spec.options == {
        "miimon": 900000, "updelay": 90000, "downdelay": 500, "arp_interval": 2000, "lp_interval": 120
    }
    with pytest.raises(ConfigError, match="fortnight"):
        netplan.parse(text.replace("15m", "1fortnight"))


def test_ip_forms_of_the_kernel_selftests() -> None:
    """``ip link add dev bond0 down type bond``, a continued line, ``arp_ip_target +IP``, abbreviations."""
    text = (
        "ip link add dev bond0 down type bond mode active-backup \\\n"
        "    arp_interval 100 arp_ip_target +192.0.2.1,+192.0.2.2\n"
        "ip l set eth1 master bond0\nip a add 192.0.2.9/24 dev bond0\n"
        "ip r add 10.0.0.0/8 dev bond0 metric 5\n"
    )
    (spec,) = iproute.parse(text)
    assert spec.options == {"arp_interval": 100, "arp_ip_target": ("192.0.2.1", "192.0.2.2")}
    assert spec.origin["bond"].line == 1 and spec.slave_names == ["eth1"]
    assert spec.route_list() == [Route("10.0.0.0/8", None, 5)]
    assert iproute.parse("\n".join(iproute.commands(spec))) == [spec]


def test_nmcli_default_connection_names_and_modify_by_id() -> None:
    """Without con-name NetworkManager names the profile bond-bond0; ``con mod id NAME`` is the same."""
    text = (
        "nmcli con add type bond ifname bond0 mode active-backup miimon 100\n"
        "nmcli con add type bond-slave ifname eth1 master bond0\n"
        "nmcli con mod id bond-bond0 ipv4.method manual ipv4.addresses 10.0.0.5/24 ethernet.mtu 9000\n"
        "nmcli con mod bond-bond0 connection.autoconnect no"
        " +ipv4.routes '10.9.0.0/16 10.0.0.1 50 onlink=true'\n"
        "nmcli con mod bond-slave-eth1 ethernet.mac-address 02:00:00:00:00:11\n"
    )
    (spec,) = nmcli.parse(text)
    assert (spec.name, spec.addresses, spec.mtu, spec.autoconnect) == ("bond0", ["10.0.0.5/24"], 9000, False)
    assert spec.route_list() == [Route("10.9.0.0/16", "10.0.0.1", 50, True)]
    assert spec.slaves == [SlaveSpec("eth1", hwaddr="02:00:00:00:00:11")]
    with pytest.raises(ConfigError) as info:
        nmcli.parse(text + "nmcli con mod bond0 ipv4.method auto\n")
    assert info.value.key == "formats.nmcli.no_such_connection" and info.value.line == 6


def test_ifcfg_keys_of_other_readers_are_kept_and_written_back() -> None:
    """initscripts reads STP, PRIO and AGEING on a bridge, NetworkManager BOND_PORT_QUEUE_ID on a port."""
    files = {
        "ifcfg-bond0": "DEVICE=bond0\nTYPE=Bond\nBONDING_OPTS=mode=1\nBRIDGE=br0\n",
        "ifcfg-br0": "DEVICE=br0\nTYPE=Bridge\nSTP=yes\nPRIO=4096\nAGEING=30\nIPADDR=10.0.0.2\nPREFIX=24\n",
        "ifcfg-eth1": "DEVICE=eth1\nMASTER=bond0\nSLAVE=yes\nBOND_PORT_QUEUE_ID=2\n",
    }
    notes: list = []
    (spec,) = ifcfg.parse(files, notes=notes)
    assert spec.bridge.name == "br0" and spec.bridge.stp is True and spec.bridge.addresses == ["10.0.0.2/24"]
    told = sorted((n.params["setting"], n.where.line) for n in spec.notes if n.rule == "outside-model")
    assert told == [("AGEING", 5), ("BOND_PORT_QUEUE_ID", 4), ("PRIO", 4)]
    written = ifcfg.render(spec)
    assert "PRIO=4096\nAGEING=30\n" in written["ifcfg-br0"]
    assert "BOND_PORT_QUEUE_ID=2\n" in written["ifcfg-eth1"]
    assert sorted(loss.setting for loss in formats.losses(spec, "nmcli")) == [
        "AGEING=30", "BOND_PORT_QUEUE_ID=2", "PRIO=4096"]


def test_valid_commands_outside_the_model_are_told_not_refused() -> None:
    """nmcli device ..., ip link set ... promisc on, a multipath route: nmcli and iproute2 take them, so
    they are kept (info) and every conversion reports them, never an error."""
    nm_notes: list = []
    (spec,) = nmcli.parse("nmcli con add type bond ifname bond0\nnmcli device reapply eth0\n", notes=nm_notes)
    assert [n.rule for n in spec.notes + nm_notes] == ["outside-model"]
    assert [loss.setting for loss in formats.losses(spec, "netplan")] == ["nmcli device reapply eth0"]
    text = (
        "ip link add bond0 type bond mode 1 miimon 100\nip link set bond0 promisc on\n"
        "ip route add default dev bond0 nexthop via 10.0.0.1 weight 1\n"
    )
    (spec,) = iproute.parse(text)
    lost = [(loss.setting, loss.where.line) for loss in formats.losses(spec, "ip")]
    assert lost == [("ip link set bond0 promisc on", 2),
                    ("ip route add default dev bond0 nexthop via 10.0.0.1 weight 1", 3)]


# ------------------------------------------------------------------ what the owning tools read, or refuse


IB0 = "80:00:02:08:fe:80:00:00:00:00:00:00:00:02:c9:03:00:31:78:f1"


def test_ipoib_port_keeps_its_twenty_byte_address_and_its_type(tmp_path: Path) -> None:
    """NetworkManager's ifcfg-rh writes an IPoIB port's HWADDR as 20 bytes; ifcfg and nmcli write the port's
    type back (NetworkManager matches on it), and a 6-byte field (MACADDR) still refuses 20 bytes."""
    files = {"ifcfg-bond0": "DEVICE=bond0\nTYPE=Bond\nBONDING_OPTS='mode=1 miimon=100 fail_over_mac=1'\n",
             "ifcfg-ib0": f"DEVICE=ib0\nTYPE=InfiniBand\nHWADDR={IB0.upper()}\nMASTER=bond0\nSLAVE=yes\n"}
    (spec,) = formats.load(write(tmp_path, files))
    (slave,) = spec.slaves
    assert slave.hwaddr == IB0 and slave.infiniband
    assert "TYPE=InfiniBand\n" in ifcfg.render(spec)["ifcfg-ib0"]
    nm = nmcli.render(spec)["bond0-nmcli.sh"]
    assert f"type infiniband con-name bond0-port-ib0 ifname ib0 master bond0 slave-type bond " \
           f"infiniband.mac-address {IB0}" in nm
    assert nmcli.parse(nm)[0].slaves[0].infiniband
    with pytest.raises(ConfigError) as info:
        ifcfg.parse({"ifcfg-bond0": files["ifcfg-bond0"],
                     "ifcfg-ib0": files["ifcfg-ib0"].replace("HWADDR=", "MACADDR=")})
    assert (info.value.key, info.value.line) == ("formats.bad_mac", 3)


def test_alias_file_takes_its_interfaces_netmask_and_a_range_file_adds_its_addresses(tmp_path: Path) -> None:
    files = {"ifcfg-bond0": "DEVICE=bond0\nBONDING_OPTS='mode=1 miimon=100'\nIPADDR=10.0.0.5\n"
                            "NETMASK=255.255.0.0\n",
             "ifcfg-bond0:1": "DEVICE=bond0:1\nIPADDR=10.0.0.6\nONPARENT=yes\n",
             "ifcfg-bond0-range2": "IPADDR_START=10.0.1.1\nIPADDR_END=10.0.1.3\nCLONENUM_START=4\n"}
    (spec,) = formats.load(write(tmp_path, files))
    assert spec.addresses == ["10.0.0.5/16", "10.0.0.6/16", "10.0.1.1/16", "10.0.1.2/16", "10.0.1.3/16"]
    assert {n.key for n in spec.notes} >= {"formats.ifcfg.alias", "formats.ifcfg.range"}
    (tmp_path / "ifcfg-bond0-range2").write_text("IPADDR_START=10.0.1.1\nIPADDR_END=10.0.9.3\n")
    raises_at(lambda: formats.load(tmp_path), "ifcfg-bond0-range2", 1, "formats.ifcfg.bad_range")


def test_alias_file_without_its_interface_says_which_file_is_missing(tmp_path: Path) -> None:
    path = write(tmp_path, {"ifcfg-bond0:1": "DEVICE=bond0:1\nIPADDR=10.0.0.6\n"}) / "ifcfg-bond0:1"
    err = raises_at(lambda: formats.load(path), "ifcfg-bond0:1", 1, "formats.ifcfg.alias_alone")
    assert "ifcfg-bond0" in err.message("ko") and "ifcfg-bond0" in err.message("en")


def test_ifcfg_ipv6_mtu_dns_of_every_dialect() -> None:
    """MTU, IPV6_MTU, DNS1..n of both families, DOMAIN and IPV6_DOMAIN (NetworkManager), and the IPv6
    address cloud-init writes twice (IPV6ADDR and IPADDR6): all carried, and written back."""
    text = ("DEVICE=bond0\nTYPE=Bond\nBONDING_OPTS='mode=1 miimon=100'\nIPADDR=10.0.0.5\nPREFIX=24\n"
            "IPV6INIT=yes\nIPV6ADDR=fd00::5/64\nIPADDR6=fd00::5/64\nIPADDR6_1=fd00::6/64\nMTU=9000\n"
            "IPV6_MTU=1500\nDNS1=10.0.0.53\nDNS2=fd00::53\nDOMAIN=a.example\n"
            "IPV6_DOMAIN='b.example a.example'\n")
    (spec,) = ifcfg.parse(text)
    assert spec.addresses == ["10.0.0.5/24", "fd00::5/64", "fd00::6/64"]
    assert (spec.mtu, spec.ipv6_mtu) == (9000, 1500)
    assert spec.nameservers == ["10.0.0.53", "fd00::53"] and spec.search == ["a.example", "b.example"]
    assert not spec.extras
    for fmt in ("ifcfg", "netplan", "nmcli"):
        assert reparse(spec, fmt) == [spec], fmt
    assert [loss.setting for loss in formats.losses(spec, "ip")][-1] == "ipv6-mtu: 1500 (bond0)"
    with pytest.raises(ConfigError) as info:
        ifcfg.parse(text.replace("IPV6_MTU=1500", "IPV6_MTU=1000"))
    assert (info.value.key, info.value.line) == ("formats.bad_mtu", 11)


@pytest.mark.parametrize("suse", [
    "BONDING_MASTER='yes'\nBONDING_MODULE_OPTS='mode=1 miimon=100'\nBONDING_SLAVE0='eth0'\n",
    "BONDING_MASTER='yes'\nBONDING_SLAVE0='eth0'\nBONDING_SLAVE1='eth1'\n",
])
def test_suse_sysconfig_is_refused_at_its_line_naming_the_format(suse: str) -> None:
    text = "BOOTPROTO='static'\nIPADDR='10.0.0.5/24'\n" + suse
    with pytest.raises(ConfigError) as info:
        ifcfg.parse(text, "ifcfg-bond0")
    assert info.value.key == "formats.ifcfg.suse" and info.value.line == 4
    assert "SUSE" in info.value.message("en") and "SUSE" in info.value.message("ko")
    assert "BONDING_OPTS" in info.value.message("en") and "nmcli" in info.value.message("ko")


def test_cloud_init_slave_list_beside_master_is_not_a_loss() -> None:
    """cloud-init writes BONDING_SLAVEn in the bond's file and MASTER= in each slave's: one fact twice."""
    files = {"ifcfg-bond0": "DEVICE=bond0\nTYPE=Bond\nBONDING_OPTS='mode=1'\nBONDING_SLAVE0=eth1\n",
             "ifcfg-eth1": "DEVICE=eth1\nMASTER=bond0\nSLAVE=yes\n"}
    (spec,) = ifcfg.parse(files)
    assert spec.slave_names == ["eth1"] and not spec.extras and not formats.losses(spec, "netplan")


def test_ifcfg_port_naming_both_master_and_bridge_is_a_warning(tmp_path: Path) -> None:
    files = {"ifcfg-bond0": "DEVICE=bond0\nTYPE=Bond\nBONDING_OPTS='mode=1 miimon=100'\n",
             "ifcfg-eth0": "DEVICE=eth0\nMASTER=bond0\nSLAVE=yes\nBRIDGE=br0\n"}
    write(tmp_path, files)
    (spec,) = formats.load(tmp_path)
    assert spec.bridge is None and spec.slave_names == ["eth0"]
    (finding,) = [f for f in lint(tmp_path) if f.rule == "bridge-ignored"]
    assert finding.severity == "warning" and finding.where.line == 4 and "br0" in finding.message("ko")


IP_NETNS = """\
ip netns add s1
ip -n s1 link add bond0 type bond mode active-backup miimon 100
ip -netns s1 link set eth0 master bond0
ip -n s1 -d link set eth1 master bond0
ip netns exec s1 ip address add 192.0.2.1/24 dev bond0
ip -netns s2 link add bond0 type bond mode 802.3ad
ip link add bond1 type bond mode balance-xor
"""


def test_ip_namespaces_each_have_their_bonds() -> None:
    """``ip -n NS``, ``ip -netns NS``, ``ip netns exec NS ip``: a bond per namespace, the same name twice."""
    specs = iproute.parse(IP_NETNS, "bonds.sh")
    assert [(s.name, s.netns, s.mode) for s in specs] == [
        ("bond1", None, "balance-xor"), ("bond0", "s1", "active-backup"), ("bond0", "s2", "802.3ad")]
    s1 = specs[1]
    assert s1.slave_names == ["eth0", "eth1"] and s1.addresses == ["192.0.2.1/24"]
    assert s1.origin["netns"].line == 2
    script = iproute.render(s1)["bond0-ip.sh"]
    assert "ip -n s1 link add bond0 type bond" in script and "\nip link" not in script
    assert reparse(s1, "ip") == [s1] and reparse(s1, "ip")[0].netns == "s1"
    (loss,) = formats.losses(s1, "netplan")
    assert loss.setting == "netns s1 (bond0)" and loss.where.line == 2 and "ip -n" in loss.message("ko")


def test_ip_batch_file_and_a_script_that_names_one(tmp_path: Path) -> None:
    batch = ("link add bond0 type bond mode 1 miimon 100\nlink set eth0 master bond0\n"
             "addr add 10.0.0.1/24 dev bond0\n")
    path = write(tmp_path, {"bond0.batch": batch}) / "bond0.batch"
    assert formats.detect(str(path), batch) == "ip"
    (spec,) = formats.load(path)
    assert spec.slave_names == ["eth0"] and spec.addresses == ["10.0.0.1/24"]
    notes: list = []
    (spec,) = iproute.parse("ip -b bond0.batch\nip link add bond1 type bond\n", notes=notes)
    assert any(n.key == "formats.ip.batch" for n in spec.notes + notes)
    assert [loss.setting for loss in formats.losses(spec, "netplan")][0] == "ip -batch bond0.batch"


def test_netplan_primary_by_set_name_is_flagged_as_netplan_refuses_it() -> None:
    """netplan's primary names a member by its id; its set-name is "not defined" for netplan generate.
    show reads it (as the member it means), lint says it as an error at the line."""
    text = ("network:\n  version: 2\n  ethernets:\n    a:\n      match: {macaddress: '52:54:00:00:00:0a'}\n"
            "      set-name: lan0\n  bonds:\n    bond0:\n      interfaces: [a]\n      parameters:\n"
            "        primary: lan0\n")
    (spec,) = netplan.parse(text)
    assert spec.options["primary"] == "lan0"
    (note,) = [n for n in spec.notes if n.rule == "primary-not-slave"]
    assert note.where.line == 11 and note.key == "formats.netplan.primary_by_name"
    (spec,) = netplan.parse(text.replace("primary: lan0", "primary: a"))
    assert spec.options["primary"] == "lan0" and not spec.notes


def test_netplan_interface_in_a_bond_and_a_bridge_is_refused_as_netplan_does() -> None:
    text = ("network:\n  version: 2\n  ethernets:\n    eth0: {}\n    eth1: {}\n  bonds:\n    bond0:\n"
            "      interfaces: [eth0, eth1]\n  bridges:\n    br0:\n      interfaces:\n        - eth1\n")
    err = raises_at(lambda: netplan.parse(text), "netplan.yaml", 12, "formats.netplan.bridge_port_in_bond")
    assert "br0: interface 'eth1' is already assigned to bond bond0" in err.message("en")


def test_show_names_members_by_one_rule() -> None:
    """set-name or an exact match: name is the kernel's name; a member matched by MAC alone is shown by
    its netplan id, marked so, and netplan writes it back without renaming the NIC."""
    text = ("network:\n  version: 2\n  ethernets:\n    a:\n      match: {macaddress: '52:54:00:00:00:0a'}\n"
            "      set-name: lan0\n    b:\n      match: {macaddress: '52:54:00:00:00:0b'}\n"
            "    c:\n      match: {name: enp9s0}\n    d: {}\n"
            "  bonds:\n    bond0:\n      interfaces: [a, b, c, d]\n")
    (spec,) = netplan.parse(text)
    assert [(s.name, s.name_known) for s in spec.slaves] == [
        ("lan0", True), ("b", False), ("enp9s0", True), ("d", True)]
    shown = describe(spec)
    assert "lan0 (netplan id a, hwaddr 52:54:00:00:00:0a)" in shown
    assert "b (netplan id: the kernel names this NIC itself, hwaddr 52:54:00:00:00:0b)" in shown
    assert "enp9s0 (netplan id c), d\n" in shown
    assert "set-name: b" not in netplan.render(spec)["bond0.yaml"]
    assert [loss.setting for loss in formats.losses(spec, "ifcfg")] == ["b: match without set-name"]


def test_netplan_ipv6_mtu_with_the_networkmanager_renderer_is_refused_as_netplan_does() -> None:
    text = ("network:\n  version: 2\n  renderer: NetworkManager\n  ethernets:\n    eth0: {}\n  bonds:\n"
            "    bond0:\n      interfaces: [eth0]\n      ipv6-mtu: 1400\n")
    raises_at(lambda: netplan.parse(text), "netplan.yaml", 9, "formats.netplan.nm_ipv6_mtu")
    (spec,) = netplan.parse(text.replace("renderer: NetworkManager", "renderer: networkd"))
    assert spec.ipv6_mtu == 1400
    spec.renderer = "NetworkManager"
    assert "ipv6-mtu" not in netplan.render(spec, whole=True)["bond0.yaml"]
    assert [loss.setting for loss in formats.losses(spec, "netplan")] == ["ipv6-mtu: 1400 (bond0)"]
