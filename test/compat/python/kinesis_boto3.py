"""boto3 against the Kinesis API: one scenario, its observations printed as one JSON object.

usage: kinesis_boto3.py --endpoint http://127.0.0.1:N --stream NAME --kafka-topic TOPIC
"""
import argparse
import base64
import json

import boto3
import botocore

p = argparse.ArgumentParser()
p.add_argument("--endpoint", required=True)
p.add_argument("--stream", required=True)
p.add_argument("--kafka-topic", required=True)
a = p.parse_args()

k = boto3.client(
    "kinesis",
    endpoint_url=a.endpoint,
    region_name="us-east-1",
    aws_access_key_id="any",
    aws_secret_access_key="any",
    config=botocore.config.Config(retries={"max_attempts": 1}),
)
out = {"boto3": boto3.__version__}


def error_of(call):
    try:
        call()
        return None
    except botocore.exceptions.ClientError as e:
        return e.response["Error"]["Code"]


k.create_stream(StreamName=a.stream, ShardCount=2)
d = k.describe_stream(StreamName=a.stream)["StreamDescription"]
out["describe"] = {
    "status": d["StreamStatus"],
    "shards": [s["ShardId"] for s in d["Shards"]],
    "retentionHours": d["RetentionPeriodHours"],
}
put = k.put_record(StreamName=a.stream, PartitionKey="cust-1", Data=b"hello from boto3")
out["put"] = {"shard": put["ShardId"], "sequenceNumber": put["SequenceNumber"]}
many = k.put_records(
    StreamName=a.stream,
    Records=[{"PartitionKey": "cust-1", "Data": ("r%d" % i).encode()} for i in range(3)],
)
out["putRecords"] = {"failed": many["FailedRecordCount"], "shards": [r["ShardId"] for r in many["Records"]]}

it = k.get_shard_iterator(StreamName=a.stream, ShardId=put["ShardId"], ShardIteratorType="TRIM_HORIZON")
got = k.get_records(ShardIterator=it["ShardIterator"])
out["get"] = [
    {
        "data": r["Data"].decode(),
        "partitionKey": r["PartitionKey"],
        "sequenceNumber": r["SequenceNumber"],
        "arrival": r["ApproximateArrivalTimestamp"].timestamp(),
    }
    for r in got["Records"]
]

# what kafkajs produced, read as a Kinesis stream
kd = k.describe_stream(StreamName=a.kafka_topic)["StreamDescription"]
kafka_records = []
for s in kd["Shards"]:
    it = k.get_shard_iterator(StreamName=a.kafka_topic, ShardId=s["ShardId"], ShardIteratorType="TRIM_HORIZON")
    for r in k.get_records(ShardIterator=it["ShardIterator"])["Records"]:
        kafka_records.append({"shard": s["ShardId"], "partitionKey": r["PartitionKey"], "data": r["Data"].decode(),
                              "sequenceNumber": r["SequenceNumber"]})
out["fromKafka"] = kafka_records

out["errors"] = {
    "missingStream": error_of(lambda: k.describe_stream(StreamName="no-such-stream")),
    "duplicateStream": error_of(lambda: k.create_stream(StreamName=a.stream, ShardCount=1)),
    "badIterator": error_of(lambda: k.get_records(ShardIterator=base64.b64encode(b"x" * 40).decode())),
    "badName": error_of(lambda: k.create_stream(StreamName="bad name!", ShardCount=1)),
    "scaleDown": error_of(
        lambda: k.update_shard_count(StreamName=a.stream, TargetShardCount=1, ScalingType="UNIFORM_SCALING")
    ),
}
# the modelled exception classes boto3 raises
try:
    k.describe_stream(StreamName="no-such-stream")
except k.exceptions.ResourceNotFoundException as e:
    out["typedException"] = type(e).__name__

print(json.dumps(out))
