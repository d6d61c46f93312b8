#!/bin/sh
# Runs the JMH benchmarks: installs jkraft (tests skipped) into the local Maven repository, builds the
# benchmark jar and runs it. Extra arguments go to JMH (e.g. a benchmark name pattern, -f 1 -wi 1).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
"$top/mvnw" -B -q -f "$top/pom.xml" install -DskipTests
"$top/mvnw" -B -q -f "$here/pom.xml" package
exec java -jar "$here/target/benchmarks.jar" "$@"
