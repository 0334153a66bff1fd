#!/bin/bash
# Entrypoint of the nvmf-sim/linux-vm image: the interop VM (images/vm, Debian cloud kernel +
# busybox initramfs) run by QEMU inside a container on the host's network. The host kernel here
# has no nvmet modules, so the real Linux NVMe/TCP stack runs in the guest; QEMU's user network
# forwards 127.0.0.1:<port> on the host (the container shares its network) to the guest.
#
#   nvmf-vm qemu ARGS...   run qemu-system-x86_64 with exactly these arguments. sim/interop/docker-vm.ts
#                          uses this with the command line of sim/interop/qemu-args.ts, changed only
#                          so the command channel is a TCP server on 127.0.0.1 and the console is stdout.
#                          The console passes through this script, which logs "READY:" once the
#                          guest's init starts the agent (what the harness waits for in the log).
#   nvmf-vm target         boot the VM and export one nvmet-tcp subsystem on 127.0.0.1:$NVMF_TARGET_PORT
#                          (what docker-compose.yml runs); stays up until the container is stopped.
#   nvmf-vm info           print the VM manifest (vm.json).
#
# Environment for `target` (defaults in brackets):
#   NVMF_TARGET_PORT [4420]   host port forwarded to the guest's nvmet port 4420
#   NVMF_TARGET_NQN  [nqn.2014-08.org.nvmf-sim:docker-target]
#   NVMF_TARGET_SIZE_MIB [256]   size of the memory-backed null_blk namespace 1
#   NVMF_CHANNEL_PORT [14420]    the agent's command channel, a TCP server on 127.0.0.1
#   NVMF_VM_MEMORY_MIB [1024], NVMF_VM_CPUS [2], NVMF_VM_ACCEL [tcg; kvm needs --device /dev/kvm]
set -euo pipefail

VM_DIR=/opt/nvmf-sim/vm
QEMU=qemu-system-x86_64

log() { echo "nvmf-vm: $*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}

# The same machine and devices as sim/interop/qemu-args.ts (q35, two serial ports, user network,
# virtio-net); see that file for why. Console: ttyS0 on stdout; channel: ttyS1 as a TCP server.
# wait=on: QEMU starts the guest only once the channel client is connected, so @@READY is not lost.
target_qemu_args() {
  local accel=${NVMF_VM_ACCEL:-tcg}
  local cpu=max
  [ "$accel" = kvm ] && cpu=host
  printf '%s\n' \
    -M q35 -accel "$accel" -cpu "$cpu" \
    -m "${NVMF_VM_MEMORY_MIB:-1024}" -smp "${NVMF_VM_CPUS:-2}" \
    -nodefaults -no-user-config -display none -no-reboot \
    -kernel "$VM_DIR/vmlinuz" -initrd "$VM_DIR/initramfs.cpio.gz" \
    -append 'console=ttyS0 quiet panic=-1 i8042.noaux i8042.nokbd nvmfsim.watchdog=0' \
    -chardev file,id=console,path=/dev/stdout -serial chardev:console \
    -chardev "socket,id=channel,host=127.0.0.1,port=${NVMF_CHANNEL_PORT:-14420},server=on,wait=on" \
    -serial chardev:channel \
    -netdev "user,id=n0,hostfwd=tcp:127.0.0.1:${NVMF_TARGET_PORT:-4420}-:4420" \
    -device virtio-net-pci,netdev=n0
}

# What images/vm/init.sh prints on the console just before it starts the agent on ttyS1.
GUEST_AGENT_STARTING='init: ready, starting vm-agent'

# Copies the console to stdout, logging READY: once when the guest's init starts the agent.
watch_console() {
  local line said=0
  while IFS= read -r line || [ -n "$line" ]; do
    printf '%s\n' "$line"
    if [ "$said" = 0 ] && [[ $line == *"$GUEST_AGENT_STARTING"* ]]; then
      log "READY: guest booted, agent starting on the command channel"
      said=1
    fi
  done
}

# QEMU with the caller's arguments; its stdout (the console chardev's /dev/stdout) goes through
# watch_console. The script stays PID 1 so it can log READY:, so it passes SIGTERM on to QEMU
# (PID 1 ignores signals it has no handler for) and exits with QEMU's status.
run_qemu() {
  local fifo=/run/nvmf-vm-console qemu_pid watch_pid status=0
  rm -f "$fifo"
  mkfifo "$fifo"
  watch_console <"$fifo" &
  watch_pid=$!
  "$QEMU" "$@" >"$fifo" &
  qemu_pid=$!
  trap 'kill -TERM "$qemu_pid" 2>/dev/null || true' TERM INT
  # wait returns early when the trap runs; wait again until QEMU has really ended.
  while :; do
    wait "$qemu_pid" && status=0 || status=$?
    kill -0 "$qemu_pid" 2>/dev/null || break
  done
  wait "$watch_pid" || true
  exit "$status"
}

# nvmet through configfs, as sim/interop/linux-target.ts does it (blktests common/nvme layout).
target_setup_script() {
  local nqn=${NVMF_TARGET_NQN:-nqn.2014-08.org.nvmf-sim:docker-target}
  local size=${NVMF_TARGET_SIZE_MIB:-256}
  cat <<EOF
set -ex
modprobe nvmet
modprobe nvmet-tcp
modprobe null_blk nr_devices=0
mkdir /sys/kernel/config/nullb/nvmfsimdocker
echo $size > /sys/kernel/config/nullb/nvmfsimdocker/size
echo 1 > /sys/kernel/config/nullb/nvmfsimdocker/memory_backed
echo 1 > /sys/kernel/config/nullb/nvmfsimdocker/power
n=0; while [ ! -b /dev/nvmfsimdocker ] && [ \$n -lt 50 ]; do sleep 0.1; n=\$((n + 1)); done
S=/sys/kernel/config/nvmet/subsystems/$nqn
mkdir "\$S"
echo 1 > "\$S/attr_allow_any_host"
mkdir "\$S/namespaces/1"
printf %s /dev/nvmfsimdocker > "\$S/namespaces/1/device_path"
echo 1 > "\$S/namespaces/1/enable"
P=/sys/kernel/config/nvmet/ports/1
mkdir "\$P"
echo tcp > "\$P/addr_trtype"
echo ipv4 > "\$P/addr_adrfam"
echo 0.0.0.0 > "\$P/addr_traddr"
echo 4420 > "\$P/addr_trsvcid"
ln -s "\$S" "\$P/subsystems/$nqn"
EOF
}

# Reads channel lines from fd 3 until "@@END <id> <status>"; prints the job's stdout and stderr.
await_job() {
  local id=$1 line section=none out='' err=''
  while IFS= read -r line <&3; do
    line=${line%$'\r'}
    case "$line" in
      "@@BEGIN $id") section=header ;;
      @@OUT) section=out ;;
      @@ERR) section=err ;;
      "@@END $id "*)
        printf '%s' "$out" | base64 -d >&2 || true
        printf '%s' "$err" | base64 -d >&2 || true
        return "${line##* }"
        ;;
      *)
        [ "$section" = out ] && out+=$line
        [ "$section" = err ] && err+=$line
        ;;
    esac
  done
  die "the command channel closed before job $id finished"
}

