#!/usr/bin/env bash
# Runs the callstream benchmarks and writes BENCHMARKS.md at the repository root.
#
#   callstream-bench/run-benchmarks.sh [--quick] [--skip-build] [--skip-jmh] [--skip-e2e] [--skip-profile]
#                                      [--skip-grpc] [--only-grpc] [--skip-kafka] [--only-kafka] [--keep-results]
# --keep-results adds to the previous results instead of starting afresh (re-run one part on a quieter
# machine: the latest run of each measurement wins, and BENCHMARKS.md lists every command).
#
# JMH micro-benchmarks (codec, sequencer, WAV), then end-to-end runs (LoadRun): our server and its
# peers (the vendor's Python sample, a minimal Python receiver, a bare Tyrus endpoint) pinned to CPU 0,
# the load generator pinned to CPU 1 (when taskset exists and there are 2+ CPUs). Loopback only.
# --quick takes about 25 minutes on 2 cores (shorter windows, fewer steps); a full run about 50.
# Then JFR profiles of the codec and of our server at 200 calls. Every loop is bounded in count and every step in time (timeout).
# RingCX gRPC (skip with --skip-grpc, or run alone with --only-grpc, which rewrites only the gRPC section of
# BENCHMARKS.md and leaves the other measurements as they are): our gRPC
# server (no-op, recording) and the minimal Python grpcio receiver at 200 real-time calls, in rounds, then
# 500 real-time calls recorded; needs Debian's python3-grpcio, python3-protobuf and protobuf-compiler.
# Kafka (skip with --skip-kafka, or run alone with --only-kafka, which rewrites only the Kafka section of
# BENCHMARKS.md): starts a KRaft broker from the Kafka jars on loopback; frames/s through KafkaCallPublisher
# and KafkaCallSource (KafkaThroughput), then `callstream record` with and without --kafka side by side,
# fed by `callstream send --realtime`: the receiver's CPU per frame. About 10 minutes with --quick.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

QUICK=0; BUILD=1; JMH=1; E2E=1; PROFILE=1; KEEP=0; GRPC=1; ONLY_GRPC=0; KAFKA=1; ONLY_KAFKA=0
for arg in "$@"; do
  case "$arg" in
    --quick) QUICK=1 ;;
    --skip-build) BUILD=0 ;;
    --skip-jmh) JMH=0 ;;
    --skip-e2e) E2E=0 ;;
    --skip-profile) PROFILE=0 ;;
    --keep-results) KEEP=1 ;;
    --skip-grpc) GRPC=0 ;;
    --only-grpc) JMH=0; E2E=0; PROFILE=0; KAFKA=0; ONLY_GRPC=1 ;;
    --skip-kafka) KAFKA=0 ;;
    --only-kafka) JMH=0; E2E=0; PROFILE=0; GRPC=0; ONLY_KAFKA=1 ;;
    *) echo "unknown option: $arg" >&2; exit 2 ;;
  esac
done

PYTHON=${PYTHON:-/usr/bin/python3}   # Debian's python3 has python3-websockets; a pyenv one may not
JAR=${BENCH_JAR:-callstream-bench/target/benchmarks.jar}   # BENCH_JAR: another build's jar, for before/after runs
PYDIR=callstream-bench/src/main/python
RESULTS=callstream-bench/target/bench-results
[ "$KEEP" = 1 ] || rm -rf "$RESULTS"
mkdir -p "$RESULTS"
COMMAND="callstream-bench/run-benchmarks.sh $*"

if [ "$QUICK" = 1 ]; then
  WARMUP=8; WINDOW=10; STEPS="100 500 1000"; ROUNDS=3; FLOOD_WARMUP=5; FLOOD_WINDOW=8; JMH_ARGS="-wi 3 -i 5"
else
  WARMUP=15; WINDOW=30; STEPS="50 100 200 500 1000 2000"; ROUNDS=3; FLOOD_WARMUP=10; FLOOD_WINDOW=20; JMH_ARGS="-wi 5 -i 10"
fi

# BENCH_WARMUP / BENCH_WINDOW (seconds) override the end-to-end warm-up and window: on a loaded host a JVM is
# still compiling after the usual warm-up (LoadRun reports the JIT threads' CPU in the window)
WARMUP=${BENCH_WARMUP:-$WARMUP}; WINDOW=${BENCH_WINDOW:-$WINDOW}
# gRPC: 10 x fewer messages per second than the WebSocket runs, so the JIT takes longer to reach steady
# state (a 25 s warm-up still left 4-6 us of compiler CPU per chunk in the window); the target is about
# a receiver that has been running, so these runs warm up 40 s (GRPC_WARMUP / GRPC_WINDOW override)
GRPC_WARMUP=${GRPC_WARMUP:-${BENCH_WARMUP:-40}}; GRPC_WINDOW=${GRPC_WINDOW:-${BENCH_WINDOW:-15}}

