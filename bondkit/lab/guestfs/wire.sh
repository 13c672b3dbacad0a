#!/bin/sh
# Prints, for `tc -force -batch`, how data NIC $1 (adapter MAC $2) meets its switch port. $3 is the
# switch profile, $4 the port's state:
#   profile learning       every frame from the switch reaches the NIC, as on an ordinary switch port;
#   profile vbox-hostonly  like a VirtualBox host-only adapter with promiscuous mode "Deny": unicast
#                          reaches the NIC only when addressed to the MAC the adapter was given ($2),
#                          whatever MAC the guest has since set; broadcast and multicast always pass;
#   port forwarding        the port passes frames both ways;
#   port blocked           the port passes nothing, either way, while the link stays up (silent-drop);
#   port unicast-blocked   only broadcast and multicast pass, both ways (unicast-drop): a path that
#                          still carries the peer's ARP requests but none of its replies.
# The filters sit at the very edge of the NIC (tc's clsact: before the bond sees a frame coming in,
# after it has sent one out), where the adapter and the switch port would act. The clsact qdisc itself
# stays once made (the guest's init makes it at boot): adding one stops the NIC's queue for a moment,
# which would lose a frame at the instant of every fault; changing filters loses none.
nic=$1; mac=$2; profile=$3; port=$4
group="flower dst_mac 01:00:00:00:00:00/01:00:00:00:00:00 action pass"
echo "qdisc add dev $nic clsact"
echo "filter del dev $nic ingress"
echo "filter del dev $nic egress"
if [ "$profile" = learning ] && [ "$port" = forwarding ]; then exit 0; fi
case $port in
blocked)
    echo "filter add dev $nic ingress prio 9 matchall action drop"
    echo "filter add dev $nic egress prio 9 matchall action drop"
    exit 0 ;;
unicast-blocked)
    for way in ingress egress; do
        echo "filter add dev $nic $way prio 1 $group"
        echo "filter add dev $nic $way prio 9 matchall action drop"
    done
    exit 0 ;;
esac
# vbox-hostonly, port forwarding
echo "filter add dev $nic ingress prio 1 $group"
echo "filter add dev $nic ingress prio 2 flower dst_mac $mac action pass"
echo "filter add dev $nic ingress prio 9 matchall action drop"
