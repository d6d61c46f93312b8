# Sourced by ./jkraft and scripts/test: sets JDK to a JDK home of version >= 25, or fails.
# Reads each candidate's release file, so the search starts no JVM.
jkraft_required_jdk=25

# Bash builtins only: the launcher runs this on every start, and each subprocess costs milliseconds.
# Sets jkraft_major to the major version in $1/release.
jkraft_jdk_major() {
  local release="$1/release" line
  [ -f "$release" ] || return 1
  while IFS= read -r line; do
    if [[ $line =~ ^JAVA_VERSION=\"([0-9]+) ]]; then
      jkraft_major="${BASH_REMATCH[1]}"
      return 0
    fi
  done <"$release"
  return 1
}

# Succeeds (and sets JDK) when $1 is a JDK home of the required version.
jkraft_try_jdk() {
  jkraft_jdk_major "$1" || return 1
  [ "$jkraft_major" -ge "$jkraft_required_jdk" ] && [ -x "$1/bin/java" ] && JDK="$1"
}

jkraft_find_jdk() {
  local j home
  [ -n "${JAVA_HOME:-}" ] && jkraft_try_jdk "$JAVA_HOME" && return 0
  if j=$(command -v java 2>/dev/null); then
    j=$(readlink -f "$j")
    home="${j%/bin/java}"
    [ "$home" != "$j" ] && jkraft_try_jdk "$home" && return 0
  fi
  for home in /usr/lib/jvm/* /opt/java/* /opt/jdk* "${HOME:-/nonexistent}"/.sdkman/candidates/java/* "${HOME:-/nonexistent}"/.jdks/*; do
    [ -d "$home" ] && jkraft_try_jdk "$home" && return 0
  done
  echo "jkraft: needs a JDK $jkraft_required_jdk or newer; none found in JAVA_HOME, PATH or the usual JVM folders." >&2
  echo "hint: install one (e.g. Temurin $jkraft_required_jdk) and set JAVA_HOME to it." >&2
  return 1
}
