#!/usr/bin/env bash
# End-to-end build timings of jkraft against the plain make commands for the same app, measured in one
# run on one machine, reported as medians and ratios.
#
#   JKRAFT_ORIGIN_BASE=file:///path/to/mirror bench/build-vs-make.sh [rounds]
#
# The mirror holds Unikraft's git repositories (at least <mirror>/unikraft with a `stable` branch).
# Measured: a clean build (jkraft build vs make defconfig + make -j), a no-op build (nothing changed),
# and `jkraft --version` (start-up).
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
rounds="${1:-3}"
jobs="$(nproc)"
: "${JKRAFT_ORIGIN_BASE:?set it to the folder or file:// URL of a mirror of the Unikraft git repositories}"
base="${JKRAFT_ORIGIN_BASE#file://}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export XDG_DATA_HOME="$work/data" XDG_CONFIG_HOME="$work/config"
jk="$here/jkraft"
"$jk" --version >/dev/null   # builds jkraft and its AOT cache outside the measurements

# The same app for both: the bundled example, for qemu/x86_64.
cp -r "$here/examples/helloworld" "$work/app-jkraft"
cp -r "$here/examples/helloworld" "$work/app-make"
rm -rf "$work"/app-*/.unikraft "$work"/app-*/.config.*
git clone -q -b stable "$base/unikraft" "$work/core"
cat > "$work/defconfig" <<DEF
CONFIG_PLAT_KVM=y
CONFIG_KVM_VMM_QEMU=y
CONFIG_ARCH_X86_64=y
# CONFIG_LIBUKRANDOM is not set
DEF
"$jk" fetch -t qemu/x86_64 "$work/app-jkraft" >/dev/null 2>&1   # the core into jkraft's cache

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ms() { awk '{printf "%.0f", $1/1e6}'; }

mk() { make -s -C "$work/core" A="$work/app-make" O="$work/app-make/out" C="$work/app-make/out/.config" N=helloworld "$@"; }
plain_clean() {
  rm -rf "$work/app-make/out"
  mk UK_DEFCONFIG="$work/defconfig" defconfig >/dev/null 2>&1
  mk -j"$jobs" >/dev/null 2>&1
}
jkraft_clean() {
  rm -rf "$work/app-jkraft/.unikraft" "$work"/app-jkraft/.config.*
  "$jk" build -t qemu/x86_64 -j"$jobs" "$work/app-jkraft" >/dev/null 2>&1
}
plain_noop() { mk -j"$jobs" >/dev/null 2>&1; }
jkraft_noop() { "$jk" build -t qemu/x86_64 -j"$jobs" "$work/app-jkraft" >/dev/null 2>&1; }
version() { "$jk" --version >/dev/null; }

time_of() { local t0 t1; t0=$(now); "$@"; t1=$(now); echo $((t1 - t0)); }

declare -A samples
for ((i = 0; i < rounds; i++)); do
  # Alternate the order so that drift on a shared machine falls on both sides.
  if ((i % 2)); then
    samples[jc]+="$(time_of jkraft_clean) "; samples[pc]+="$(time_of plain_clean) "
  else
    samples[pc]+="$(time_of plain_clean) "; samples[jc]+="$(time_of jkraft_clean) "
  fi
done
for ((i = 0; i < rounds * 3; i++)); do
  samples[pn]+="$(time_of plain_noop) "; samples[jn]+="$(time_of jkraft_noop) "
done
for ((i = 0; i < 11; i++)); do samples[v]+="$(time_of version) "; done

med() { tr ' ' '\n' <<<"${samples[$1]}" | grep . | median; }
pc=$(med pc); jc=$(med jc); pn=$(med pn); jn=$(med jn); v=$(med v)
printf '%-34s %10s %10s %8s\n' "measure (median)" "make" "jkraft" "ratio"
printf '%-34s %8sms %8sms %8.2f\n' "clean build, qemu/x86_64 (-j$jobs)" "$(ms <<<"$pc")" "$(ms <<<"$jc")" "$(awk -v a="$jc" -v b="$pc" 'BEGIN{print a/b}')"
printf '%-34s %8sms %8sms %8.2f\n' "no-op build" "$(ms <<<"$pn")" "$(ms <<<"$jn")" "$(awk -v a="$jn" -v b="$pn" 'BEGIN{print a/b}')"
printf '%-34s %10s %8sms\n' "jkraft --version" "" "$(ms <<<"$v")"
echo "rounds: $rounds clean, $((rounds * 3)) no-op, 11 --version; $(nproc) CPUs"
