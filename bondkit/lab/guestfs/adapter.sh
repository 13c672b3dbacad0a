#!/bin/sh
# Prints (for `tc -batch`) what data NIC number $1 (adapter MAC $2) lets in from the switch, by profile $3:
#   learning       every frame reaches the NIC, as on an ordinary switch port;
#   vbox-hostonly  like a VirtualBox host-only adapter with promiscuous mode "Deny": unicast frames
#                  reach the NIC only when addressed to the MAC the adapter was given ($2), whatever
#                  MAC the guest has since set on the NIC. Broadcast and multicast always pass.
n=$1; mac=$2; profile=$3
wire="action mirred egress redirect dev hw$n"
echo "filter add dev vec$n ingress prio 1 flower dst_mac 01:00:00:00:00:00/01:00:00:00:00:00 $wire"
echo "filter add dev vec$n ingress prio 2 flower dst_mac $mac $wire"
if [ "$profile" = "vbox-hostonly" ]; then
    echo "filter add dev vec$n ingress prio 3 matchall action drop"
else
    echo "filter add dev vec$n ingress prio 3 matchall $wire"
fi