run_target() {
  local port=${NVMF_CHANNEL_PORT:-14420} args qemu_pid tries=0 line
  mapfile -t args < <(target_qemu_args)
  log "starting $QEMU (channel 127.0.0.1:$port, NVMe/TCP 127.0.0.1:${NVMF_TARGET_PORT:-4420})"
  "$QEMU" "${args[@]}" &
  qemu_pid=$!
  # The braces keep 2>/dev/null from sticking to the shell (exec makes its redirections permanent).
  until { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null; do
    kill -0 "$qemu_pid" 2>/dev/null || die "QEMU ended before its channel listened"
    tries=$((tries + 1))
    [ "$tries" -lt 300 ] || die "QEMU's channel did not listen within 30 s"
    sleep 0.1
  done
  # Stopping the container powers the guest off cleanly, then QEMU ends by itself.
  trap 'echo "RUN 999999 $(printf "sync; poweroff -f" | base64 -w0)" >&3 2>/dev/null || kill "$qemu_pid"; wait "$qemu_pid"; exit 0' TERM INT
  while IFS= read -r line <&3; do
    [ "${line%$'\r'}" = "@@READY" ] && break
  done
  log "guest agent ready; configuring nvmet-tcp"
  echo "RUN 1 $(target_setup_script | base64 -w0)" >&3
  if ! await_job 1; then
    kill "$qemu_pid" 2>/dev/null || true
    die "nvmet configuration failed in the guest (trace above)"
  fi
  log "READY: NVMe/TCP target ${NVMF_TARGET_NQN:-nqn.2014-08.org.nvmf-sim:docker-target} on 127.0.0.1:${NVMF_TARGET_PORT:-4420}"
  # `wait` returns early when the TERM trap fires; the trap then finishes the shutdown.
  wait "$qemu_pid"
}

[ -f "$VM_DIR/vm.json" ] || die "$VM_DIR/vm.json missing: the image was built without the VM (images/docker/build-image.sh)"
mode=${1:-target}
[ $# -gt 0 ] && shift
case "$mode" in
  qemu) run_qemu "$@" ;;
  target) run_target ;;
  info) cat "$VM_DIR/vm.json" ;;
  *) die "unknown mode '$mode' (qemu ARGS... | target | info)" ;;
esac
