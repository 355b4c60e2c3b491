"""Produce records with kafka-python's KafkaProducer (acks='all').

Reads the records from stdin, one JSON object a line:
    {"key": "k1", "value": "v1", "headers": [["name", "value"], ...]}
and prints one JSON line per acknowledged record:
    {"key": "k1", "partition": 0, "offset": 0}
"""

import argparse
import json
import sys

from kafka import KafkaProducer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    args = parser.parse_args()

    records = [json.loads(line) for line in sys.stdin if line.strip()]

    producer = KafkaProducer(
        bootstrap_servers=args.bootstrap,
        client_id="compat-kafka-python",
        acks="all",
        retries=5,
    )
    futures = []
    for record in records:
        headers = [(name, value.encode()) for name, value in record.get("headers", [])]
        future = producer.send(
            args.topic,
            key=record["key"].encode(),
            value=record["value"].encode(),
            headers=headers,
        )
        futures.append((record["key"], future))
    producer.flush()

    for key, future in futures:
        metadata = future.get(timeout=30)
        print(json.dumps({"key": key, "partition": metadata.partition, "offset": metadata.offset}))
    producer.close()


if __name__ == "__main__":
    main()