SERVER_CPU=""; CLIENT=()
if command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -ge 2 ]; then
  SERVER_CPU=0; CLIENT=(taskset -c 1)
fi

if [ "$BUILD" = 1 ]; then
  echo "== build" >&2
  MODULES=callstream-bench
  [ "$KAFKA" = 1 ] && MODULES=callstream-bench,callstream-cli   # the Kafka runs use callstream.jar
  mvn -B -q -pl "$MODULES" -am package -DskipTests
fi

echo "== machine" >&2
{
  echo "nproc=$(nproc)"
  echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "memory=$(free -m | awk '/^Mem:/ {print $2 " MiB"}')"
  echo "kernel=$(uname -r)"
  echo "java=$(java -version 2>&1 | head -1)"
  echo "python=$($PYTHON --version 2>&1)"
  echo "websockets=$($PYTHON -c 'import websockets; print(websockets.__version__)' 2>/dev/null || echo missing)"
  echo "grpcio=$($PYTHON -c 'import grpc; print(grpc.__version__)' 2>/dev/null || echo missing)"
  echo "protobuf=$($PYTHON -c 'import google.protobuf; print(google.protobuf.__version__)' 2>/dev/null || echo missing)"
  echo "protoc=$(protoc --version 2>/dev/null || echo missing)"
  echo "tyrus=$(unzip -p "$JAR" META-INF/maven/org.glassfish.tyrus/tyrus-core/pom.properties 2>/dev/null | sed -n 's/^version=//p')"
  echo "grizzly=$(unzip -p "$JAR" META-INF/maven/org.glassfish.grizzly/grizzly-framework/pom.properties 2>/dev/null | sed -n 's/^version=//p')"
  echo "jmh=$(unzip -p "$JAR" META-INF/maven/org.openjdk.jmh/jmh-core/pom.properties 2>/dev/null | sed -n 's/^version=//p')"
  # grpc-java's jars carry no pom.properties: the version the build pins
  echo "grpc-java=$(sed -n 's:.*<grpc.version>\(.*\)</grpc.version>.*:\1:p' pom.xml | head -1)"
  echo "pinning=${SERVER_CPU:+server on CPU 0, generator on CPU 1}"
  echo "quick=$QUICK"
  echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
} > "$RESULTS/machine.txt"
echo "$(date -u +%H:%M:%SZ)  $COMMAND" >> "$RESULTS/commands.txt"

if [ "$JMH" = 1 ]; then
  echo "== JMH" >&2
  uptime > "$RESULTS/jmh.uptime"
  # pinned to one core: the codec target is per message on one core
  timeout 1200 ${SERVER_CPU:+taskset -c $SERVER_CPU} java -jar "$JAR" -f 1 $JMH_ARGS -prof gc \
      -rf json -rff "$RESULTS/jmh.json" 'CodecBenchmark|SequencerBenchmark|WavBenchmark' > "$RESULTS/jmh.txt" 2>&1 \
    || echo "JMH failed or timed out (see $RESULTS/jmh.txt)" >&2
  uptime >> "$RESULTS/jmh.uptime"
fi

