"""librdkafka's transactional producer (confluent-kafka): commit c1, abort a1, commit c2, then read
partition 0 with read_committed and read_uncommitted consumers up to the end offset each sees.

Usage: confluent_transactions.py BOOTSTRAP TOPIC
Prints one JSON line: {"read_committed": [...], "read_uncommitted": [...]}.
"""
import json
import sys
import time
import uuid

from confluent_kafka import Consumer, Producer, TopicPartition

bootstrap, topic = sys.argv[1], sys.argv[2]
producer = Producer({"bootstrap.servers": bootstrap, "transactional.id": topic + "-txid"})
producer.init_transactions(60)
producer.begin_transaction()
producer.produce(topic, value=b"c1", partition=0)
producer.commit_transaction(60)
producer.begin_transaction()
producer.produce(topic, value=b"a1", partition=0)
producer.flush(60)
producer.abort_transaction(60)
producer.begin_transaction()
producer.produce(topic, value=b"c2", partition=0)
producer.commit_transaction(60)

seen = {}
for isolation in ("read_committed", "read_uncommitted"):
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": str(uuid.uuid4()),
            "isolation.level": isolation,
            "enable.auto.commit": False,
        }
    )
    tp = TopicPartition(topic, 0, 0)
    consumer.assign([tp])
    # the end offset this isolation level reads to: the LSO for read_committed, else the HWM
    _, end = consumer.get_watermark_offsets(TopicPartition(topic, 0), timeout=20, cached=False)
    values = []
    deadline = time.time() + 30
    while time.time() < deadline:
        position = consumer.position([TopicPartition(topic, 0)])[0].offset
        if position >= end:
            break
        message = consumer.poll(0.5)
        if message is None or message.error():
            continue
        values.append(message.value().decode())
    consumer.close()
    seen[isolation] = values
print(json.dumps(seen))
