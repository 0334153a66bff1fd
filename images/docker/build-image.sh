#!/usr/bin/env bash
# Builds nvmf-sim/linux-vm:latest, the Docker runtime's image (images/docker/Dockerfile): the base
# from build-base.sh plus QEMU plus the interop VM that images/vm/build.sh wrote to images/build/.
# Idempotent: the image carries a hash of its inputs (label nvmf-sim.inputs) and is rebuilt only
# when one changed. The VM manifest is also stored as a label (nvmf-sim.vm), so the runtime can
# read it without files on the host.
#
#   bash images/docker/build-image.sh            build if an input changed (builds the base if missing)
#   bash images/docker/build-image.sh --force    rebuild anyway
#
# Environment: NVMF_VM_BUILD_DIR (default images/build), NVMF_DOCKER_RELEASE (see build-base.sh).
# Prints the image name on its last line.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${NVMF_VM_BUILD_DIR:-$ROOT/images/build}
IMAGE=nvmf-sim/linux-vm:latest
FORCE=0
[ "${1:-}" = "--force" ] && FORCE=1

log() { echo "[build-image] $*" >&2; }
die() {
  echo "[build-image] ERROR: $*" >&2
  exit 1
}

command -v docker >/dev/null 2>&1 || die "'docker' not found; install it with: apt-get install -y docker.io"
docker info >/dev/null 2>&1 ||
  die "no Docker engine answers on ${DOCKER_HOST:-/var/run/docker.sock}; start one with: dockerd --bridge=none --iptables=false &"
for file in vmlinuz initramfs.cpio.gz vm.json; do
  [ -f "$BUILD/$file" ] || die "$BUILD/$file is missing; build the VM first: bash images/vm/build.sh"
done

BASE=$(bash "$HERE/build-base.sh" | tail -n 1)
BASE_ID=$(docker image inspect --format '{{.Id}}' "$BASE")

INPUTS=$(
  {
    echo "$BASE_ID"
    sha256sum "$HERE/Dockerfile" "$HERE/nvmf-vm.sh" "$BUILD/vmlinuz" "$BUILD/initramfs.cpio.gz" "$BUILD/vm.json" | awk '{ print $1 }'
  } | sha256sum | awk '{ print $1 }'
)
CURRENT=$(docker image inspect --format '{{index .Config.Labels "nvmf-sim.inputs"}}' "$IMAGE" 2>/dev/null || true)
if [ "$FORCE" = 0 ] && [ "$CURRENT" = "$INPUTS" ]; then
  log "up to date: $IMAGE"
  echo "$IMAGE"
  exit 0
fi

# A small context: only what the Dockerfile copies (images/build also holds the unpacked kernel
# package and the initramfs staging tree, hundreds of MB that the daemon does not need).
CONTEXT="$BUILD/docker-context"
rm -rf "$CONTEXT"
mkdir -p "$CONTEXT"
cp "$HERE/Dockerfile" "$HERE/nvmf-vm.sh" "$BUILD/vmlinuz" "$BUILD/initramfs.cpio.gz" "$BUILD/vm.json" "$CONTEXT/"

# Debian's docker.io ships no buildx plugin; the classic builder then does the job.
docker buildx version >/dev/null 2>&1 || export DOCKER_BUILDKIT=0
log "docker build -> $IMAGE (apt-get install qemu-system-x86 in the image; about a minute)"
docker build --quiet --network host \
  --build-arg "BASE=$BASE" \
  --label "nvmf-sim.inputs=$INPUTS" \
  --label "nvmf-sim.vm=$(tr -d '\n' <"$BUILD/vm.json")" \
  -t "$IMAGE" "$CONTEXT" >&2 || die "docker build failed (see above)"
log "built $IMAGE"
echo "$IMAGE"
