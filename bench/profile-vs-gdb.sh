#!/usr/bin/env bash
# jkraft profile on QEMU/TCG, x86_64, one vCPU, against taking each sample with `gdb -batch -ex bt` on the
# same machine, in one run: samples per second (jkraft as fast as it can, -F 100000; gdb one process per
# sample), and the guest's slowdown at 100 Hz and 1000 Hz.
#
#   JKRAFT_ORIGIN_BASE=file:///path/to/mirror [PAIRS=10] [WINDOW=2] bench/profile-vs-gdb.sh
#
# The slowdown is measured two ways, in windows of the guest alone alternating with windows of the guest
# being profiled (PAIRS of each, WINDOW seconds long):
#   - by its vCPU thread's run time (QEMU's "CPU 0/TCG" thread, /proc/PID/task/TID/schedstat): what the
#     guest lost to being stopped and to waiting for a CPU; the host's speed does not enter it;
#   - by its own progress (examples/spin prints a line every 2^16 rounds): the guest's speed, into which the
#     host's speed enters as well (on a shared machine it drifts by 20 % from one second to the next at the
#     same run time), so that figure comes with the 95 % interval of the mean of the pairs' ratios.
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
pairs="${PAIRS:-10}"
window="${WINDOW:-2}"
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

"$jk" run -d --gdb -n bench-spin "$kernel" >/dev/null
# That run started the resident helper; profiles run by it (as from a terminal or a pipe: output to a
# file stays with a JVM of its own) are measured once it serves.
for ((i = 0; i < 300; i++)); do
  [ -f "$work/run/jkraft/current/pid" ] && break
  sleep 0.1
done
sleep 1
port=$("$jk" inspect bench-spin | sed -n 's/.*"gdb" *: *"127.0.0.1:\([0-9]*\)".*/\1/p')
qemu=$("$jk" inspect bench-spin | sed -n 's/.*"pid" *: *\([0-9]*\).*/\1/p')
log="$("$jk" inspect bench-spin | sed -n 's/.*"stateDir" *: *"\([^"]*\)".*/\1/p')/machine.log"
vcpu=""
for t in /proc/"$qemu"/task/*; do
  [ "$(cat "$t/comm")" = "CPU 0/TCG" ] && vcpu="$t"
done
[ -n "$vcpu" ] || { echo "no vCPU thread named 'CPU 0/TCG' in QEMU process $qemu" >&2; exit 1; }

# One window: "progress-lines/s vcpu-run-share" over $window seconds from now.
measure() {
  local n0 n1 t0 t1 r0 r1 rest
  n0=$(grep -c rounds "$log" || true); read -r r0 rest <"$vcpu/schedstat"; t0=$(date +%s%N)
  sleep "$window"
  n1=$(grep -c rounds "$log" || true); read -r r1 rest <"$vcpu/schedstat"; t1=$(date +%s%N)
  awk -v a="$n0" -v b="$n1" -v r="$((r1 - r0))" -v t="$((t1 - t0))" 'BEGIN { printf "%.2f %.4f\n", (b - a) / (t / 1e9), r / t }'
}

# PAIRS pairs of windows at HZ; prints "alone profiled" lines to FILE, and the profiles' reports beside it.
series() { # hz file
  local k pid lead=1.5
  : >"$2"
  for ((k = 0; k < pairs; k++)); do
    local alone profiled
    alone=$(measure)
    # The profile samples from about 0.3 s (helper) to 1.2 s (JVM of its own) after it starts until -T later;
    # the window starts once it surely samples and ends before it surely stops.
    "$jk" profile bench-spin -F "$1" -T "$(awk -v w="$window" 'BEGIN { print w + 1.5 }')" -o "$work/out-$1-$k" 2>&1 \
      | cat >"$2.profile-$k" &
    pid=$!
    sleep "$lead"
    profiled=$(measure)
    wait "$pid"
    echo "$alone $profiled" >>"$2"
  done
}

# Slowdowns from a series file: by run time, by progress (mean of the pairs' ratios, +- 95 % interval),
# the profiles' own mean report, and the rate they achieved.
summary() { # file
  local reported hz
  reported=$(cat "$1".profile-* | sed -n 's/.*guest slowdown \(-\{0,1\}[0-9.]*\)%.*/\1/p' \
    | awk '{ s += $1; n++ } END { if (n) printf "%.1f %%", s / n; else print "-" }')
  hz=$(cat "$1".profile-* | sed -n 's/.* \([0-9.]*\) Hz achieved.*/\1/p' \
    | awk '{ s += $1; n++ } END { if (n) printf "%.0f", s / n }')
  awk -v reported="$reported" -v hz="$hz" '
    { la += $1; ra += $2; lp += $3; rp += $4; d = 1 - $3 / $1; sd += d; sdd += d * d; n++ }
    END {
      mean = sd / n; var = n > 1 ? (sdd - n * mean * mean) / (n - 1) : 0; if (var < 0) var = 0
      half = 2.0 * sqrt(var / n) * 100
      printf "%.1f %%|%.1f %% +- %.1f|%s|%s Hz|%.1f / %.1f lines/s, vCPU ran %.1f / %.1f %%\n",
        (1 - rp / ra) * 100, mean * 100, half, reported, hz, la / n, lp / n, ra / n * 100, rp / n * 100
    }' "$1"
}

series 100 "$work/s100"
JKRAFT_HELPER=off series 100 "$work/s100-off"
series 1000 "$work/s1000"

"$jk" profile bench-spin -F 100000 -T 5 -o "$work/out-max" 2>&1 | cat >"$work/profile-max.txt"
jrate=$(sed -n 's/.* \([0-9.]*\) Hz achieved.*/\1/p' "$work/profile-max.txt")

n=0; t0=$(date +%s%N); end=$((t0 + 5 * 1000000000))
while [ "$(date +%s%N)" -lt "$end" ]; do
  gdb -batch -nx -ex "target remote 127.0.0.1:$port" -ex bt "$kernel.dbg" >/dev/null 2>&1
  n=$((n + 1))
done
grate=$(awk -v n="$n" -v t="$(($(date +%s%N) - t0))" 'BEGIN { printf "%.1f", n / (t / 1e9) }')

row() { # label summary-line
  IFS='|' read -r byrun byprogress reported rate detail <<<"$2"
  printf '%-40s %-9s %-17s %-9s %-8s %s\n' "$1" "$byrun" "$byprogress" "$reported" "$rate" "$detail"
}
echo "hottest stack: $(sort -t' ' -k2 -n -r "$work/out-max/bench-spin.folded" | head -1)"
printf '%-40s %s\n' "jkraft profile, samples/s (max)" "$jrate"
printf '%-40s %s\n' "gdb -batch -ex bt, samples/s" "$grate"
printf '%-40s %s\n' "ratio" "$(awk -v a="$jrate" -v b="$grate" 'BEGIN { printf "%.0fx", a / b }')"
echo
echo "guest slowdown ($pairs pairs of ${window} s windows; $(nproc) CPUs; TCG):"
printf '%-40s %-9s %-17s %-9s %-8s %s\n' "" "run time" "progress" "reported" "rate" "alone / profiled"
row "at 100 Hz, resident helper" "$(summary "$work/s100")"
row "at 100 Hz, JVM of its own" "$(summary "$work/s100-off")"
row "at 1000 Hz, resident helper" "$(summary "$work/s1000")"
