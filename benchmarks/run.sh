#!/bin/sh
# Runs the backup/restore benchmark by hand (it is not part of the build's tests) and rewrites
# docs/benchmarks.md with the measured numbers. Needs sqlite3, zstd, openssl, sha256sum and
# /usr/bin/time on PATH for the peer tools (apt-get install sqlite3 zstd openssl time).
#
#   benchmarks/run.sh                 # about 1.1 GB of dump (2.2 million tasks)
#   benchmarks/run.sh --tasks 100000  # a quick run at ~50 MB
set -e
cd "$(dirname "$0")/.."
./mvnw -q -B -pl benchmarks -am package -DskipTests
exec java -Xmx256m -XX:+UseSerialGC -cp "benchmarks/target/lifeline-benchmarks-0.1.0-SNAPSHOT.jar:$(cat benchmarks/target/classpath.txt)" \
  dev.lifeline.benchmarks.BackupBenchmark "$@"
