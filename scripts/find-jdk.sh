# Sourced by ./jkraft and scripts/test: sets JDK to a JDK home of version >= 25, or fails.
# Reads each candidate's release file, so the search starts no JVM.
jkraft_required_jdk=25

jkraft_jdk_major() {
  local release="$1/release" v
  [ -f "$release" ] || return 1
  v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release")
  [ -n "$v" ] && echo "$v"
}

jkraft_find_jdk() {
  local candidates=() j home major
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if j=$(command -v java 2>/dev/null); then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$j")")")")
  fi
  for home in /usr/lib/jvm/* /opt/java/* /opt/jdk* "${HOME:-/nonexistent}"/.sdkman/candidates/java/* "${HOME:-/nonexistent}"/.jdks/*; do
    [ -d "$home" ] && candidates+=("$home")
  done
  for home in "${candidates[@]}"; do
    major=$(jkraft_jdk_major "$home") || continue
    if [ "$major" -ge "$jkraft_required_jdk" ] && [ -x "$home/bin/java" ]; then
      JDK="$home"
      return 0
    fi
  done
  echo "jkraft: needs a JDK $jkraft_required_jdk or newer; none found in JAVA_HOME, PATH or the usual JVM folders." >&2
  echo "hint: install one (e.g. Temurin $jkraft_required_jdk) and set JAVA_HOME to it." >&2
  return 1
}
