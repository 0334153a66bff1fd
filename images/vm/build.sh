#!/usr/bin/env bash
# Builds the nvmf-sim interop VM: Debian's cloud kernel plus a busybox initramfs carrying the
# NVMe/TCP modules, nvme-cli, fio, tc and a command-channel agent. Everything is cached in
# images/build/ (git-ignored); running it again only redoes what changed.
#
#   bash images/vm/build.sh            build (or confirm) images/build/{vmlinuz,initramfs.cpio.gz,vm.json}
#   bash images/vm/build.sh --force    rebuild the initramfs even if its inputs did not change
#
# Environment: NVMF_VM_BUILD_DIR (default images/build), NVMF_VM_KERNEL_PACKAGE (default: the
# concrete package the linux-image-cloud-amd64 meta package depends on).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${NVMF_VM_BUILD_DIR:-$ROOT/images/build}
FORCE=0
[ "${1:-}" = "--force" ] && FORCE=1

log() { echo "[build-vm] $*"; }
die() {
  echo "[build-vm] ERROR: $*" >&2
  exit 1
}

# Root modules; their dependencies are added from modules.dep.
MODULES=(configfs virtio_mmio virtio_pci virtio_net nvme-fabrics nvme-tcp nvmet nvmet-tcp null_blk sch_netem crc32c-intel)
# Host binaries copied into the image with every shared library ldd reports.
BINARIES=(/usr/sbin/nvme /usr/bin/fio /usr/bin/kmod)
OPTIONAL_BINARIES=(/usr/sbin/tc)

# --- prerequisites -------------------------------------------------------------------------------
need_cmd() {
  command -v "$1" >/dev/null 2>&1 || die "'$1' not found; install it with: apt-get install -y $2"
}
need_cmd apt-get apt
need_cmd apt-cache apt
need_cmd dpkg-deb dpkg
need_cmd cpio cpio
need_cmd gzip gzip
need_cmd depmod kmod
need_cmd ldd libc-bin
need_cmd sha256sum coreutils
[ -x /bin/busybox ] || die "/bin/busybox not found; install it with: apt-get install -y busybox-static"
if ldd /bin/busybox >/dev/null 2>&1; then
  die "/bin/busybox is dynamically linked; install the static one: apt-get install -y busybox-static"
fi
[ -x /usr/sbin/nvme ] || die "/usr/sbin/nvme not found; install it with: apt-get install -y nvme-cli"
[ -x /usr/bin/fio ] || die "/usr/bin/fio not found; install it with: apt-get install -y fio"
[ -x /usr/bin/kmod ] || die "/usr/bin/kmod not found; install it with: apt-get install -y kmod"
command -v qemu-system-x86_64 >/dev/null 2>&1 ||
  log "note: qemu-system-x86_64 is not installed (needed to boot, not to build): apt-get install -y qemu-system-x86"

mkdir -p "$BUILD/debs" "$BUILD/kernel"

# --- kernel --------------------------------------------------------------------------------------
KPKG=${NVMF_VM_KERNEL_PACKAGE:-}
if [ -z "$KPKG" ]; then
  KPKG=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
    awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
  [ -n "$KPKG" ] || die "cannot resolve linux-image-cloud-amd64 to a kernel package (run: apt-get update)"
fi
log "kernel package: $KPKG"

DEB=$(ls "$BUILD/debs/${KPKG}_"*.deb 2>/dev/null | head -n 1 || true)
if [ -z "$DEB" ]; then
  log "downloading $KPKG with apt-get download (uses this machine's apt sources)"
  # The _apt sandbox user cannot write into images/build; download as the invoking user instead.
  (cd "$BUILD/debs" && apt-get download -q -o APT::Sandbox::User="$(id -un)" "$KPKG") ||
    die "apt-get download $KPKG failed (is the apt index current? try: apt-get update)"
  DEB=$(ls "$BUILD/debs/${KPKG}_"*.deb 2>/dev/null | head -n 1 || true)
  [ -n "$DEB" ] || die "apt-get download did not produce $BUILD/debs/${KPKG}_*.deb"
else
  log "cached: $(basename "$DEB")"
fi

