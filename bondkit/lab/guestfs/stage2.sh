#!/bin/sh
# Stage 2 of a bondkit lab guest, inside the overlay. The guest's first network namespace holds the
# virtual hardware (UML NICs wired to veth "cables"); the namespace "vm" holds what a student sees of a
# VM: lo, the management NIC and the data NICs with VirtualBox-style names and MAC addresses, and sshd.
# Settings come from $bk_dir/guest.env, written by the lab controller.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm && mount -t devpts devpts /dev/pts && mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs -o mode=755 tmpfs /run
mount -t tmpfs -o mode=1777 tmpfs /tmp
# The host's /root is not the guest's business (and not readable to it).
mount -t tmpfs -o mode=700 tmpfs /root
. "$bk_dir/guest.env"
hostname "$BK_HOSTNAME"
echo "$BK_HOSTNAME" > /etc/hostname
echo "127.0.1.1 $BK_HOSTNAME" >> /etc/hosts

modprobe -a veth bonding sch_ingress cls_flower cls_matchall act_mirred act_gact 2>/dev/null
ip netns add vm

# Every fork is slow in a UML guest: the wiring is done by one ip and one tc process per namespace.
# Management NIC: moved into the student's namespace as it is. Data NICs: vecN <-> hwN (a tc mirred
# wire) <-> a veth peer named like the VM's NIC. Pulling the "cable" (hwN down) drops the carrier the
# bond sees, which a UML NIC cannot do by itself.
hardware=/run/ip-hardware.batch vm=/run/ip-vm.batch wires=/run/tc-wires.batch
printf 'link set lo up\nlink set vec0 netns vm\n' > $hardware
printf 'link set lo up\nlink set vec0 name %s\naddr add %s dev %s\nlink set %s up\n' \
    "$BK_MGMT_NIC" "$BK_MGMT_ADDR" "$BK_MGMT_NIC" "$BK_MGMT_NIC" > $vm
: > $wires
n=1
for spec in $BK_DATA_NICS; do
    nic=${spec%%=*}; mac=${spec#*=}
    printf 'link add hw%s type veth peer name %s netns vm\nlink set vec%s up\nlink set hw%s up\n' \
        $n "$nic" $n $n >> $hardware
    printf 'link set %s address %s\n' "$nic" "$mac" >> $vm
    printf 'qdisc add dev vec%s clsact\nqdisc add dev hw%s clsact\n' $n $n >> $wires
    printf 'filter add dev hw%s ingress prio 1 matchall action mirred egress redirect dev vec%s\n' $n $n >> $wires
    sh "$bk_dir/adapter.sh" $n "$mac" "$BK_SWITCH" >> $wires
    n=$((n + 1))
done
ip -batch $hardware
ip -n vm -batch $vm
tc -batch $wires

# The guest's own account database: no host password hash is visible inside, and root is not
# "locked" (sshd refuses key logins to locked accounts).
awk -F: '{print $1 ":*:19000:0:99999:7:::"}' /etc/passwd > /etc/shadow.bondkit && mv /etc/shadow.bondkit /etc/shadow
chmod 640 /etc/shadow
mkdir -p /root/.ssh /run/sshd /etc/ssh
install -m 600 "$bk_dir/authorized_keys" /root/.ssh/authorized_keys
install -m 600 "$bk_dir/ssh_host_ed25519_key" /etc/ssh/bondkit_host_ed25519_key
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
