#!/usr/bin/env bash
# Time from starting the command to the guest's first console line: `jkraft run KERNEL` against the
# plain QEMU command for the same kernel, measured in one run, for x86_64 and arm64.
#
#   JKRAFT_ORIGIN_BASE=file:///path/to/mirror bench/run-vs-qemu.sh [rounds]
#
# The kernels are the bundled example, built with jkraft from the mirror's Unikraft `stable`.
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
rounds="${1:-11}"
: "${JKRAFT_ORIGIN_BASE:?set it to the folder or file:// URL of a mirror of the Unikraft git repositories}"
work="$(mktemp -d)"
export XDG_DATA_HOME="$work/data" XDG_CONFIG_HOME="$work/config" XDG_STATE_HOME="$work/state" XDG_CACHE_HOME="$work/cache"
# A runtime folder of the bench's own, so that its resident helper is its own (and is ended at the end).
mkdir -m 700 "$work/run"
export XDG_RUNTIME_DIR="$work/run"
trap 'kill "$(cat "$work/run/jkraft/current/pid" 2>/dev/null)" 2>/dev/null; rm -rf "$work"' EXIT
jk="$here/jkraft"
cp -r "$here/examples/helloworld" "$work/app"
rm -rf "$work/app/.unikraft" "$work"/app/.config.*
"$jk" build "$work/app" >/dev/null 2>&1
# The first run probes the accelerator and caches the answer; it is not measured.
"$jk" run --rm "$work/app/.unikraft/build/helloworld_qemu-x86_64" >/dev/null 2>&1

# The run above started the resident helper; the measured runs with it start once it serves.
for ((i = 0; i < 300; i++)); do
  [ -f "$work/run/jkraft/current/pid" ] && break
  sleep 0.1
done

# The guest's first line: Unikraft's banner, or the app's output when the banner is off.
first_line='Powered by|Hello from'
now() { date +%s%N; }
# Runs a command, returns the nanoseconds until its output shows the guest's first line.
first_line_after() {
  local t0 t1file="$work/t1"
  t0=$(now)
  "$@" 2>/dev/null | { grep -m1 -E "$first_line" >/dev/null; now >"$t1file"; cat >/dev/null; }
  echo $(($(cat "$t1file") - t0))
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ms() { awk -v n="$1" 'BEGIN {printf "%.0f", n/1e6}'; }

x86="$work/app/.unikraft/build/helloworld_qemu-x86_64"
arm="$work/app/.unikraft/build/helloworld_qemu-arm64"
declare -A s
for ((i = 0; i < rounds; i++)); do
  s[px]+="$(first_line_after timeout 20 qemu-system-x86_64 -nographic -m 8 -cpu max -no-reboot -kernel "$x86") "
  s[jx]+="$(first_line_after timeout 20 "$jk" run --rm "$x86") "
  s[cx]+="$(JKRAFT_HELPER=off first_line_after timeout 20 "$jk" run --rm "$x86") "
  s[pa]+="$(first_line_after timeout 20 qemu-system-aarch64 -nographic -machine virt -m 8 -cpu max -no-reboot -kernel "$arm") "
  s[ja]+="$(first_line_after timeout 20 "$jk" run --rm "$arm") "
  s[ca]+="$(JKRAFT_HELPER=off first_line_after timeout 20 "$jk" run --rm "$arm") "
done
med() { tr ' ' '\n' <<<"${s[$1]}" | grep . | median; }
px=$(med px); jx=$(med jx); pa=$(med pa); ja=$(med ja); cx=$(med cx); ca=$(med ca)
row() { # arch plain jkraft
  printf '%-28s %10sms %10sms %10sms %8.2f\n' "$1" "$(ms "$2")" "$(ms "$3")" "$(ms $(($3 - $2)))" \
    "$(awk -v a="$3" -v b="$2" 'BEGIN{print a/b}')"
}
printf '%-28s %12s %12s %12s %8s\n' "arch" "plain QEMU" "jkraft run" "added" "ratio"
row "x86_64" "$px" "$jx"
row "arm64" "$pa" "$ja"
row "x86_64, no resident helper" "$px" "$cx"
row "arm64, no resident helper" "$pa" "$ca"
echo "medians of $rounds runs each; $(nproc) CPUs; TCG; JKRAFT_HELPER=off for the rows without the helper"
