#!/bin/sh
# PID 1 of a bondkit lab guest: a User-Mode Linux kernel whose root is the lab's own image, written
# only through this guest's copy-on-write file. The guest's first network namespace holds the virtual
# hardware (UML NICs on the lab's switches, wired to veth "cables"); the namespace "vm" holds what a
# student sees of a VM: lo, the management NIC and the data NICs with VirtualBox-style names and MAC
# addresses, and sshd. Settings come from guest.env in the guest's folder on the host ($bk_dir), which
# is read once, read-only, and unmounted again.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm && mount -t devpts devpts /dev/pts && mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs -o mode=755 tmpfs /run
mount -t tmpfs -o mode=1777 tmpfs /tmp
mkdir -p /run/host /etc/bondkit-lab
if ! mount -t hostfs -r -o "$bk_dir" none /run/host; then
    echo "bondkit-guest: cannot read $bk_dir" && halt -f
fi
cp /run/host/guest.env /run/host/authorized_keys /run/host/ssh_host_ed25519_key /etc/bondkit-lab/
umount /run/host
. /etc/bondkit-lab/guest.env
hostname "$BK_HOSTNAME"
printf '127.0.0.1 localhost\n127.0.1.1 %s\n' "$BK_HOSTNAME" > /etc/hosts
echo "$BK_HOSTNAME" > /etc/hostname

# max_bonds=0: no bond0 of its own in the hardware namespace, as on a host whose bonds its tools make.
modprobe bonding max_bonds=0
modprobe -a veth sch_ingress cls_flower cls_matchall act_mirred act_gact 2>/dev/null
ip netns add vm

# Every fork is slow in a UML guest: the wiring is done by one ip and one tc process per namespace.
# Management NIC eth0: moved into the student's namespace as it is. Data NIC N: ethN <-> hwN (a tc
# mirred wire) <-> a veth peer named like the VM's NIC. Pulling the "cable" (hwN down) drops the
# carrier the bond sees, which a UML NIC cannot do by itself.
hardware=/run/ip-hardware.batch vm=/run/ip-vm.batch wires=/run/tc-wires.batch
printf 'link set lo up\nlink set eth0 netns vm\n' > $hardware
printf 'link set lo up\nlink set eth0 name %s\naddr add %s dev %s\nlink set %s up\n' \
    "$BK_MGMT_NIC" "$BK_MGMT_ADDR" "$BK_MGMT_NIC" "$BK_MGMT_NIC" > $vm
: > $wires
n=1
for spec in $BK_DATA_NICS; do
    nic=${spec%%=*}; mac=${spec#*=}
    printf 'link add hw%s type veth peer name %s netns vm\nlink set eth%s up\nlink set hw%s up\n' \
        $n "$nic" $n $n >> $hardware
    printf 'link set %s address %s\n' "$nic" "$mac" >> $vm
    printf 'qdisc add dev eth%s clsact\nqdisc add dev hw%s clsact\n' $n $n >> $wires
    sh /etc/bondkit/wire.sh $n "$mac" "$BK_SWITCH" forwarding | grep -v ' del ' >> $wires
    n=$((n + 1))
done
ip -batch $hardware
# No router advertisement may give the management NIC a route anywhere (the plug is IPv4 only anyway).
ip netns exec vm sysctl -q -w net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 \
    "net.ipv6.conf.$BK_MGMT_NIC.accept_ra=0" 2>/dev/null
ip -n vm -batch $vm
tc -batch $wires

mkdir -p /root/.ssh /run/sshd
chmod 700 /root /root/.ssh
install -m 600 /etc/bondkit-lab/authorized_keys /root/.ssh/authorized_keys
install -m 600 /etc/bondkit-lab/ssh_host_ed25519_key /etc/ssh/bondkit_host_ed25519_key
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
ip netns exec vm /usr/sbin/sshd -f /etc/ssh/bondkit_sshd_config -E /run/sshd.log
echo "bondkit-guest: ready"
while :; do sleep 3600; done
