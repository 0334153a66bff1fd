#!/bin/sh
# PID 1 of the nvmf-sim interop VM (installed as /init in the initramfs).
# Mounts the pseudo filesystems, brings up the QEMU user-net address, loads the NVMe/TCP modules
# and hands the second serial port (ttyS1) to vm-agent, the host's command channel.
# Kernel messages go to ttyS0 only, so they can never be confused with command output.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root

say() { echo "init: $*" >/dev/console; }

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm /run /tmp /root
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
# configfs is a module in Debian's cloud kernel; nvmet and null_blk are configured through it.
modprobe configfs 2>/dev/null
mount -t configfs configfs /sys/kernel/config || say "configfs mount failed"
mount -t debugfs debugfs /sys/kernel/debug || say "debugfs mount failed"
hostname nvmf-vm

# Network: QEMU user networking (slirp) serves 10.0.2.0/24, the host loopback is 10.0.2.2.
# microvm exposes virtio-net through virtio-mmio (found via ACPI); pc/q35 through virtio-pci.
for m in virtio_mmio virtio_pci virtio_net; do modprobe "$m" 2>/dev/null; done
ip link set lo up
tries=0
while [ ! -e /sys/class/net/eth0 ] && [ "$tries" -lt 50 ]; do
  sleep 0.1
  tries=$((tries + 1))
done
if [ -e /sys/class/net/eth0 ]; then
  ip addr add 10.0.2.15/24 dev eth0
  ip link set eth0 up
  ip route add default via 10.0.2.2
else
  say "eth0 did not appear"
fi

# NVMe/TCP host and target. null_blk with nr_devices=0: devices are made through configfs
# (memory-backed, sized per namespace) instead of the default 250 GB data-discarding nullb0.
for m in nvme-fabrics nvme-tcp nvmet nvmet-tcp; do
  modprobe "$m" || say "modprobe $m failed"
done
modprobe null_blk nr_devices=0 || say "modprobe null_blk failed"

say "ready, starting vm-agent on /dev/ttyS1"
/usr/bin/vm-agent /dev/ttyS1
say "vm-agent exited with $?, powering off"
poweroff -f
