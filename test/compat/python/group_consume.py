"""Consume with kafka-python's KafkaConsumer as a member of a consumer group.

Reads until --count records arrived or --timeout-ms passed, commits the offsets synchronously and
prints one JSON line per record:
    {"key": "k1", "value": "v1", "headers": [["name", "value"]], "partition": 0, "offset": 0}
"""

import argparse
import json
import time

from kafka import KafkaConsumer


def text(data):
    return None if data is None else data.decode()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--timeout-ms", type=int, default=30000)
    args = parser.parse_args()

    consumer = KafkaConsumer(
        args.topic,
        bootstrap_servers=args.bootstrap,
        client_id="compat-kafka-python",
        group_id=args.group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )

    received = 0
    deadline = time.monotonic() + args.timeout_ms / 1000
    while received < args.count and time.monotonic() < deadline:
        batches = consumer.poll(timeout_ms=500, max_records=args.count - received)
        for records in batches.values():
            for record in records:
                received += 1
                print(
                    json.dumps(
                        {
                            "key": text(record.key),
                            "value": text(record.value),
                            "headers": [[name, text(value)] for name, value in record.headers],
                            "partition": record.partition,
                            "offset": record.offset,
                        }
                    ),
                    flush=True,
                )

    consumer.commit()
    consumer.close()


if __name__ == "__main__":
    main()
