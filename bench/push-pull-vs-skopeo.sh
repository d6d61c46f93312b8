#!/usr/bin/env bash
# `jkraft pkg push` + `jkraft pkg pull` against `skopeo copy` of the same image (the local OCI store to a
# registry and back), measured in one run against Debian's docker-registry started here on 127.0.0.1.
#
#   JKRAFT_ORIGIN_BASE=file:///path/to/mirror bench/push-pull-vs-skopeo.sh [rounds]
#
# The image is the bundled example packed for its targets. Every round starts a registry with empty
# storage (same port) for each tool, so neither finds blobs already there; each pull goes into an empty
# store (after `pkg rm`, whose blobs stay until `pkg prune`, so a pull into the same store downloads nothing).
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
rounds="${1:-7}"
: "${JKRAFT_ORIGIN_BASE:?set it to the folder or file:// URL of a mirror of the Unikraft git repositories}"
command -v skopeo >/dev/null && [ -x /usr/bin/docker-registry ] || { echo "needs skopeo and docker-registry (scripts/install-deps)" >&2; exit 2; }
work="$(mktemp -d)"
registry_pid=""
stop_registry() { if [ -n "$registry_pid" ]; then kill "$registry_pid" 2>/dev/null || true; wait "$registry_pid" 2>/dev/null || true; registry_pid=""; fi; }
export XDG_DATA_HOME="$work/data" XDG_CONFIG_HOME="$work/config" XDG_STATE_HOME="$work/state" XDG_CACHE_HOME="$work/cache"
# A runtime folder of the bench's own, so that its resident helper is its own (and is ended at the end).
mkdir -m 700 "$work/run"
export XDG_RUNTIME_DIR="$work/run"
trap 'stop_registry; kill "$(cat "$work/run/jkraft/current/pid" 2>/dev/null)" 2>/dev/null; rm -rf "$work"' EXIT
jk="$here/jkraft"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
addr="127.0.0.1:$port"

start_registry() {
  stop_registry
  rm -rf "$work/registry"; mkdir -p "$work/registry"
  cat >"$work/registry.yml" <<YAML
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: $work/registry}, delete: {enabled: true}}
http: {addr: $addr}
YAML
  /usr/bin/docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
  registry_pid=$!
  for _ in $(seq 100); do curl -s -o /dev/null "http://$addr/v2/" && return; sleep 0.05; done
  echo "the registry did not start: $(cat "$work/registry.log")" >&2; exit 1
}

cp -r "$here/examples/helloworld" "$work/app"
rm -rf "$work/app/.unikraft" "$work"/app/.config.*
ref="$addr/bench/hello:1"
"$jk" pkg -n "$ref" "$work/app" >/dev/null 2>&1
store="$XDG_DATA_HOME/jkraft/oci"
size=$(du -sb "$store/blobs" | cut -f1)

# The commands above started the resident helper; the measured ones start once it serves.
for ((i = 0; i < 300; i++)); do
  [ -f "$work/run/jkraft/current/pid" ] && break
  sleep 0.1
done

now() { date +%s%N; }
declare -A s
for ((i = 0; i < rounds; i++)); do
  start_registry
  t0=$(now); "$jk" pkg push "$ref" >/dev/null 2>&1; t1=$(now)
  "$jk" pkg rm "$ref" >/dev/null
  t2=$(now); XDG_DATA_HOME="$work/pull-$i" "$jk" pkg pull "$ref" >/dev/null 2>&1; t3=$(now)
  # put the tag back for the next round (the blobs are still in the store)
  "$jk" pkg -n "$ref" "$work/app" >/dev/null 2>&1
  s[jpush]+="$((t1 - t0)) "; s[jpull]+="$((t3 - t2)) "

  start_registry
  export JKRAFT_HELPER=off
  t0=$(now); "$jk" pkg push "$ref" >/dev/null 2>&1; t1=$(now)
  "$jk" pkg rm "$ref" >/dev/null
  t2=$(now); XDG_DATA_HOME="$work/pull-off-$i" "$jk" pkg pull "$ref" >/dev/null 2>&1; t3=$(now)
  "$jk" pkg -n "$ref" "$work/app" >/dev/null 2>&1
  unset JKRAFT_HELPER
  s[cpush]+="$((t1 - t0)) "; s[cpull]+="$((t3 - t2)) "

  start_registry
  t0=$(now); skopeo --insecure-policy copy -q --all --dest-tls-verify=false "oci:$store:$ref" "docker://$addr/bench/sk-$i:1" >/dev/null; t1=$(now)
  t2=$(now); skopeo --insecure-policy copy -q --all --src-tls-verify=false "docker://$addr/bench/sk-$i:1" "oci:$work/sk-pull-$i:$ref" >/dev/null; t3=$(now)
  s[spush]+="$((t1 - t0)) "; s[spull]+="$((t3 - t2)) "
done
stop_registry

median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ms() { awk -v n="$1" 'BEGIN {printf "%.0f", n/1e6}'; }
jpush=$(median <<<"${s[jpush]}"); jpull=$(median <<<"${s[jpull]}")
cpush=$(median <<<"${s[cpush]}"); cpull=$(median <<<"${s[cpull]}")
spush=$(median <<<"${s[spush]}"); spull=$(median <<<"${s[spull]}")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a/b}'; }
printf '%-6s %12s %12s %8s %20s %8s\n' "" "skopeo copy" "jkraft pkg" "ratio" "no resident helper" "ratio"
row() { printf '%-6s %10sms %10sms %8s %18sms %8s\n' "$1" "$(ms "$2")" "$(ms "$3")" "$(ratio "$3" "$2")" "$(ms "$4")" "$(ratio "$4" "$2")"; }
row push "$spush" "$jpush" "$cpush"
row pull "$spull" "$jpull" "$cpull"
row both $((spush + spull)) $((jpush + jpull)) $((cpush + cpull))
echo "medians of $rounds rounds; image blobs $((size / 1024)) KiB; $(nproc) CPUs; JKRAFT_HELPER=off for the runs without the helper"
