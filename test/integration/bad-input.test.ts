/**
 * Bad input never crashes the broker or corrupts a log: malformed frames close the connection,
 * invalid batches get the Kafka error a client understands, and the log stays readable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKey, ErrorCode, crc32c, encodeRecordBatch, encodeRequest } from '@orders/kafka-protocol';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { RawConnection } from '../helpers/raw-client.js';
import { readPartition } from '../helpers/read.js';

let broker: TestBroker;
beforeAll(async () => {
  broker = await startTestBroker({ maxRequestBytes: 1024 * 1024 });
  await broker.state.topics.create('safe', 1);
});
afterAll(async () => broker?.destroy());

const produce = (conn: RawConnection, records: Buffer, version = 7, acks = -1) =>
  conn.request(ApiKey.Produce, version, {
    transactionalId: null,
    acks,
    timeoutMs: 5000,
    topicData: [{ name: 'safe', partitionData: [{ index: 0, records }] }],
  });

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const partitionError = (res: any) => res.responses[0].partitionResponses[0].errorCode;

async function brokerStillServes() {
  const conn = await RawConnection.connect(broker.port);
  const res = await conn.request(ApiKey.ApiVersions, 0, {});
  conn.close();
  expect(res.errorCode).toBe(0);
}

describe('malformed requests', () => {
  it('an oversize frame closes the connection', async () => {
    const conn = await RawConnection.connect(broker.port);
    const header = Buffer.alloc(4);
    header.writeInt32BE(64 * 1024 * 1024);
    conn.writeRaw(header);
    await conn.onceClosed();
    await brokerStillServes();
  });

  it('a negative frame size closes the connection', async () => {
    const conn = await RawConnection.connect(broker.port);
    conn.writeRaw(Buffer.from([0xff, 0xff, 0xff, 0xfe, 1, 2, 3]));
    await conn.onceClosed();
    await brokerStillServes();
  });

  it('an unknown API key closes the connection', async () => {
    const conn = await RawConnection.connect(broker.port);
    const frame = Buffer.alloc(4 + 10);
    frame.writeInt32BE(10, 0);
    frame.writeInt16BE(999, 4);
    frame.writeInt16BE(0, 6);
    frame.writeInt32BE(7, 8);
    frame.writeInt16BE(-1, 12);
    conn.writeRaw(frame);
    await conn.onceClosed();
    await brokerStillServes();
  });

  it('a truncated body closes the connection', async () => {
    const conn = await RawConnection.connect(broker.port);
    const full = encodeRequest(ApiKey.Metadata, 1, 3, 'x', { topics: [{ name: 'safe' }] });
    const cut = full.subarray(0, full.length - 3);
    cut.writeInt32BE(cut.length - 4, 0);
    conn.writeRaw(cut);
    await conn.onceClosed();
    await brokerStillServes();
  });

  it('ApiVersions newer than we speak gets a v0-framed UNSUPPORTED_VERSION listing our versions', async () => {
    const conn = await RawConnection.connect(broker.port);
    const frame = Buffer.alloc(4 + 10 + 1);
    frame.writeInt32BE(11, 0);
    frame.writeInt16BE(ApiKey.ApiVersions, 4);
    frame.writeInt16BE(9, 6);
    frame.writeInt32BE(42, 8);
    frame.writeInt16BE(-1, 12);
    const response = await conn.sendRaw(frame);
    conn.close();
    expect(response.readInt32BE(0)).toBe(42);
    expect(response.readInt16BE(4)).toBe(ErrorCode.UNSUPPORTED_VERSION);
    const count = response.readInt32BE(6);
    const keys = Array.from({ length: count }, (_, i) => response.readInt16BE(10 + i * 6));
    expect(keys).toContain(ApiKey.ApiVersions);
    expect(keys).toContain(ApiKey.Produce);
  });

  it('answers pipelined requests in order', async () => {
    const conn = await RawConnection.connect(broker.port);
    const replies = await Promise.all([
      conn.request(ApiKey.Metadata, 1, { topics: [{ name: 'safe' }] }),
      conn.request(ApiKey.ApiVersions, 2, {}),
      conn.request(ApiKey.Metadata, 0, { topics: [] }),
    ]);
    conn.close();
    expect(replies[0].topics[0].name).toBe('safe');
    expect(replies[1].errorCode).toBe(0);
  });
});

describe('invalid record batches', () => {
  const good = () => encodeRecordBatch({ records: [{ key: 'k', value: 'good' }] });

  it('rejects a batch with a bad CRC as CORRUPT_MESSAGE and stores nothing', async () => {
    const conn = await RawConnection.connect(broker.port);
    const batch = good();
    batch[batch.length - 1] ^= 0xff;
    expect(partitionError(await produce(conn, batch))).toBe(ErrorCode.CORRUPT_MESSAGE);
    conn.close();
    expect(broker.state.topics.partition('safe', 0)!.highWatermark).toBe(0);
  });

  it('rejects a batch with a wrong magic byte', async () => {
    const conn = await RawConnection.connect(broker.port);
    const batch = good();
    batch[16] = 1;
    expect(partitionError(await produce(conn, batch))).not.toBe(ErrorCode.NONE);
    conn.close();
  });

  it('rejects a batch whose record count does not match its records', async () => {
    const conn = await RawConnection.connect(broker.port);
    const batch = encodeRecordBatch({ records: [{ value: 'a' }, { value: 'b' }] });
    batch.writeInt32BE(5, 57); // recordCount says 5, the batch holds 2; CRC recomputed so only the count is wrong
    batch.writeUInt32BE(crc32c(batch.subarray(21)), 17);
    expect(partitionError(await produce(conn, batch))).toBe(ErrorCode.INVALID_RECORD);
    conn.close();
  });

  it('rejects a batch larger than max.message.bytes with MESSAGE_TOO_LARGE', async () => {
    await broker.state.topics.setOverrides('safe', { 'max.message.bytes': '1024' });
    const conn = await RawConnection.connect(broker.port);
    const batch = encodeRecordBatch({ records: [{ value: Buffer.alloc(4000, 1) }] });
    expect(partitionError(await produce(conn, batch))).toBe(ErrorCode.MESSAGE_TOO_LARGE);
    conn.close();
    await broker.state.topics.setOverrides('safe', {});
  });

  it('refuses acks other than -1, 0 and 1', async () => {
    const conn = await RawConnection.connect(broker.port);
    expect(partitionError(await produce(conn, good(), 7, 2))).toBe(ErrorCode.INVALID_REQUIRED_ACKS);
    conn.close();
  });

  it('after all that, the log holds exactly the valid records', async () => {
    const conn = await RawConnection.connect(broker.port);
    expect(partitionError(await produce(conn, good()))).toBe(ErrorCode.NONE);
    conn.close();
    const records = await readPartition(broker.port, 'safe', 0);
    expect(records.map((r) => r.value)).toEqual(['good']);
  });
});
