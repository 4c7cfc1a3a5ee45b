#!/usr/bin/env bash
# Soak test (not part of CI): churn of real-time calls through a CallStreamServer + CallRecorder.
# Usage: scripts/soak.sh [duration-seconds=1800] [concurrency=300] [min-call-s=5] [max-call-s=300] [seed=1]
# Prints a CSV line every 10 s (heap after GC, threads, fds, open calls) and a JSON summary last.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-1800}; CONCURRENCY=${2:-300}; MIN=${3:-5}; MAX=${4:-300}; SEED=${5:-1}
CP_FILE=callstream-server/target/soak.classpath
# one reactor build: the server's classpath then names callstream-core/target/classes
mvn -B -q -o -pl callstream-server -am test-compile dependency:build-classpath \
  -Dmdep.outputFile="$PWD/$CP_FILE" -Dmdep.includeScope=test >/dev/null
CP="callstream-server/target/test-classes:callstream-server/target/classes:$(cat "$CP_FILE")"
exec java -Xmx${SOAK_HEAP:-1g} -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -Djava.util.logging.config.file=callstream-server/src/test/resources/logging.properties \
  -cp "$CP" dev.callstream.server.reliability.SoakDriver "$DURATION" "$CONCURRENCY" "$MIN" "$MAX" "$SEED"
