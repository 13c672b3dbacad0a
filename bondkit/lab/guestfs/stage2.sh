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

for module in veth bonding sch_ingress cls_flower cls_matchall act_mirred act_gact; do
    modprobe "$module" 2>/dev/null
done

ip netns add vm
ip link set lo up
ip netns exec vm ip link set lo up

# Management NIC: moved into the student's namespace as it is.
ip link set vec0 netns vm
ip netns exec vm ip link set vec0 name "$BK_MGMT_NIC"
ip netns exec vm ip addr add "$BK_MGMT_ADDR" dev "$BK_MGMT_NIC"
ip netns exec vm ip link set "$BK_MGMT_NIC" up

# Data NICs: vecN <-> hwN (tc mirred wire) <-> veth peer named like the VM's NIC. Pulling the "cable"
# (hwN down) drops the carrier the bond sees, which a UML NIC cannot do by itself.
n=1
for spec in $BK_DATA_NICS; do
    nic=${spec%%=*}; mac=${spec#*=}
    ip link add "hw$n" type veth peer name "$nic" netns vm
    ip netns exec vm ip link set "$nic" address "$mac"
    ip link set "vec$n" up
    ip link set "hw$n" up
    tc qdisc add dev "vec$n" clsact
    tc qdisc add dev "hw$n" clsact
    tc filter add dev "hw$n" ingress prio 1 matchall action mirred egress redirect dev "vec$n"
    sh "$bk_dir/adapter.sh" "$n" "$mac" "$BK_SWITCH"
    n=$((n + 1))
done

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
