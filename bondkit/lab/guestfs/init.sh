#!/bin/sh
# PID 1 of a bondkit lab guest: a small virtual machine whose root is the lab's own image, written only
# through this guest's throw-away overlay. What a student sees is a VM as in the tutorial: lo, the
# management NIC and the data NICs, PCI virtio cards named as VirtualBox's (enp0s3, enp0s8, ...) and
# carrying their MAC addresses. Settings and keys come from QEMU's firmware config (read-only).
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm && mount -t devpts devpts /dev/pts && mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs -o mode=755 tmpfs /run
mount -t tmpfs -o mode=1777 tmpfs /tmp
# max_bonds=0: no bond0 of its own, as on a host whose bonds its tools make.
modprobe -a qemu_fw_cfg virtio_pci virtio_net virtio_rng
modprobe bonding max_bonds=0
given=/sys/firmware/qemu_fw_cfg/by_name/opt/bondkit
if [ -n "$bk_probe" ]; then
    echo "bondkit-guest: probe $(uname -m) $(uname -r) $(cat /sys/module/bonding/version 2>/dev/null)"
    echo o > /proc/sysrq-trigger
    sleep 10
fi
mkdir -p /etc/bondkit-guest
for name in guest.env authorized_keys ssh_host_ed25519_key; do
    if ! cat "$given/$name/raw" > "/etc/bondkit-guest/$name"; then
        echo "bondkit-guest: no $name from the lab" && echo o > /proc/sysrq-trigger
    fi
done
. /etc/bondkit-guest/guest.env
hostname "$BK_HOSTNAME"
printf '127.0.0.1 localhost\n127.0.1.1 %s\n' "$BK_HOSTNAME" > /etc/hosts
echo "$BK_HOSTNAME" > /etc/hostname

# The kernel names the cards eth0, eth1, ...; each gets the name the topology gives its MAC address.
names=/run/ip-names.batch
printf 'link set lo up\n' > $names
for dev in /sys/class/net/eth*; do
    mac=$(cat "$dev/address")
    for spec in "$BK_MGMT_NIC=$BK_MGMT_MAC" $BK_DATA_NICS; do
        [ "${spec#*=}" = "$mac" ] && printf 'link set %s name %s\n' "${dev##*/}" "${spec%%=*}" >> $names
    done
done
printf 'addr add %s dev %s\nlink set %s up\n' "$BK_MGMT_ADDR" "$BK_MGMT_NIC" "$BK_MGMT_NIC" >> $names
# No router advertisement may give the management NIC a route anywhere (the plug is IPv4 only anyway).
sysctl -q -w net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0
ip -batch $names
if [ "$BK_SWITCH" != learning ]; then
    for spec in $BK_DATA_NICS; do
        sh /etc/bondkit/wire.sh "${spec%%=*}" "${spec#*=}" "$BK_SWITCH" forwarding
    done | tc -force -batch - 2>/dev/null
fi

mkdir -p /root/.ssh /run/sshd
chmod 700 /root /root/.ssh
install -m 600 /etc/bondkit-guest/authorized_keys /root/.ssh/authorized_keys
install -m 600 /etc/bondkit-guest/ssh_host_ed25519_key /etc/ssh/bondkit_host_ed25519_key
cat > /etc/ssh/bondkit_sshd_config <<CONFIG
Port 22
HostKey /etc/ssh/bondkit_host_ed25519_key
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
UseDNS no
PidFile /run/sshd.pid
AuthorizedKeysFile /root/.ssh/authorized_keys
Subsystem sftp internal-sftp
AcceptEnv LANG LC_* BONDKIT_LANG
CONFIG
/usr/sbin/sshd -f /etc/ssh/bondkit_sshd_config -E /run/sshd.log
echo "bondkit-guest: ready"
# What the switch port's faults and the vbox-hostonly profile use, loaded now rather than on a fault's
# first use: a module load holds the lock every `ip` command waits for, so it would stall the probes of
# a failover run just when they matter.
modprobe -a sch_ingress cls_matchall cls_flower act_gact 2>/dev/null &
while :; do sleep 3600; done