KROOT="$BUILD/kernel/$KPKG"
if [ ! -f "$KROOT/.extracted" ]; then
  log "extracting $(basename "$DEB")"
  rm -rf "$KROOT"
  mkdir -p "$KROOT"
  dpkg-deb -x "$DEB" "$KROOT"
  touch "$KROOT/.extracted"
fi
KVER=$(ls "$KROOT/lib/modules" | head -n 1)
[ -n "$KVER" ] || die "no lib/modules/<version> in $DEB"
KMODS="$KROOT/lib/modules/$KVER"
if [ ! -f "$KMODS/modules.dep" ]; then
  # The package's postinst normally runs depmod; do it on the extracted tree instead.
  log "depmod on the extracted kernel ($KVER)"
  depmod -b "$KROOT" "$KVER"
fi
cp -f "$KROOT/boot/vmlinuz-$KVER" "$BUILD/vmlinuz.tmp" && mv -f "$BUILD/vmlinuz.tmp" "$BUILD/vmlinuz"

# --- host identity for nvme-cli (stable across rebuilds) ---------------------------------------------
if [ ! -s "$BUILD/hostid" ]; then
  cat /proc/sys/kernel/random/uuid >"$BUILD/hostid"
fi
HOSTID=$(cat "$BUILD/hostid")
HOSTNQN="nqn.2014-08.org.nvmexpress:uuid:$HOSTID"

# --- should the initramfs be rebuilt? ----------------------------------------------------------
INPUTS=$(
  {
    echo "$KPKG $KVER $HOSTID"
    echo "${MODULES[*]}"
    sha256sum "$HERE/build.sh" "$HERE/init.sh" "$HERE/agent.sh" /bin/busybox "${BINARIES[@]}"
    for b in "${OPTIONAL_BINARIES[@]}"; do [ -x "$b" ] && sha256sum "$b"; done
  } | sha256sum | cut -d' ' -f1
)
if [ "$FORCE" = 0 ] && [ -f "$BUILD/initramfs.cpio.gz" ] && [ -f "$BUILD/vm.json" ] &&
  [ "$(cat "$BUILD/initramfs.stamp" 2>/dev/null)" = "$INPUTS" ]; then
  log "initramfs is up to date ($(du -h "$BUILD/initramfs.cpio.gz" | cut -f1))"
  log "done: $BUILD/vmlinuz $BUILD/initramfs.cpio.gz"
  exit 0
fi

STAGE="$BUILD/initramfs-root"
log "staging the initramfs in $STAGE"
rm -rf "$STAGE"
mkdir -p "$STAGE"/{bin,sbin,usr/bin,usr/sbin,etc/nvme,proc,sys,dev,run,tmp,root,mnt}
mkdir -p "$STAGE/lib/modules/$KVER"

# Busybox with one symlink per applet (at the paths busybox itself lists).
cp /bin/busybox "$STAGE/bin/busybox"
/bin/busybox --list-full | while read -r applet; do
  [ -e "$STAGE/$applet" ] || [ -L "$STAGE/$applet" ] || ln -s /bin/busybox "$STAGE/$applet"
done

# Binaries and their shared libraries at the paths the dynamic loader resolved on this machine.
copy_with_libs() {
  local bin=$1
  mkdir -p "$STAGE$(dirname "$bin")"
  rm -f "$STAGE$bin"
  cp -L "$bin" "$STAGE$bin"
  ldd "$bin" | awk '/=>/ && $3 ~ /^\// { print $3 } /^\t\/[^ ]+ \(/ { print $1 }' | while read -r lib; do
    if [ ! -e "$STAGE$lib" ]; then
      mkdir -p "$STAGE$(dirname "$lib")"
      cp -L "$lib" "$STAGE$lib"
    fi
  done
}
for b in "${BINARIES[@]}"; do
  log "adding $b"
  copy_with_libs "$b"
done
for b in "${OPTIONAL_BINARIES[@]}"; do
  if [ -x "$b" ]; then
    log "adding $b"
    copy_with_libs "$b"
  else
    log "skipping $b (not installed)"
  fi
