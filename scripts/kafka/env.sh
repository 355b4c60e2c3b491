# Sourced by kafka.sh and tool.sh: locates java and the cached Apache Kafka jars.
# KAFKA_CACHE_DIR (default <repo>/.cache/kafka), KAFKA_VERSION (default: the one fetch-kafka.sh chose),
# JAVA_HOME (default: java on PATH; Kafka 4.x needs Java 17+).
kafka_repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
kafka_cache="${KAFKA_CACHE_DIR:-$kafka_repo/.cache/kafka}"
if [[ -z "${KAFKA_VERSION:-}" && -f "$kafka_cache/current" ]]; then KAFKA_VERSION="$(cat "$kafka_cache/current")"; fi
kafka_libs="$kafka_cache/${KAFKA_VERSION:-none}/libs"
if [[ ! -d "$kafka_libs" ]]; then
  echo "Apache Kafka jars not found in $kafka_cache; run scripts/kafka/fetch-kafka.sh first" >&2
  exit 1
fi
java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
