#!/usr/bin/env bash
# A real app with external libraries, through jkraft against the plain make and QEMU commands for the
# same app, measured in one run: the catalog's library/nginx/1.15 (musl, lwip, nginx, an embedded
# rootfs) for qemu/x86_64.
#
#   JKRAFT_ORIGIN_BASE=/path/to/mirror JKRAFT_ORIGIN_ARCHIVES=/path/to/archives \
#     bench/real-app-vs-make.sh [rounds] [core-version]
#
# The mirror holds Unikraft's git repositories: unikraft, lib-musl, lib-lwip, lib-nginx and catalog.
# The archives folder holds the libraries' origin archives by name (musl-1.2.3.tar.gz,
# UNIKRAFT-2_1_x.zip, nginx-1.15.6.tar.gz). The core is pinned to the release the libraries match
# (default RELEASE-0.16.3). Both sides use the same defconfig (the one jkraft composed), the same
# checkouts and the same archives (plain make gets them through a wget stand-in that copies them).
# Measured: a clean build (-j$(nproc)), a no-op build, and the time from starting the machine to the
# first HTTP answer (`jkraft run -d -p` against plain QEMU with user networking and hostfwd).
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
rounds="${1:-1}"
starts="${STARTS:-11}"
core="${2:-RELEASE-0.16.3}"
jobs="$(nproc)"
: "${JKRAFT_ORIGIN_BASE:?set it to the folder of a mirror of the Unikraft git repositories}"
: "${JKRAFT_ORIGIN_ARCHIVES:?set it to a folder holding the libraries origin archives}"
base="${JKRAFT_ORIGIN_BASE#file://}"
archives="${JKRAFT_ORIGIN_ARCHIVES%%:*}"
work="$(mktemp -d)"
export XDG_DATA_HOME="$work/data" XDG_CONFIG_HOME="$work/config" XDG_STATE_HOME="$work/state" XDG_CACHE_HOME="$work/cache"
mkdir -m 700 "$work/run"
export XDG_RUNTIME_DIR="$work/run"
jk="$here/jkraft"
cleanup() {
  "$jk" rm --all >/dev/null 2>&1 || true
  kill "$(cat "$work/run/jkraft/current/pid" 2>/dev/null)" 2>/dev/null || true
  [ -n "${qemu_pid:-}" ] && kill "$qemu_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
"$jk" --version >/dev/null

git clone -q "$base/catalog" "$work/catalog"
app="$work/catalog/library/nginx/1.15"
# Pin the core to the release the libraries match; everything else is the catalog's Kraftfile as it is.
sed -i -E "/^unikraft:/,/^[a-z]/ s/^(  version: ).*/\1$core/" "$app/Kraftfile"
cp -r "$app" "$work/app-jkraft"
cp -r "$app" "$work/app-make"

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ms() { awk -v n="$1" 'BEGIN {printf "%.0f", n/1e6}'; }
time_of() { local t0 t1; t0=$(now); "$@"; t1=$(now); echo $((t1 - t0)); }

jkraft_clean() {
  rm -rf "$work/app-jkraft/.unikraft" "$work"/app-jkraft/.config.* "$work/app-jkraft/initrd.cpio"
  "$jk" build -t qemu/x86_64 -j"$jobs" "$work/app-jkraft" >"$work/jkraft-build.log" 2>&1
}
jkraft_noop() { "$jk" build -t qemu/x86_64 -j"$jobs" "$work/app-jkraft" >/dev/null 2>&1; }

# The first jkraft build fetches the sources and origins (not measured) and gives the plain side its
# defconfig and the commits it builds.
jkraft_clean
d="$work/app-jkraft/.unikraft/build/nginx_qemu-x86_64.d"
cp "$d/defconfig" "$work/defconfig"
# jkraft packed the rootfs at kraft's path in its own output; the plain side packs and embeds its own copy.
grep -q "^CONFIG_LIBVFSCORE_AUTOMOUNT_EINITRD_PATH=\"$work/app-jkraft/" "$work/defconfig" ||
  { echo "the composed defconfig does not embed the rootfs at jkraft's path" >&2; exit 1; }
sed -i "s|^CONFIG_LIBVFSCORE_AUTOMOUNT_EINITRD_PATH=.*|CONFIG_LIBVFSCORE_AUTOMOUNT_EINITRD_PATH=\"$work/app-make/initrd.cpio\"|" "$work/defconfig"
git clone -q "$base/unikraft" "$work/core" && git -C "$work/core" checkout -q "$core"
libs=""
for l in musl lwip nginx; do
  git clone -q -b "$(sed -n "s/^  $l: //p; /^  $l:$/{n; s/^    version: //p}" "$app/Kraftfile" | head -1)" "$base/lib-$l" "$work/lib-$l"
  libs="$libs:$work/lib-$l"
done
cat >"$work/wget" <<W
#!/bin/sh
# wget -O DEST URL, served from the archives folder as an offline user would
while [ \$# -gt 1 ]; do case "\$1" in -O) dest="\$2"; shift;; esac; shift; done
cp "$archives/\$(basename "\$1")" "\$dest"
W
chmod +x "$work/wget"
mk() { make -s -C "$work/core" A="$work/app-make" O="$work/app-make/out" C="$work/app-make/out/.config" \
  L="${libs#:}" N=nginx WGET="$work/wget" "$@"; }
plain_clean() {
  rm -rf "$work/app-make/out" "$work/app-make/initrd.cpio"
  (cd "$work/app-make/rootfs" && find . | LC_ALL=C sort | cpio -o -H newc --quiet >"$work/app-make/initrd.cpio")
  mkdir -p "$work/app-make/out"
  mk UK_DEFCONFIG="$work/defconfig" defconfig >/dev/null 2>&1
  mk -j"$jobs" >"$work/make-build.log" 2>&1
}
plain_noop() {
  (cd "$work/app-make/rootfs" && find . | LC_ALL=C sort | cpio -o -H newc --quiet >"$work/initrd.new")
  cmp -s "$work/initrd.new" "$work/app-make/initrd.cpio" || mv "$work/initrd.new" "$work/app-make/initrd.cpio"
  mk -j"$jobs" >/dev/null 2>&1
}

declare -A s
for ((i = 0; i < rounds; i++)); do
  if ((i % 2)); then
    s[jc]+="$(time_of jkraft_clean) "; s[pc]+="$(time_of plain_clean) "
  else
    s[pc]+="$(time_of plain_clean) "; s[jc]+="$(time_of jkraft_clean) "
  fi
done
for ((i = 0; i < 5; i++)); do s[pn]+="$(time_of plain_noop) "; s[jn]+="$(time_of jkraft_noop) "; done

# Time to the first HTTP answer: from starting the command to curl's first 200 on the forwarded port.
first_answer() { # port
  until curl -fs -m 1 -o /dev/null "http://127.0.0.1:$1/"; do sleep 0.01; done
}
kernel="$work/app-make/out/nginx_qemu-x86_64"
port=18480
# One jkraft run first: it probes the accelerator and starts the resident helper (not measured).
"$jk" run -d -W -p "127.0.0.1:$port:80" -n warm "$work/app-jkraft" >/dev/null 2>&1
first_answer "$port"; "$jk" rm -f warm >/dev/null
for ((i = 0; i < starts; i++)); do
  t0=$(now)
  qemu-system-x86_64 -nographic -nodefaults -serial none -m 64 -cpu max -no-reboot \
    -netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$port-:80" -device virtio-net-pci,netdev=n0 \
    -kernel "$kernel" -append "netdev.ip=10.0.2.15/24:10.0.2.2 -- -c /nginx/conf/nginx.conf" \
    >/dev/null 2>&1 &
  qemu_pid=$!
  first_answer "$port"; t1=$(now); s[pq]+="$((t1 - t0)) "
  kill "$qemu_pid"; wait "$qemu_pid" 2>/dev/null || true; qemu_pid=
  t0=$(now)
  "$jk" run -d -W -p "127.0.0.1:$port:80" -n "m$i" "$work/app-jkraft" >/dev/null 2>&1
  first_answer "$port"; t1=$(now); s[jq]+="$((t1 - t0)) "
  "$jk" rm -f "m$i" >/dev/null
done

med() { tr ' ' '\n' <<<"${s[$1]}" | grep . | median; }
row() { printf '%-40s %10sms %10sms %8.2f\n' "$1" "$(ms "$2")" "$(ms "$3")" "$(awk -v a="$3" -v b="$2" 'BEGIN{print a/b}')"; }
printf '%-40s %12s %12s %8s\n' "measure (median)" "plain" "jkraft" "ratio"
row "clean build, nginx qemu/x86_64 (-j$jobs)" "$(med pc)" "$(med jc)"
row "no-op build" "$(med pn)" "$(med jn)"
row "start to first HTTP answer (-p, TCG)" "$(med pq)" "$(med jq)"
echo "rounds: $rounds clean, 5 no-op, $starts starts; $(nproc) CPUs; core $core"
