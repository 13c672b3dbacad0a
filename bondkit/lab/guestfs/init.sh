#!/bin/sh
# Stage 1 of a bondkit lab guest, PID 1 of a User-Mode Linux kernel whose root is the host's
# filesystem, mounted read-only through hostfs. It builds a writable overlay in guest memory on top of
# that root and moves into it, so nothing the guest writes can reach a host file.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t tmpfs -o mode=755 tmpfs /run
mkdir -p /run/overlay/upper /run/overlay/work /run/overlay/root
insmod "/usr/lib/uml/modules/$(uname -r)/kernel/fs/overlayfs/overlay.ko" 2>/dev/null
if ! mount -t overlay overlay -o lowerdir=/,upperdir=/run/overlay/upper,workdir=/run/overlay/work \
        /run/overlay/root; then
    echo "bondkit-guest: overlay failed" && halt -f
fi
mkdir -p /run/overlay/root/lib/modules
# The lab's files for this guest are copied into guest memory: stage 2 hides /tmp and /run.
cp -a "$bk_dir" /run/overlay/root/etc/bondkit-lab
mount --bind /usr/lib/uml/modules /run/overlay/root/lib/modules
umount /proc
bk_dir=/etc/bondkit-lab exec chroot /run/overlay/root /bin/sh /etc/bondkit-lab/stage2.sh
