"""What a bond holds, told in a few lines, and the migration report of a whole conversion.

``describe`` is ``bondkit show``'s text; ``migration_report`` is what ``bondkit convert --report`` writes
next to the converted files of a whole /etc/sysconfig/network-scripts copy: for every bond, what was
carried (the same rows as ``show``) and, setting by setting, what was not, where it was read and why.
"""

from __future__ import annotations

from bondkit.formats.losses import Loss
from bondkit.i18n import display_width, t
from bondkit.spec import BondSpec, IPConfig, Route, SlaveSpec


def _route_text(route: Route) -> str:
    words = [route.to] + ([f"via {route.via}"] if route.via else [])
    words += [f"metric {route.metric}"] if route.metric is not None else []
    words += [f"table {route.table}"] if route.table is not None else []
    words += ["onlink"] if route.on_link else []
    return " ".join(words)


def _yes(value: bool) -> str:
    return t("formats.show.yes") if value else t("formats.show.no")


def _ip_rows(conf: IPConfig) -> list[tuple[str, str]]:
    """The rows an interface always has, then those only shown when the files set them."""
    none = t("formats.show.none")
    rows = [
        ("addresses", ", ".join(conf.addresses) or none),
        ("gateway", conf.gateway or none),
        ("routes", ", ".join(_route_text(route) for route in conf.route_list()) or none),
        ("dhcp4", _yes(conf.dhcp4)),
    ]
    optional = [
        ("dhcp6", _yes(True) if conf.dhcp6 else None),
        ("accept_ra", None if conf.accept_ra is None else _yes(conf.accept_ra)),
        ("nameservers", ", ".join(conf.nameservers) or None),
        ("search", ", ".join(conf.search) or None),
        ("mtu", str(conf.mtu) if conf.mtu else None),
        ("ipv6_mtu", str(conf.ipv6_mtu) if conf.ipv6_mtu else None),
        ("mac", conf.mac),
        ("autoconnect", None if conf.autoconnect else _yes(False)),
    ]
    return rows + [(name, value) for name, value in optional if value]


def _table(rows: list[tuple[str, str]], indent: str = "  ") -> list[str]:
    labels = [t(f"formats.show.{name}") for name, _ in rows]
    width = max(display_width(label) for label in labels)
    return [f"{indent}{label}{' ' * (width - display_width(label))}  {value}"
            for label, (_, value) in zip(labels, rows, strict=True)]


def member_text(slave: SlaveSpec) -> str:
    """One member as ``show`` names it: by the kernel's name for the NIC when the files fix one
    (ifcfg DEVICE, nmcli ifname, netplan set-name, an exact match: name, or a netplan id that matches
    nothing); else by its netplan id, said so, since the kernel will give the NIC a name of its own."""
    pins = []
    if not slave.name_known:
        pins.append(t("formats.show.netplan_id_only"))
    elif slave.netplan_id and slave.netplan_id != slave.name:
        pins.append(t("formats.show.netplan_id", id=slave.netplan_id))
    pins += ["InfiniBand"] if slave.infiniband else []
    pins += [f"hwaddr {slave.hwaddr}"] if slave.hwaddr else []
    pins += [f"{key} {value}" for key, value in slave.match.items()]
    pins += [f"mtu {slave.mtu}"] if slave.mtu else []
    return f"{slave.name} ({', '.join(pins)})" if pins else slave.name


def describe(spec: BondSpec) -> str:
    """A short, translated text form of a bond, for ``bondkit show``, notebooks and the report."""
    none = t("formats.show.none")
    where = spec.origin.get("bond")
    slaves = [member_text(slave) for slave in spec.slaves]
    rows = [
        ("mode", spec.mode),
        ("options", " ".join(f"{name}={value}" for name, value in spec.kernel_options()[1:]) or none),
        ("slaves", ", ".join(slaves) or none),
        *_ip_rows(spec),
    ]
    if spec.renderer:
        rows.append(("renderer", spec.renderer))
    if spec.netns:
        rows.append(("netns", spec.netns))
    head = f"{spec.name}  ({where})" if where else spec.name
    body = _table(rows)
    for vlan in spec.vlans:
        body.append(f"  {t('formats.show.vlan', name=vlan.name, id=vlan.id)}")
        body += _table(_ip_rows(vlan), "    ")
    if spec.bridge:
        body.append(f"  {t('formats.show.bridge', name=spec.bridge.name)}")
        body += _table(_ip_rows(spec.bridge), "    ")
    for other in spec.others:
        if other.conf is not None:
            body.append(f"  {t('formats.show.other', name=other.name)}")
            body += _table(_ip_rows(other.conf), "    ")
    return "\n".join([head, *body])


def migration_report(specs: list[BondSpec], files: dict[str, str], lost: list[Loss], target: str,
                     lang: str | None = None) -> str:
    """A plain-text report: the files written, each bond as carried, and every setting not carried."""
    out = [t("formats.report.title", lang, target=target), ""]
    out.append(t("formats.report.files", lang, count=len(files)))
    out += [f"  {name}" for name in files]
    for spec in specs:
        out += ["", describe(spec)]
    summary = t("formats.report.lost", lang, count=len(lost)) if lost else t("formats.report.complete", lang)
    out += ["", summary]
    out += [f"  {loss.where}: {loss.message(lang)}" if loss.where else f"  {loss.message(lang)}"
            for loss in lost]
    return "\n".join(out) + "\n"
