#!/bin/sh
# PID 1 of a bondkit lab guest: a small virtual machine whose root is the lab's own image, written only
# through this guest's throw-away overlay. What a student sees is a VM as in the tutorial: lo, the
# management NIC and the data NICs, PCI virtio cards named as VirtualBox's (enp0s3, enp0s8, ...) and
# carrying their MAC addresses. Settings and keys come from QEMU's firmware config (read-only).
# Every program started costs a guest without KVM a tenth of a second, so this starts few: the shell's
# own built-ins do the rest (the image holds /etc/fstab, bonding's options and sshd's configuration).
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -a
modprobe -a qemu_fw_cfg virtio_pci virtio_net virtio_rng bonding
given=/sys/firmware/qemu_fw_cfg/by_name/opt/bondkit
if [ -n "$bk_probe" ]; then
    read -r version < /sys/module/bonding/version 2>/dev/null
    echo "bondkit-guest: probe $(uname -m) $(uname -r) bonding $version"
    echo o > /proc/sysrq-trigger
    sleep 10
fi
if [ ! -r "$given/guest.sh/raw" ]; then
    echo "bondkit-guest: no settings from the lab" && echo o > /proc/sysrq-trigger
fi
. "$given/guest.sh/raw"
echo "$BK_HOSTNAME" > /proc/sys/kernel/hostname
echo "$BK_HOSTNAME" > /etc/hostname
printf '127.0.0.1 localhost\n127.0.1.1 %s\n' "$BK_HOSTNAME" > /etc/hosts
umask 077
printf '%s\n' "$BK_AUTHORIZED_KEY" > /root/.ssh/authorized_keys
printf '%s\n' "$BK_HOST_KEY" > /etc/ssh/bondkit_host_ed25519_key
umask 022

# The kernel names the cards eth0, eth1, ...; each gets the name the topology gives its MAC address.
names=/run/ip-names.batch
printf 'link set lo up\n' > $names
for dev in /sys/class/net/eth*; do
    read -r mac < "$dev/address"
    for spec in "$BK_MGMT_NIC=$BK_MGMT_MAC" $BK_DATA_NICS; do
        [ "${spec#*=}" = "$mac" ] && printf 'link set %s name %s\n' "${dev##*/}" "${spec%%=*}" >> $names
    done
done
printf 'addr add %s dev %s\nlink set %s up\n' "$BK_MGMT_ADDR" "$BK_MGMT_NIC" "$BK_MGMT_NIC" >> $names
# No router advertisement may give the management NIC a route anywhere (the plug is IPv4 only anyway).
echo 0 > /proc/sys/net/ipv6/conf/all/accept_ra
echo 0 > /proc/sys/net/ipv6/conf/default/accept_ra
ip -batch $names
wire_nics() {
    for spec in $BK_DATA_NICS; do
        sh /etc/bondkit/wire.sh "${spec%%=*}" "${spec#*=}" "$BK_SWITCH" forwarding
    done | tc -force -batch - 2>/dev/null
}
# A switch that filters must do so from the first frame; a learning one is wired once sshd runs.
[ "$BK_SWITCH" != learning ] && wire_nics

# -r: no re-execution of sshd for each connection (a whole program start per login in this guest).
/usr/sbin/sshd -r -f /etc/ssh/bondkit_sshd_config -E /run/sshd.log
echo "bondkit-guest: ready"
# What the switch port's faults and the vbox-hostonly profile use, loaded and wired now rather than on
# a fault's first use: a module load holds the lock every `ip` command waits for, so it would stall the
# probes of a failover run just when they matter.
{ modprobe -a sch_ingress cls_matchall cls_flower act_gact 2>/dev/null; wire_nics; } &
while :; do sleep 3600; done
