#!/bin/bash
# Apache Kafka's command-line tools, as the scripts of the same names in apache/kafka's /opt/kafka/bin
# (this image has the jars, not Kafka's shell scripts): kafka-broker-api-versions.sh (the health check),
# kafka-consumer-groups.sh and kafka-topics.sh are links to this file.
case "$(basename "$0")" in
  kafka-broker-api-versions.sh) main=org.apache.kafka.tools.BrokerApiVersionsCommand ;;
  kafka-consumer-groups.sh) main=org.apache.kafka.tools.consumer.group.ConsumerGroupCommand ;;
  kafka-topics.sh) main=org.apache.kafka.tools.TopicCommand ;;
  *) echo "$(basename "$0"): not one of the tools this image has" >&2; exit 2 ;;
esac
exec java -Xmx256m -XX:TieredStopAtLevel=1 -Dlog4j2.level=WARN -cp '/opt/kafka/libs/*' "$main" "$@"
