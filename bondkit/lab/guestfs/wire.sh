#!/bin/sh
# Prints, for `tc -force -batch`, the wiring of data NIC number $1 (adapter MAC $2): its switch-side UML
# NIC ethN and the veth "cable" hwN whose peer the student sees. $3 is the switch profile, $4 the port:
#   profile learning       every frame from the switch reaches the NIC, as on an ordinary switch port;
#   profile vbox-hostonly  like a VirtualBox host-only adapter with promiscuous mode "Deny": unicast
#                          reaches the NIC only when addressed to the MAC the adapter was given ($2),
#                          whatever MAC the guest has since set; broadcast and multicast always pass;
#   port forwarding        the port passes frames both ways;
#   port blocked           the port passes nothing, either way, while the link stays up (silent-drop);
#   port unicast-blocked   only broadcast and multicast pass, both ways (unicast-drop): a path that
#                          still carries the peer's ARP requests but none of its replies.
n=$1; mac=$2; profile=$3; port=$4
to_nic="action mirred egress redirect dev hw$n"
to_switch="action mirred egress redirect dev eth$n"
group="flower dst_mac 01:00:00:00:00:00/01:00:00:00:00:00"
echo "filter del dev eth$n ingress"
echo "filter del dev hw$n ingress"
case $port in
blocked)
    echo "filter add dev eth$n ingress prio 9 matchall action drop"
    echo "filter add dev hw$n ingress prio 9 matchall action drop"
    exit 0 ;;
unicast-blocked)
    echo "filter add dev hw$n ingress prio 1 $group $to_switch"
    echo "filter add dev hw$n ingress prio 9 matchall action drop"
    echo "filter add dev eth$n ingress prio 1 $group $to_nic"
    echo "filter add dev eth$n ingress prio 9 matchall action drop"
    exit 0 ;;
esac
echo "filter add dev hw$n ingress prio 1 matchall $to_switch"
echo "filter add dev eth$n ingress prio 1 $group $to_nic"
echo "filter add dev eth$n ingress prio 2 flower dst_mac $mac $to_nic"
if [ "$profile" = "vbox-hostonly" ]; then
    echo "filter add dev eth$n ingress prio 9 matchall action drop"
else
    echo "filter add dev eth$n ingress prio 9 matchall $to_nic"
fi
