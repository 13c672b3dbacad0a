#!/bin/sh
# Records real `ip link show`, `ip -d -j link show` and `ping -D -O` output for bondkit's parser tests.
#
# Two throw-away network namespaces joined by a veth pair. The client side hangs its veth on a bridge, so
# that the output has a real `master` and `info_slave_kind`, and puts a macvlan on the bridge, so that
# it has a real `name@lower` suffix and, when the peer is down, a real LOWERLAYERDOWN state. The peer end
# is set down for about half a second while ping runs, which gives real "no answer yet" lines.
# Every address lives inside these namespaces; pings are bounded (-c 5); both namespaces are deleted on
# exit. Needs root, iproute2 and iputils ping. Run: sudo sh record.sh
set -eu
A=bk-obs-test
B=bk-obs-test-peer
OUT=$(cd "$(dirname "$0")" && pwd)

cleanup() {
    ip netns del "$A" 2>/dev/null || true
    ip netns del "$B" 2>/dev/null || true
}
trap cleanup EXIT INT TERM
cleanup

ip netns add "$A"
ip netns add "$B"
ip -n "$A" link set lo up
ip -n "$B" link set lo up
ip -n "$A" link add veth0 type veth peer name veth1 netns "$B"
ip -n "$A" link add br0 type bridge
ip -n "$A" link set veth0 master br0
ip -n "$A" addr add 192.168.99.101/24 dev br0
ip -n "$B" addr add 192.168.99.102/24 dev veth1
ip -n "$A" link add mv0 link br0 type macvlan mode bridge
ip -n "$A" link set veth0 up
ip -n "$A" link set br0 up
ip -n "$A" link set mv0 up
ip -n "$B" link set veth1 up
sleep 1.5

ip -n "$A" link show >"$OUT/ip-link-up.txt"
ip -n "$A" -d -j link show >"$OUT/ip-d-j-link-up.json"
ip netns exec "$A" ping -D -O -c 5 -i 0.2 -W 1 192.168.99.102 >"$OUT/ping-ok.txt"

# The peer goes away for a while during a ping: probes 3 and 4 get no answer.
ip netns exec "$A" ping -D -O -c 5 -i 0.2 -W 1 192.168.99.102 >"$OUT/ping-peer-down.txt" &
PING=$!
sleep 0.3
ip -n "$B" link set veth1 down
sleep 0.4
ip -n "$B" link set veth1 up
wait "$PING" || true

# The link states with the peer down, once the kernel's link watch has caught up.
ip -n "$B" link set veth1 down
sleep 1.5
ip -n "$A" link show >"$OUT/ip-link-peer-down.txt"
ip -n "$A" -d -j link show >"$OUT/ip-d-j-link-peer-down.json"
ip -n "$B" link set veth1 up
sleep 1.5

# Nobody holds .103: ARP fails after about 3 s and ping reports "Destination Host Unreachable".
ip netns exec "$A" ping -D -O -c 5 -i 1 -W 2 192.168.99.103 >"$OUT/ping-unreachable.txt" || true
