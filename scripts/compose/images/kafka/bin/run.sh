#!/bin/bash
# KAFKA_* environment → /opt/kafka/config/server.properties, format the storage once, run the broker.
set -euo pipefail
props=/opt/kafka/config/server.properties
: >"$props"
while IFS='=' read -r name value; do
  case "$name" in
    KAFKA_HEAP_OPTS | KAFKA_OPTS | KAFKA_JVM_PERFORMANCE_OPTS | KAFKA_VERSION) continue ;;
    KAFKA_*) ;;
    *) continue ;;
  esac
  key="${name#KAFKA_}"
  key="${key,,}"
  key="${key//___/-}"
  key="${key//__/@}"
  key="${key//_/.}"
  key="${key//@/_}"
  printf '%s=%s\n' "$key" "$value" >>"$props"
done < <(env)
java=(java -cp '/opt/kafka/libs/*' -Djava.awt.headless=true)
log_dir="$(sed -n 's/^log\.dirs=//p' "$props")"
if [[ ! -f "${log_dir:-/var/lib/kafka/data}/meta.properties" ]]; then
  "${java[@]}" kafka.tools.StorageTool format --ignore-formatted \
    -t "${CLUSTER_ID:?set CLUSTER_ID}" -c "$props"
fi
# shellcheck disable=SC2086 # KAFKA_HEAP_OPTS is a list of JVM options
exec "${java[0]}" ${KAFKA_HEAP_OPTS:--Xmx1g -Xms1g} -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
  "${java[@]:1}" kafka.Kafka "$props"