done
# kmod provides modprobe/insmod/... (busybox's versions are replaced).
for tool in modprobe insmod rmmod lsmod modinfo depmod; do
  rm -f "$STAGE/sbin/$tool" "$STAGE/bin/$tool"
  ln -s /usr/bin/kmod "$STAGE/sbin/$tool"
done
# netem's delay distribution tables, for `tc qdisc ... netem delay ... distribution normal`.
for d in /usr/lib/x86_64-linux-gnu/tc /usr/lib/tc; do
  if [ -d "$d" ]; then
    mkdir -p "$STAGE$d"
    cp "$d"/*.dist "$STAGE$d/" 2>/dev/null || true
  fi
done

# Kernel modules: the roots above plus everything modules.dep says they need.
declare -A WANT=()
resolve_module() {
  local name=$1 pattern line path dep
  pattern="/${name//[-_]/[-_]}\\.ko(\\.[a-z]+)?:"
  line=$(grep -E "$pattern" "$KMODS/modules.dep" | head -n 1 || true)
  if [ -z "$line" ]; then
    if grep -qE "/${name//[-_]/[-_]}\\.ko" "$KMODS/modules.builtin" 2>/dev/null; then
      log "module $name is built into the kernel"
      return 0
    fi
    die "module $name is neither in modules.dep nor built in ($KVER)"
  fi
  path=${line%%:*}
  WANT[$path]=1
  for dep in ${line#*:}; do WANT[$dep]=1; done
}
for m in "${MODULES[@]}"; do resolve_module "$m"; done
for path in "${!WANT[@]}"; do
  mkdir -p "$STAGE/lib/modules/$KVER/$(dirname "$path")"
  cp "$KMODS/$path" "$STAGE/lib/modules/$KVER/$path"
done
for f in modules.order modules.builtin modules.builtin.modinfo; do
  [ -f "$KMODS/$f" ] && cp "$KMODS/$f" "$STAGE/lib/modules/$KVER/"
done
depmod -b "$STAGE" "$KVER"
log "modules: ${#WANT[@]} files ($(cd "$STAGE/lib/modules/$KVER" && find kernel -name '*.ko*' -printf '%f\n' | sort | tr '\n' ' '))"

# Configuration files.
echo "$HOSTNQN" >"$STAGE/etc/nvme/hostnqn"
echo "$HOSTID" >"$STAGE/etc/nvme/hostid"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$STAGE/etc/passwd"
printf 'root:x:0:\n' >"$STAGE/etc/group"
printf '127.0.0.1 localhost nvmf-vm\n' >"$STAGE/etc/hosts"
install -m 0755 "$HERE/init.sh" "$STAGE/init"
install -m 0755 "$HERE/agent.sh" "$STAGE/usr/bin/vm-agent"

log "packing initramfs (cpio newc + gzip)"
(cd "$STAGE" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
  gzip -6 >"$BUILD/initramfs.cpio.gz.tmp"
mv -f "$BUILD/initramfs.cpio.gz.tmp" "$BUILD/initramfs.cpio.gz"

NVME_VERSION=$(/usr/sbin/nvme version 2>/dev/null | head -n 1 || true)
FIO_VERSION=$(/usr/bin/fio --version 2>/dev/null || true)
cat >"$BUILD/vm.json.tmp" <<EOF
{
  "kernel": "vmlinuz",
  "initramfs": "initramfs.cpio.gz",
  "kernelPackage": "$KPKG",
  "kernelVersion": "$KVER",
  "hostnqn": "$HOSTNQN",
  "hostid": "$HOSTID",
  "nvmeCli": "$NVME_VERSION",
  "fio": "$FIO_VERSION"
}
EOF
mv -f "$BUILD/vm.json.tmp" "$BUILD/vm.json"
echo "$INPUTS" >"$BUILD/initramfs.stamp"

log "vmlinuz:   $(du -h "$BUILD/vmlinuz" | cut -f1)  ($KVER)"
log "initramfs: $(du -h "$BUILD/initramfs.cpio.gz" | cut -f1) compressed, $(du -sh "$STAGE" | cut -f1) unpacked"
log "done: $BUILD/vmlinuz $BUILD/initramfs.cpio.gz $BUILD/vm.json"
