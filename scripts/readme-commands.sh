#!/usr/bin/env bash
# Runs the README's commands exactly as written, the way a newcomer meets them: in a fresh clone of
# this repository's HEAD, with a local Maven repository that holds none of our own artifacts
# (a copy of ~/.m2/repository without dev/callstream, given to Maven through the clone's
# .mvn/maven.config so that each command line stays exactly as the README prints it).
#
# Servers (./callstream record and the example servers) are started, sent a call with the README's
# ./callstream send command, and stopped with SIGTERM. The commands each step runs are quoted below
# verbatim; ReadmeCommandsTest (examples) checks that every command of the README is either run
# here, run by CI itself, or listed there with the reason it is not run.
#
#   scripts/readme-commands.sh            # needs git, JDK 17+, Maven 3.8+; ports 3333 and 10443 free
#   KEEP=1 scripts/readme-commands.sh     # keep the work directory for a look afterwards
set -euo pipefail
src="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/readme-commands.XXXXXX")"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM -- "-$server_pid" 2>/dev/null || true
  fi
  if [ -z "${KEEP:-}" ]; then rm -rf "$work"; else echo "kept $work" >&2; fi
}
trap cleanup EXIT

step() { echo "== $*" >&2; }
fail() { echo "FAILED: $*" >&2; exit 1; }

step "fresh clone of $(git -C "$src" rev-parse --short HEAD) in $work/clone; local repository without dev/callstream"
git clone -q "$src" "$work/clone"
if [ -d "$HOME/.m2/repository" ]; then
  cp -r "$HOME/.m2/repository" "$work/repo"
else
  mkdir -p "$work/repo"
fi
rm -rf "$work/repo/dev/callstream"
mkdir -p "$work/clone/.mvn"
echo "-Dmaven.repo.local=$work/repo" >> "$work/clone/.mvn/maven.config"
cd "$work/clone"
unset RINGCX_TOKEN RINGCX_BASE_URL STREAM_SECRET CALLSTREAM_SECRET

for port in 3333 10443; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    fail "port $port is in use; the README's commands need it"
  fi
done

# run NAME EXPECTED_EXIT COMMAND: runs COMMAND (the README's text) with bash, output in $work/NAME.log
run() {
  local name="$1" expected="$2" command="$3" status=0
  step "$command"
  bash -c "$command" >"$work/$name.log" 2>&1 || status=$?
  if [ "$status" != "$expected" ]; then
    tail -40 "$work/$name.log" >&2
    fail "$name: exit $status, expected $expected: $command"
  fi
}

# serve NAME COMMAND: starts a server command in its own process group; waits for 'listening on'
serve() {
  local name="$1" command="$2" waited=0
  step "$command (until 'listening on')"
  setsid bash -c "$command" >"$work/$name.log" 2>&1 &
  server_pid=$!
  until grep -q "listening on" "$work/$name.log" 2>/dev/null; do
    if ! kill -0 "$server_pid" 2>/dev/null; then
      tail -40 "$work/$name.log" >&2
      fail "$name ended before it listened: $command"
    fi
    waited=$((waited + 1))
    [ "$waited" -lt 1800 ] || fail "$name: not listening after 30 minutes"
    sleep 1
  done
}

# stop NAME: SIGTERM to the server's process group, then waits for its exit
stop() {
  local name="$1" status=0
  kill -TERM -- "-$server_pid"
  wait "$server_pid" || status=$?
  server_pid=""
  # 143 is a JVM ended by SIGTERM after its shutdown hooks ran (the examples' servers)
  if [ "$status" != 0 ] && [ "$status" != 143 ]; then
    tail -40 "$work/$name.log" >&2
    fail "$name: exit $status after SIGTERM"
  fi
}

expect() { grep -q -- "$2" "$work/$1.log" || { tail -40 "$work/$1.log" >&2; fail "$1: no line matching '$2'"; }; }

# --- Run it
serve record './callstream record'
expect record 'building callstream.jar (first run)'
run send-wss 0 './callstream send --url wss://127.0.0.1:3333/ --insecure'
expect send-wss '"failedCalls": 0,'
stop record
ls recordings/*/call.json >/dev/null 2>&1 || fail "./callstream record wrote no call.json"
if grep -q $'\x1b' "$work/record.log"; then fail "./callstream record: escape codes on stderr"; fi

run package 0 'mvn -B -DskipTests package'
run help 0 'java -jar callstream-cli/target/callstream.jar --help'
expect help 'Commands:'

# --- Examples (each builds what it needs: package -DskipTests, then exec:java)
rm -rf recordings
serve record-calls 'mvn -q -pl examples -am package -DskipTests exec:java -Dexec.mainClass=dev.callstream.examples.RecordCalls'
run send-record-calls 0 './callstream send --url wss://127.0.0.1:3333/ --insecure'
stop record-calls
grep -l '"endReason" : "stopped"' recordings/*/call.json >/dev/null || fail "RecordCalls: no stopped call.json"

serve both 'mvn -q -pl examples -am package -DskipTests exec:java -Dexec.mainClass=dev.callstream.examples.RecordBothTransports'
run send-both-wss 0 './callstream send --url wss://127.0.0.1:3333/ --insecure'
run send-both-grpc 0 './callstream send --url grpcs://127.0.0.1:10443 --insecure'
stop both

serve stt 'mvn -q -pl examples -am package -DskipTests exec:java -Dexec.mainClass=dev.callstream.examples.StreamToSpeechToText'
run send-stt 0 './callstream send --url wss://127.0.0.1:3333/ --insecure'
stop stt
expect stt 'reached the stand-in recogniser (no speech engine, no text)'

serve talk 'mvn -q -pl examples -am package -DskipTests exec:java -Dexec.mainClass=dev.callstream.examples.TalkTimeAnalytics'
run send-talk 0 './callstream send --url wss://127.0.0.1:3333/ --insecure'
stop talk
expect talk 'call-1-0: '

# Without RINGCX_TOKEN these build, start and stop with the one-line reason (exit 1); their tests
# run the same mains against mock servers.
run provision 1 'mvn -q -pl examples -am package -DskipTests exec:java -Dexec.mainClass=dev.callstream.examples.ProvisionProfile -Dexec.args="<subAccountId> <mainAccountId> <rcAccountId> <queueId> wss://your.host:443"'
expect provision 'set RINGCX_TOKEN'
run agent-leg 1 'mvn -q -pl examples -am package -DskipTests exec:java -Dexec.mainClass=dev.callstream.examples.StreamAgentLeg -Dexec.args="<rcAccountId> <subAccountId> <dialogId> <agentSegmentId> wss://your.host/audio 30"'
expect agent-leg 'set RINGCX_TOKEN'

run test-your-listener 0 'mvn -q -pl examples -am test -Dtest=TestYourListenerTest -Dsurefire.failIfNoSpecifiedTests=false'

step "every README command above ran as written"
