#!/usr/bin/env bash
# Starts/stops a single-node KRaft Apache Kafka (broker + controller in one JVM) from the cached jars.
#
#   scripts/kafka/kafka.sh start    # broker on 127.0.0.1:19092, controller on 19093, fresh data
#   scripts/kafka/kafka.sh stop
#   scripts/kafka/kafka.sh status
#
# Env: KAFKA_PORT (19092), KAFKA_CONTROLLER_PORT (19093), KAFKA_DATA_DIR (<repo>/.cache/kafka-data),
# KAFKA_HEAP (-Xmx512m), KAFKA_START_TIMEOUT (90 s). Log: $KAFKA_DATA_DIR/server.log.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

port="${KAFKA_PORT:-19092}"
cport="${KAFKA_CONTROLLER_PORT:-19093}"
data="${KAFKA_DATA_DIR:-$kafka_repo/.cache/kafka-data}"
pidfile="$data/kafka.pid"
heap="${KAFKA_HEAP:--Xmx512m -Xms512m}"

running_pid() { [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null && cat "$pidfile"; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
rss_mib() { awk '/VmRSS/{printf "%d", $2/1024}' "/proc/$1/status" 2>/dev/null || echo "?"; }

start() {
  if pid="$(running_pid)"; then echo "Apache Kafka already running (pid $pid) on 127.0.0.1:$port"; return 0; fi
  if port_open "$port"; then echo "port $port is already in use by another process" >&2; exit 1; fi
  rm -rf "$data" && mkdir -p "$data/logs"
  cat >"$data/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$data/logs
num.partitions=1
auto.create.topics.enable=true
group.initial.rebalance.delay.ms=0
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
delete.topic.enable=true
PROPS
  local t0 cluster_id jvm
  t0=$(date +%s%N)
  # A Kafka cluster id is 16 random bytes, base64url without padding. One that starts with '-' reads
  # as an option to kafka-storage (1 in 64 runs failed so); Kafka's own random ids avoid it the same way.
  cluster_id=-
  while [[ "$cluster_id" == -* ]]; do
    cluster_id="$(head -c16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
  done
  jvm=(-XX:+UseSerialGC -Dorg.slf4j.simpleLogger.defaultLogLevel=warn)
  "$java_bin" "${jvm[@]}" -XX:TieredStopAtLevel=1 -cp "$kafka_libs/*" kafka.tools.StorageTool \
    format -t "$cluster_id" -c "$data/server.properties" >"$data/format.log" 2>&1 \
    || { cat "$data/format.log" >&2; exit 1; }
  # shellcheck disable=SC2086
  nohup "$java_bin" $heap -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
    -Dorg.slf4j.simpleLogger.defaultLogLevel=info -Dorg.slf4j.simpleLogger.showDateTime=true \
    -cp "$kafka_libs/*" kafka.Kafka "$data/server.properties" >"$data/server.log" 2>&1 </dev/null &
  echo $! >"$pidfile"
  local pid=$! deadline=$((SECONDS + ${KAFKA_START_TIMEOUT:-90}))
  until port_open "$port" && grep -q -E 'Kafka Server started|\[KafkaRaftServer nodeId=1\] Kafka Server started' "$data/server.log"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "Apache Kafka exited during start-up; last lines of $data/server.log:" >&2; tail -n 30 "$data/server.log" >&2; exit 1
    fi
    if ((SECONDS > deadline)); then echo "Apache Kafka not ready after ${KAFKA_START_TIMEOUT:-90} s" >&2; tail -n 30 "$data/server.log" >&2; exit 1; fi
    sleep 0.2
  done
  local ms=$((($(date +%s%N) - t0) / 1000000))
  printf 'Apache Kafka %s ready on 127.0.0.1:%s (controller %s), pid %s, started in %d.%d s (incl. storage format), RSS %s MiB\n' \
    "$KAFKA_VERSION" "$port" "$cport" "$pid" $((ms / 1000)) $((ms % 1000 / 100)) "$(rss_mib "$pid")"
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then echo "Apache Kafka is not running"; rm -f "$pidfile"; return 0; fi
  echo "stopping Apache Kafka (pid $pid, RSS $(rss_mib "$pid") MiB)"
  kill -TERM "$pid"
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then echo "still running after 20 s; killing" >&2; kill -KILL "$pid"; fi
  rm -f "$pidfile"
}

status() {
  local pid
  if pid="$(running_pid)"; then echo "running: pid $pid, 127.0.0.1:$port, RSS $(rss_mib "$pid") MiB"; else echo "not running"; return 1; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