run() { # run LABEL TIMEOUT_SECONDS LoadRun-args...
  local label=$1 limit=$2; shift 2
  echo "== $label ($(cut -d' ' -f1-3 /proc/loadavg))" >&2
  timeout "$limit" "${CLIENT[@]}" java -Xmx1g -cp "$JAR" dev.callstream.bench.LoadRun --label "$label" \
      --jar "$JAR" --python "$PYTHON" --python-dir "$PYDIR" ${SERVER_CPU:+--server-cpu $SERVER_CPU} \
      --work "$RESULTS/work" --out "$RESULTS/e2e.jsonl" "$@" > /dev/null \
    || echo "{\"label\":\"$label\",\"error\":\"LoadRun failed or timed out after ${limit}s\"}" >> "$RESULTS/e2e.jsonl"
  if tail -1 "$RESULTS/e2e.jsonl" | grep -q '"failedCalls":[1-9]\|"error"'; then
    # keep the server's log of a run with failures (the failure reasons are in the JSON line too)
    for log in "$RESULTS"/work/*/stderr.log; do
      [ -f "$log" ] && cp "$log" "$RESULTS/stderr-${label//\//_}.log"
    done
  fi
  rm -rf "$RESULTS/work"   # recordings of the step
}

last_ok() { # did the last run keep zero loss, p99 <= 20 ms and the generator in step?
  tail -1 "$RESULTS/e2e.jsonl" | "$PYTHON" -c '
import json, sys
r = json.loads(sys.stdin.read())
p99 = (r.get("latency") or {}).get("p99us")
ok = "error" not in r and r.get("lostFrames", 1) == 0 and r.get("failedCalls", 1) == 0 \
     and p99 is not None and p99 <= 20000 and r.get("generatorKeptUp", False)
sys.exit(0 if ok else 1)'
}

if [ "$E2E" = 1 ]; then
  RT_LIMIT=$((WARMUP + WINDOW + 180))
  # rounds: the servers take turns, so a noisy minute hits one round of each rather than one server
  for round in $(seq 1 "$ROUNDS"); do
    for server in python-vendor python-min tyrus ours-noop ours-record ours-noop-io; do
      run "peers/200/$server/r$round" "$RT_LIMIT" --server "$server" --scenario realtime --calls 200 \
          --warmup "$WARMUP" --window "$WINDOW"
    done
  done
  # from 500 calls on, a short warm-up leaves the JIT compiling in the window on the server's core: at 8 s,
  # 500 recorded calls had 1.3 s of compiler CPU in a 10 s window and p99 10.8 ms; at 20 s, 0.01 s and 3.0 ms
  STEP_WARMUP_MIN=${STEP_WARMUP_MIN:-20}
  for calls in $STEPS; do
    step_warmup=$WARMUP
    [ "$calls" -ge 500 ] && [ "$step_warmup" -lt "$STEP_WARMUP_MIN" ] && step_warmup=$STEP_WARMUP_MIN
    run "steps/$calls/ours-record" $((step_warmup + WINDOW + 180)) --server ours-record --scenario realtime \
        --calls "$calls" --warmup "$step_warmup" --window "$WINDOW"
    last_ok || break
  done
  for conns in 1 100; do
    for server in python-min tyrus ours-noop ours-record; do
      run "flood/$conns/$server" $((FLOOD_WARMUP + FLOOD_WINDOW + 120)) --server "$server" --scenario flood --calls "$conns" \
          --warmup "$FLOOD_WARMUP" --window "$FLOOD_WINDOW"
    done
  done
  for server in python-min tyrus ours-noop; do
    run "idle/1000/$server" 300 --server "$server" --scenario idle --calls 1000 --warmup 3
  done
fi

if [ "$GRPC" = 1 ]; then
  RT_LIMIT=$((GRPC_WARMUP + GRPC_WINDOW + 180))
  for round in $(seq 1 "$ROUNDS"); do
    for server in python-grpc ours-grpc-noop ours-grpc-record; do
      run "grpc/200/$server/r$round" "$RT_LIMIT" --server "$server" --scenario realtime --calls 200 \
          --warmup "$GRPC_WARMUP" --window "$GRPC_WINDOW"
    done
  done
  # 500 calls: one core cannot generate 10,000 chunks/s over 500 gRPC connections (the Java generator
  # reached 96% of real time on a quiet machine), so here the generator may use both CPUs; the server
  # stays pinned to CPU 0 and shares it with the generator (harder for the server, not easier).
  SAVED_CLIENT=("${CLIENT[@]}")
  [ -n "$SERVER_CPU" ] && CLIENT=(taskset -c 0,1)
  run "grpc/500/ours-grpc-record" "$RT_LIMIT" --server ours-grpc-record --scenario realtime --calls 500 \
      --warmup "$GRPC_WARMUP" --window "$GRPC_WINDOW"
  CLIENT=("${SAVED_CLIENT[@]}")
fi

if [ "$PROFILE" = 1 ]; then
  echo "== profiles (JFR)" >&2
  if [ "$JMH" = 1 ]; then
    timeout 300 ${SERVER_CPU:+taskset -c $SERVER_CPU} java -jar "$JAR" -f 1 -wi 3 -i 3 'CodecBenchmark.parseMediaString' \
        -jvmArgsAppend "-XX:StartFlightRecording=filename=$RESULTS/codec.jfr,settings=profile" > "$RESULTS/jmh-jfr.txt" 2>&1 \
      && "$PYTHON" "$PYDIR/jfr_top.py" "$RESULTS/codec.jfr" --filter jmh-worker --top 12 > "$RESULTS/profile-codec.txt" || true
  fi
  if [ "$E2E" = 1 ]; then
    run "profile/200/ours-record" $((WARMUP + WINDOW + 180)) --server ours-record --scenario realtime --calls 200 \
        --warmup "$WARMUP" --window "$WINDOW" --jfr "$RESULTS/server.jfr"
    "$PYTHON" "$PYDIR/jfr_top.py" "$RESULTS/server.jfr" --top 20 > "$RESULTS/profile-server.txt" || true
  fi
fi

# ---- Kafka (issue 15): --only-kafka runs just this and replaces only the Kafka section of BENCHMARKS.md.
# A KRaft broker (controller and broker in one JVM) from the Kafka jars of callstream-bench/kafka-broker/pom.xml,
# on loopback, pinned with the load generator to CPU 1; then (1) KafkaThroughput: frames/s through the
# publisher and through the source, and (2) `callstream record` with and without --kafka, side by side
# in rounds, fed by `callstream send --realtime`: the receiver's CPU per frame from /proc/PID/stat.
KAFKA_PID=""
kafka_broker_start() {
  local kdir=$RESULTS/kafka-broker
  rm -rf "$kdir"; mkdir -p "$kdir"
  mvn -B -q -o -f callstream-bench/kafka-broker/pom.xml dependency:build-classpath -Dmdep.outputFile="$ROOT/$kdir/cp.txt" >&2 \
    || mvn -B -q -f callstream-bench/kafka-broker/pom.xml dependency:build-classpath -Dmdep.outputFile="$ROOT/$kdir/cp.txt" >&2
  read -r KAFKA_PORT KAFKA_CONTROLLER_PORT < <("$PYTHON" -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
  cat > "$kdir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$kdir/data
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
PROPS
  local cp; cp=$(cat "$kdir/cp.txt")
  java -cp "$cp" kafka.tools.StorageTool format -t "$(java -cp "$cp" kafka.tools.StorageTool random-uuid)" \
      -c "$kdir/server.properties" > "$kdir/format.log" 2>&1
  "${CLIENT[@]}" java -Xmx768m -cp "$cp" kafka.Kafka "$kdir/server.properties" > "$kdir/broker.log" 2>&1 &
  KAFKA_PID=$!
  KAFKA_BOOTSTRAP=127.0.0.1:$KAFKA_PORT
  for _ in $(seq 1 120); do
    # the broker logs nothing (no SLF4J binding on its classpath): ready when its listener accepts;
    # the clients wait for the controller themselves
    if "$PYTHON" -c "import socket,sys; socket.create_connection(('127.0.0.1', $KAFKA_PORT), 1)" 2>/dev/null; then
      echo "kafka broker on $KAFKA_BOOTSTRAP (pid $KAFKA_PID)" >&2
      return 0
    fi
    kill -0 "$KAFKA_PID" 2>/dev/null || break
    sleep 1
  done
  echo "the Kafka broker did not start (see $kdir/broker.log)" >&2
  return 1
}
kafka_broker_stop() {
  if [ -n "$KAFKA_PID" ]; then
    kill "$KAFKA_PID" 2>/dev/null || true
    wait "$KAFKA_PID" 2>/dev/null || true
    KAFKA_PID=""
  fi
}

cpu_ticks() { # utime + stime of a process, in clock ticks
  awk '{print $14 + $15}' "/proc/$1/stat"
}

# record_round LABEL CALLS SECONDS [record flags...]: one `callstream record` fed by `callstream send --realtime`;
# appends a JSON line with the receiver's CPU (us) per frame to kafka.jsonl
record_round() {
  local label=$1 calls=$2 seconds=$3; shift 3
  local work=$RESULTS/kafka-work; rm -rf "$work"; mkdir -p "$work"
  echo "== $label ($(cut -d' ' -f1-3 /proc/loadavg))" >&2
  ${SERVER_CPU:+taskset -c $SERVER_CPU} java -Xmx1g -jar "$CLI_JAR" record --port 0 --tls none \
      --recordings "$work/recordings" "$@" > "$work/record.out" 2> "$work/record.err" &
  local pid=$! url=""
  for _ in $(seq 1 120); do
    url=$(sed -n 's|^listening on \(ws://[^ ]*\).*|\1|p' "$work/record.out" | head -1)
    [ -n "$url" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if [ -z "$url" ]; then
    echo "{\"label\":\"$label\",\"error\":\"record did not start\"}" >> "$RESULTS/kafka.jsonl"
    kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
    return
  fi
  # warm-up: one short call so that class loading and the first JIT are not counted
  timeout 120 "${CLIENT[@]}" java -jar "$CLI_JAR" send --url "$url" --calls 10 --duration 5 --realtime > /dev/null 2>&1 || true
  local load0 before after sent
  load0=$(cut -d' ' -f1-3 /proc/loadavg)
  before=$(cpu_ticks "$pid")
  sent=$(timeout $((seconds + 120)) "${CLIENT[@]}" java -jar "$CLI_JAR" send --url "$url" --calls "$calls" \
      --duration "$seconds" --realtime 2> "$work/send.err" | tail -1) || true   # a failed call shows in the JSON
  after=$(cpu_ticks "$pid" 2>/dev/null || echo "$before")
  # keep why calls failed (send's stderr names each failed call and its reason)
  grep ' failed: ' "$work/send.err" > "$RESULTS/send-failures-${label//\//_}.txt" 2>/dev/null || true
  kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
  "$PYTHON" - "$label" "$calls" "$seconds" "$before" "$after" "$(getconf CLK_TCK)" "$load0" "$sent" "$*" >> "$RESULTS/kafka.jsonl" <<'PY'
import json, sys
label, calls, seconds, before, after, tck, load, sent, flags = sys.argv[1:10]
s = json.loads(sent) if sent.startswith("{") else {}
frames = s.get("mediaSent", 0)
cpu_us = (int(after) - int(before)) * 1e6 / int(tck)
print(json.dumps({"label": label, "calls": int(calls), "seconds": int(seconds), "flags": flags,
                  "frames": frames, "failedCalls": s.get("failedCalls"), "cpuSeconds": cpu_us / 1e6,
                  "cpuMicrosPerFrame": cpu_us / frames if frames else None, "loadavg": load}))
PY
  rm -rf "$work"
}

if [ "$KAFKA" = 1 ]; then
  CLI_JAR=callstream-cli/target/callstream.jar
  # 50/100 calls: on a shared 2-core machine 100 fresh handshakes at once already time out now and then
  if [ "$QUICK" = 1 ]; then KCALLS=50; KSECONDS=20; KFRAMES=2000; else KCALLS=100; KSECONDS=40; KFRAMES=5000; fi
  : > "$RESULTS/kafka.jsonl"
  uptime > "$RESULTS/kafka.uptime"
  trap kafka_broker_stop EXIT
  if kafka_broker_start; then
    for round in $(seq 1 "$ROUNDS"); do
      echo "== kafka/throughput/r$round ($(cut -d' ' -f1-3 /proc/loadavg))" >&2
      timeout 600 ${SERVER_CPU:+taskset -c $SERVER_CPU} java -Xmx2g -cp "$JAR" dev.callstream.bench.KafkaThroughput \
          --bootstrap "$KAFKA_BOOTSTRAP" --calls 20 --frames "$KFRAMES" --partitions 2 --label "kafka/throughput/r$round" \
          2> "$RESULTS/kafka-throughput-r$round.err" >> "$RESULTS/kafka.jsonl" \
        || echo "{\"label\":\"kafka/throughput/r$round\",\"error\":\"KafkaThroughput failed or timed out\"}" >> "$RESULTS/kafka.jsonl"
    done
    java -cp "$JAR" dev.callstream.bench.KafkaThroughput --bootstrap "$KAFKA_BOOTSTRAP" --create-topic callstream \
        --partitions 2 >&2
    for round in $(seq 1 "$ROUNDS"); do
      # side by side: the same load without and with publishing, one after the other, in each round
      record_round "kafka/record/$KCALLS/off/r$round" "$KCALLS" "$KSECONDS"
      record_round "kafka/record/$KCALLS/on/r$round" "$KCALLS" "$KSECONDS" --kafka "$KAFKA_BOOTSTRAP" --kafka-topic callstream
    done
  fi
  kafka_broker_stop
  uptime >> "$RESULTS/kafka.uptime"
fi

echo "== report" >&2
if [ "$ONLY_KAFKA" = 1 ]; then
  # only the Kafka section of BENCHMARKS.md is replaced; the other measurements stay as they were
  "$PYTHON" "$PYDIR/kafka_report.py" --results "$RESULTS" --out BENCHMARKS.md
elif [ "$ONLY_GRPC" = 1 ]; then
  # only the gRPC section of BENCHMARKS.md is replaced; the other measurements stay as they were
  "$PYTHON" "$PYDIR/report.py" --results "$RESULTS" --out BENCHMARKS.md --only-grpc
else
  "$PYTHON" "$PYDIR/report.py" --results "$RESULTS" --out BENCHMARKS.md
  [ "$KAFKA" = 1 ] && "$PYTHON" "$PYDIR/kafka_report.py" --results "$RESULTS" --out BENCHMARKS.md
fi
echo "wrote $ROOT/BENCHMARKS.md" >&2
