#!/usr/bin/env bash
# Builds the base image of the Docker runtime, nvmf-sim/debian-base:<release>, from Debian's own
# packages: no image is pulled from any registry (this project's machines reach none). It runs
# `debootstrap --variant=minbase` into a temporary directory, using the mirror and release of this
# machine's apt sources, and imports the tree with `docker import`.
#
#   bash images/docker/build-base.sh            build, or do nothing if the image already exists
#   bash images/docker/build-base.sh --force    rebuild it anyway
#
# Environment: NVMF_DOCKER_RELEASE (default: this machine's Debian codename),
# NVMF_DOCKER_MIRROR (default: the first Debian mirror in this machine's apt sources).
# Prints the image name on its last line.
set -euo pipefail

FORCE=0
[ "${1:-}" = "--force" ] && FORCE=1

log() { echo "[build-base] $*" >&2; }
die() {
  echo "[build-base] ERROR: $*" >&2
  exit 1
}

command -v docker >/dev/null 2>&1 || die "'docker' not found; install it with: apt-get install -y docker.io"
docker info >/dev/null 2>&1 ||
  die "no Docker engine answers on ${DOCKER_HOST:-/var/run/docker.sock}; start one with: dockerd --bridge=none --iptables=false &"

# --- release and mirror from this machine's apt configuration ------------------------------------
RELEASE=${NVMF_DOCKER_RELEASE:-}
if [ -z "$RELEASE" ] && [ -r /etc/os-release ]; then
  RELEASE=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
fi
[ -n "$RELEASE" ] || die "cannot tell the Debian release (no VERSION_CODENAME in /etc/os-release); set NVMF_DOCKER_RELEASE"
IMAGE="nvmf-sim/debian-base:$RELEASE"

if [ "$FORCE" = 0 ] && docker image inspect "$IMAGE" >/dev/null 2>&1; then
  log "exists: $IMAGE"
  echo "$IMAGE"
  exit 0
fi

# The first URI of a stanza (deb822 .sources) or line (one-line sources.list) that serves the
# release's main component; security and updates suites are skipped (debootstrap wants the base).
find_mirror() {
  local file
  for file in /etc/apt/sources.list.d/*.sources; do
    [ -r "$file" ] || continue
    awk -v rel="$RELEASE" '
      function flush() { if (types ~ /(^| )deb( |$)/ && suites ~ ("(^| )" rel "( |$)") && comps ~ /(^| )main( |$)/ && uri != "") { print uri; found = 1; exit } types = suites = comps = uri = "" }
      /^[ \t]*$/ { flush(); next }
      /^[ \t]*#/ { next }
      /^Types:/ { sub(/^Types:[ \t]*/, ""); types = $0 }
      /^Suites:/ { sub(/^Suites:[ \t]*/, ""); suites = $0 }
      /^Components:/ { sub(/^Components:[ \t]*/, ""); comps = $0 }
      /^URIs:/ { sub(/^URIs:[ \t]*/, ""); split($0, u, /[ \t]+/); uri = u[1] }
      END { if (!found) flush() }
    ' "$file"
  done
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -r "$file" ] || continue
    awk -v rel="$RELEASE" '$1 == "deb" { i = 2; if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ } if ($(i + 1) == rel) { print $i; exit } }' "$file"
  done
}
MIRROR=${NVMF_DOCKER_MIRROR:-$(find_mirror | head -n 1)}
[ -n "$MIRROR" ] ||
  die "no Debian mirror for '$RELEASE' (component main) in /etc/apt/sources.list or /etc/apt/sources.list.d/*.sources; set NVMF_DOCKER_MIRROR"

command -v debootstrap >/dev/null 2>&1 || die "'debootstrap' not found; install it with: apt-get install -y debootstrap"
[ "$(id -u)" = 0 ] || die "debootstrap needs root (it creates device nodes and chroots)"

# --- debootstrap + import -------------------------------------------------------------------------
ROOTFS=$(mktemp -d "${TMPDIR:-/tmp}/nvmf-sim-rootfs.XXXXXX")
cleanup() { rm -rf "$ROOTFS"; }
trap cleanup EXIT

log "debootstrap --variant=minbase $RELEASE from this machine's apt mirror (takes a minute or two)"
if ! debootstrap --variant=minbase "$RELEASE" "$ROOTFS" "$MIRROR" >"$ROOTFS.log" 2>&1; then
  tail -n 30 "$ROOTFS.log" >&2
  rm -f "$ROOTFS.log"
  die "debootstrap of $RELEASE from the machine's apt mirror failed (see above)"
fi
rm -f "$ROOTFS.log"

# Smaller and reproducible-ish: no package lists or caches in the layer (the Dockerfile runs
# apt-get update itself); keep the apt sources debootstrap wrote, which name the same mirror.
rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/tmp/* "$ROOTFS"/var/log/*.log

log "docker import -> $IMAGE"
tar -C "$ROOTFS" -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["/bin/bash"]' \
  --message "nvmf-sim: debootstrap --variant=minbase $RELEASE" \
  - "$IMAGE" >/dev/null || die "docker import failed"
log "built $IMAGE"
echo "$IMAGE"
