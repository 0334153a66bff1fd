#!/bin/sh
# vm-agent: the host's command channel into the interop VM (installed as /usr/bin/vm-agent).
#
# Protocol on the channel tty (one line per message, LF-terminated; see images/README.md):
#   host -> guest   RUN <id> <base64 of a shell script>    run it with sh in its own session
#                   KILL <id>                              SIGKILL that job's process group
#                   PING                                   keep-alive, no reply
#   guest -> host   @@READY                                once, when the agent listens
#                   @@BEGIN <id> / @@OUT / base64 lines / @@ERR / base64 lines / @@END <id> <status>
# Jobs run concurrently. Only one writer process touches the tty, fed job ids through a FIFO, so
# frames never interleave. Output is base64, so command output can never look like a marker.
# Watchdog: with nvmfsim.watchdog=<seconds> on the kernel command line, the VM powers itself off
# when the host has sent nothing for that long, so a host process that died (even by SIGKILL)
# never leaves a QEMU running.
CHAN=${1:-/dev/ttyS1}
DIR=/run/vm-agent
mkdir -p "$DIR"
# Hold the tty open (read-write, as stdin and stdout) for the agent's whole life: the 8250 driver
# resets its receive FIFO whenever the port is opened with no other user, which would drop input.
exec 0<>"$CHAN" 1>&0 2>/dev/console
# Raw mode: no echo, no line editing, no CR/LF translation, no 4 KiB canonical line limit.
stty raw -echo 115200 || exit 1
rm -f "$DIR/done"
mkfifo "$DIR/done" || exit 1

run_job() {
  id=$1
  job="$DIR/$id"
  printf '%s' "$2" | base64 -d >"$job.sh"
  # setsid makes the job a process-group leader, so KILL reaches everything it started.
  setsid sh "$job.sh" </dev/null >"$job.out" 2>"$job.err" &
  pid=$!
  echo "$pid" >"$job.pid"
  wait "$pid"
  status=$?
  {
    echo "@@BEGIN $id"
    echo "@@OUT"
    base64 "$job.out"
    echo "@@ERR"
    base64 "$job.err"
    echo "@@END $id $status"
  } >"$job.frame"
  # A line shorter than PIPE_BUF is written to the FIFO atomically.
  echo "$id" >"$DIR/done"
}

# The single writer. Opening the FIFO read-write keeps it from reporting EOF between jobs.
(
  exec 3<>"$DIR/done"
  while IFS= read -r id <&3; do
    cat "$DIR/$id.frame"
    rm -f "$DIR/$id.sh" "$DIR/$id.out" "$DIR/$id.err" "$DIR/$id.pid" "$DIR/$id.frame"
  done
) &

WATCHDOG_SEC=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^nvmfsim\.watchdog=\([0-9][0-9]*\)$/\1/p')
touch "$DIR/alive"
if [ "${WATCHDOG_SEC:-0}" -gt 0 ]; then
  (
    while sleep 1; do
      idle=$(($(date +%s) - $(stat -c %Y "$DIR/alive")))
      if [ "$idle" -ge "$WATCHDOG_SEC" ]; then
        echo "vm-agent: no message from the host for ${idle}s, powering off" >/dev/console
        poweroff -f
      fi
    done
  ) &
fi

echo "@@READY"

while IFS= read -r line; do
  touch "$DIR/alive"
  set -f
  # shellcheck disable=SC2086 # word splitting of the message is intended
  set -- $line
  set +f
  case "$1" in
    RUN) run_job "$2" "${3:-}" & ;;
    KILL)
      if [ -f "$DIR/$2.pid" ]; then kill -KILL -- "-$(cat "$DIR/$2.pid")" 2>/dev/null; fi
      ;;
    *) ;;
  esac
done
