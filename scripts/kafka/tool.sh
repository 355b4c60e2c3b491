#!/usr/bin/env bash
# Runs one of Apache Kafka's command-line tools from the cached jars (there is no tarball, so no
# bin/*.sh): scripts/kafka/tool.sh kafka-topics --bootstrap-server 127.0.0.1:19092 --list
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

declare -A main_class=(
  [kafka-topics]=org.apache.kafka.tools.TopicCommand
  [kafka-consumer-groups]=org.apache.kafka.tools.consumer.group.ConsumerGroupCommand
  [kafka-console-producer]=org.apache.kafka.tools.ConsoleProducer
  [kafka-console-consumer]=org.apache.kafka.tools.consumer.ConsoleConsumer
  [kafka-configs]=org.apache.kafka.tools.ConfigCommand
  [kafka-get-offsets]=org.apache.kafka.tools.GetOffsetShell
  [kafka-broker-api-versions]=org.apache.kafka.tools.BrokerApiVersionsCommand
  [kafka-delete-records]=org.apache.kafka.tools.DeleteRecordsCommand
  [kafka-log-dirs]=org.apache.kafka.tools.LogDirsCommand
  [kafka-features]=org.apache.kafka.tools.FeatureCommand
  [kafka-cluster]=org.apache.kafka.tools.ClusterTool
  [kafka-metadata-quorum]=org.apache.kafka.tools.MetadataQuorumCommand
  [kafka-dump-log]=org.apache.kafka.tools.DumpLogSegments
  [kafka-transactions]=org.apache.kafka.tools.TransactionsCommand
  [kafka-producer-perf-test]=org.apache.kafka.tools.ProducerPerformance
  [kafka-consumer-perf-test]=org.apache.kafka.tools.ConsumerPerformance
  [kafka-storage]=kafka.tools.StorageTool
  [kafka-transactions]=org.apache.kafka.tools.TransactionsCommand
)

name="${1:-}"
if [[ -z "$name" || -z "${main_class[$name]:-}" ]]; then
  echo "usage: $0 <tool> [args...]; tools: ${!main_class[*]}" >&2
  exit 2
fi
shift
# Client tools start quickly with a small serial-GC heap and C1 only; warn-level logging keeps them quiet.
exec "$java_bin" -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "$kafka_libs/*" "${main_class[$name]}" "$@"
