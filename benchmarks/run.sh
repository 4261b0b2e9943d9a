#!/bin/sh
# Runs a benchmark by hand (they are not part of the build's tests) and rewrites its section of
# docs/benchmarks.md with the measured numbers. Needs the peer tools on PATH: sqlite3, zstd,
# openssl, sha256sum and /usr/bin/time (apt-get install sqlite3 zstd openssl time).
#
#   benchmarks/run.sh                        # backup/restore: about 1.1 GB of dump (2.2 million tasks)
#   benchmarks/run.sh --tasks 100000         # a quick backup/restore run at ~50 MB
#   benchmarks/run.sh assess                 # corruption assessment: about a million rows
#   benchmarks/run.sh assess --tasks 50000   # a quick assessment run
set -e
cd "$(dirname "$0")/.."
main=dev.lifeline.benchmarks.BackupBenchmark
if [ "$1" = "assess" ]; then
  main=dev.lifeline.benchmarks.AssessmentBenchmark
  shift
fi
./mvnw -q -B -pl benchmarks -am package -DskipTests
exec java -Xmx256m -XX:+UseSerialGC -cp "benchmarks/target/lifeline-benchmarks-0.1.0-SNAPSHOT.jar:$(cat benchmarks/target/classpath.txt)" \
  "$main" "$@"
