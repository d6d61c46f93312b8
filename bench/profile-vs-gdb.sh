#!/usr/bin/env bash
# jkraft profile on QEMU/TCG, x86_64, one vCPU, against taking each sample with `gdb -batch -ex bt` on the
# same machine, in one run: samples per second (jkraft as fast as it can, -F 100000; gdb one process per
# sample), and the guest's slowdown at 100 Hz and 1000 Hz, read from examples/spin's own progress lines.
#
#   JKRAFT_ORIGIN_BASE=file:///path/to/mirror [PAIRS=4] bench/profile-vs-gdb.sh [seconds]
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
secs="${1:-5}"
: "${JKRAFT_ORIGIN_BASE:?set it to the folder or file:// URL of a mirror of the Unikraft git repositories}"
command -v gdb >/dev/null || { echo "needs gdb" >&2; exit 2; }
work="$(mktemp -d)"
export XDG_DATA_HOME="$work/data" XDG_CONFIG_HOME="$work/config" XDG_STATE_HOME="$work/state" XDG_CACHE_HOME="$work/cache"
# A runtime folder of the bench's own, so that its resident helper is its own (and is ended at the end).
mkdir -m 700 "$work/run"
export XDG_RUNTIME_DIR="$work/run"
jk="$here/jkraft"
trap '"$jk" rm -f --all >/dev/null 2>&1 || true; kill "$(cat "$work/run/jkraft/current/pid" 2>/dev/null)" 2>/dev/null; rm -rf "$work"' EXIT
cp -r "$here/examples/spin" "$work/spin"
rm -rf "$work/spin/.unikraft" "$work"/spin/.config.*
"$jk" build -m x86_64 "$work/spin" >/dev/null 2>&1
kernel="$work/spin/.unikraft/build/spin_qemu-x86_64"

# Guest speed: rounds per second between the first and the last progress line of a window of the log.
rate() { # machine, seconds
  local log
  log="$("$jk" inspect "$1" | sed -n 's/.*"stateDir" *: *"\([^"]*\)".*/\1/p')/machine.log"
  local n0 t0 n1 t1
  n0=$(grep -c rounds "$log" || true); t0=$(date +%s%N)
  sleep "$2"
  n1=$(grep -c rounds "$log" || true); t1=$(date +%s%N)
  awk -v a="$n0" -v b="$n1" -v t="$((t1 - t0))" 'BEGIN { printf "%.1f", (b - a) / (t / 1e9) }'
}

"$jk" run -d --gdb -n bench-spin "$kernel" >/dev/null
# That run started the resident helper; profiles run by it (as from a terminal or a pipe: output to a
# file stays with a JVM of its own) are measured once it serves.
for ((i = 0; i < 300; i++)); do
  [ -f "$work/run/jkraft/current/pid" ] && break
  sleep 0.1
done
sleep 1
bases=""
port=$("$jk" inspect bench-spin | sed -n 's/.*"gdb" *: *"127.0.0.1:\([0-9]*\)".*/\1/p')

# Windows of the guest alone and of the guest being profiled alternate, PAIRS times, and the slowdown
# compares the means: the host's speed drifts (other load, the other CPU's work) by about as much as the
# effect measured, so one window against one baseline is too noisy to read.
pairs="${PAIRS:-4}"
slowdown() { # hz
  local pid alone=0 profiled=0 k
  for ((k = 0; k < pairs; k++)); do
    alone=$(awk -v s="$alone" -v r="$(rate bench-spin "$secs")" 'BEGIN { print s + r }')
    "$jk" profile bench-spin -F "$1" -T "$secs" -o "$work/out-$1" 2>&1 | cat >"$work/profile-$1${JKRAFT_HELPER:+-off}.txt" &
    pid=$!
    sleep 0.5
    profiled=$(awk -v s="$profiled" -v r="$(rate bench-spin "$((secs - 1))")" 'BEGIN { print s + r }')
    wait "$pid"
  done
  bases="$bases $(awk -v s="$alone" -v n="$pairs" 'BEGIN { printf "%.1f", s / n }')"
  awk -v p="$profiled" -v a="$alone" 'BEGIN { printf "%.1f", (1 - p / a) * 100 }'
}
slowdown 100 >"$work/s100"
JKRAFT_HELPER=off slowdown 100 >"$work/s100-off"
pairs=2 slowdown 1000 >"$work/s1000"
s100=$(cat "$work/s100"); s1000=$(cat "$work/s1000"); s100off=$(cat "$work/s100-off")
"$jk" profile bench-spin -F 100000 -T "$secs" -o "$work/out-max" 2>&1 | cat >"$work/profile-max.txt"
h100off=$(sed -n 's/.* \([0-9.]*\) Hz achieved.*/\1/p' "$work/profile-100-off.txt")
jrate=$(sed -n 's/.* \([0-9.]*\) Hz achieved.*/\1/p' "$work/profile-max.txt")
h100=$(sed -n 's/.* \([0-9.]*\) Hz achieved.*/\1/p' "$work/profile-100.txt")
h1000=$(sed -n 's/.* \([0-9.]*\) Hz achieved.*/\1/p' "$work/profile-1000.txt")

n=0; t0=$(date +%s%N); end=$((t0 + secs * 1000000000))
while [ "$(date +%s%N)" -lt "$end" ]; do
  gdb -batch -nx -ex "target remote 127.0.0.1:$port" -ex bt "$kernel.dbg" >/dev/null 2>&1
  n=$((n + 1))
done
grate=$(awk -v n="$n" -v t="$(($(date +%s%N) - t0))" 'BEGIN { printf "%.1f", n / (t / 1e9) }')

echo "hottest stack: $(sort -t' ' -k2 -n -r "$work/out-max/bench-spin.folded" | head -1)"
printf '%-34s %12s\n' "measure" "value"
printf '%-34s %12s\n' "jkraft profile, samples/s (max)" "$jrate"
printf '%-34s %12s\n' "gdb -batch -ex bt, samples/s" "$grate"
printf '%-34s %12s\n' "ratio" "$(awk -v a="$jrate" -v b="$grate" 'BEGIN { printf "%.0fx", a / b }')"
printf '%-34s %12s\n' "guest slowdown at 100 Hz" "${s100}% (${h100} Hz)"
printf '%-34s %12s\n' "guest slowdown at 1000 Hz" "${s1000}% (${h1000} Hz)"
printf '%-34s %12s\n' "same at 100 Hz, no resident helper" "${s100off}% (${h100off} Hz)"
echo "guest alone:$bases progress lines/s (mean of the windows alone, per measure); ${secs} s windows, $pairs pairs (2 at 1000 Hz); $(nproc) CPUs; TCG"
