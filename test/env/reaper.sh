#!/usr/bin/env bash
# reaper.sh WATCH_PID CMD [ARGS...]
# Runs CMD and kills it (TERM, then KILL) as soon as WATCH_PID is gone or this script is
# signalled, so servers never outlive the test run that started them.
watch_pid="$1"; shift
"$@" &
child=$!
stop() {
  kill -TERM "$child" 2>/dev/null
  for _ in $(seq 50); do kill -0 "$child" 2>/dev/null || exit 0; sleep 0.1; done
  kill -KILL "$child" 2>/dev/null
  exit 0
}
trap stop TERM INT HUP
while kill -0 "$child" 2>/dev/null; do
  kill -0 "$watch_pid" 2>/dev/null || stop
  sleep 0.5 & wait $!
done
wait "$child"
