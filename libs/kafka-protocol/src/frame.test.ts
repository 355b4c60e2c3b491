/** Golden bytes, written by hand from the spec, for layouts that are easy to get wrong. */
import { describe, expect, it } from 'vitest';
import { ApiKey, apiName } from './api.js';
import { ErrorCode, ProtocolError, errorName } from './errors.js';
import {
  decodeRequest,
  decodeRequestHeader,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  isSupported,
  precompileAll,
  supportedVersions,
} from './frame.js';

const h = (s: string): string => s.replace(/\s+/g, '');
const frameHex = (chunks: Buffer[] | Buffer): string =>
  (Array.isArray(chunks) ? Buffer.concat(chunks) : chunks).toString('hex');
const str = (s: string): string => Buffer.from(s).toString('hex');
/** Response frame = size + body. */
const sized = (hex: string): string => (hex.length / 2).toString(16).padStart(8, '0') + hex;

describe('ApiVersions', () => {
  it('v3 request uses header v2 (i16 clientId + tags) and a compact body with tags', () => {
    const frame = encodeRequest(ApiKey.ApiVersions, 3, 7, 'cli', {
      clientSoftwareName: 'sw',
      clientSoftwareVersion: '1',
    });
    const expected = h(`0012 0003 00000007 0003 ${str('cli')} 00   03 ${str('sw')} 02 ${str('1')} 00`);
    expect(frame.toString('hex')).toBe(sized(expected));
    const hdr = decodeRequestHeader(frame.subarray(4));
    expect(hdr).toEqual({ apiKey: 18, apiVersion: 3, correlationId: 7, clientId: 'cli', bodyOffset: 14 });
    expect(decodeRequest(18, 3, frame.subarray(4), hdr.bodyOffset)).toEqual({
      clientSoftwareName: 'sw',
      clientSoftwareVersion: '1',
    });
  });

  it('v3 response keeps response header v0 (no tag buffer after the correlation id)', () => {
    const chunks = encodeResponse(18, 3, 7, {
      errorCode: 0,
      apiKeys: [{ apiKey: 0, minVersion: 3, maxVersion: 7 }],
      throttleTimeMs: 0,
    });
    const expected = h(`00000007  0000  02 0000 0003 0007 00  00000000  00`);
    expect(frameHex(chunks)).toBe(sized(expected));
    const back = decodeResponse(18, 3, Buffer.concat(chunks).subarray(4));
    expect(back.correlationId).toBe(7);
    expect(back.body.apiKeys).toEqual([{ apiKey: 0, minVersion: 3, maxVersion: 7 }]);
    expect(back.body.finalizedFeaturesEpoch).toBe(-1);
  });

  it('v0 error reply for an unsupported ApiVersions version', () => {
    const chunks = encodeResponse(18, 0, 9, {
      errorCode: ErrorCode.UNSUPPORTED_VERSION,
      apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 3 }],
    });
    expect(frameHex(chunks)).toBe(sized(h('00000009 0023 00000001 0012 0000 0003')));
  });

  it('a header of a version we do not implement still decodes (v4 is flexible: header v2)', () => {
    const frame = Buffer.from(
      h(`0012 0004 0000000b 0001 ${str('x')} 00  02 ${str('a')} 02 ${str('b')} 00`),
      'hex',
    );
    expect(decodeRequestHeader(frame)).toEqual({
      apiKey: 18,
      apiVersion: 4,
      correlationId: 11,
      clientId: 'x',
      bodyOffset: 12,
    });
    expect(isSupported(18, 4)).toBe(false);
    expect(() => decodeRequest(18, 4, frame, 12)).toThrow(ProtocolError);
  });
});

describe('request headers', () => {
  it('unknown API keys still yield key, version and correlation id', () => {
    const frame = Buffer.from(h(`0063 0001 00000005 ffff`), 'hex');
    expect(decodeRequestHeader(frame)).toEqual({
      apiKey: 99,
      apiVersion: 1,
      correlationId: 5,
      clientId: null,
      bodyOffset: -1,
    });
    expect(decodeRequestHeader(Buffer.from(h('0063 0001 00000005 0009'), 'hex'))).toMatchObject({
      apiKey: 99,
      bodyOffset: -1,
    });
  });
  it('a truncated header throws ProtocolError', () => {
    expect(() => decodeRequestHeader(Buffer.from('0003000100', 'hex'))).toThrow(ProtocolError);
    expect(() => decodeRequestHeader(Buffer.from(h('0003 0001 00000005 0009 6162'), 'hex'))).toThrow(
      ProtocolError,
    );
  });
  it('null clientId', () => {
    const frame = encodeRequest(ApiKey.Metadata, 1, 1, null, { topics: null });
    expect(decodeRequestHeader(frame.subarray(4))).toMatchObject({ clientId: null, bodyOffset: 10 });
  });
});

describe('Metadata', () => {
  const body = (v: number, topics: unknown): string =>
    encodeRequest(ApiKey.Metadata, v, 1, null, { topics })
      .subarray(4 + 10)
      .toString('hex');
  it('v0: [] means all topics; null is not allowed', () => {
    expect(body(0, [])).toBe('00000000');
    expect(() => body(0, null)).toThrow(ProtocolError);
  });
  it('v1: null means all topics, [] means none', () => {
    expect(body(1, null)).toBe('ffffffff');
    expect(body(1, [])).toBe('00000000');
    expect(body(1, [{ name: 'ab' }])).toBe(h(`00000001 0002 ${str('ab')}`));
    const f = (hex: string): Buffer => Buffer.from(h(`0003 0001 00000001 ffff ${hex}`), 'hex');
    expect(decodeRequest(3, 1, f('ffffffff'), 10).topics).toBeNull();
    expect(decodeRequest(3, 1, f('00000000'), 10).topics).toEqual([]);
  });
  it('v4 adds allowAutoTopicCreation (default true)', () => {
    expect(body(4, null)).toBe('ffffffff01');
    const f = Buffer.from(h(`0003 0003 00000001 ffff ffffffff`), 'hex');
    expect(decodeRequest(3, 3, f, 10)).toEqual({ topics: null, allowAutoTopicCreation: true });
  });
  it('v1 response: rack, controller id, isInternal in spec order', () => {
    const chunks = encodeResponse(3, 1, 2, {
      brokers: [{ nodeId: 1, host: 'h', port: 9092, rack: null }],
      controllerId: 1,
      topics: [
        {
          errorCode: 0,
          name: 't',
          isInternal: false,
          partitions: [{ partitionIndex: 0, leaderId: 1, replicaNodes: [1], isrNodes: [1] }],
        },
      ],
    });
    const expected = h(`00000002
      00000001 00000001 0001 ${str('h')} 00002384 ffff
      00000001
      00000001 0000 0001 ${str('t')} 00
        00000001 0000 00000000 00000001 00000001 00000001 00000001 00000001`);
    expect(frameHex(chunks)).toBe(sized(expected));
  });
});

describe('Fetch v11', () => {
  it('request layout order', () => {
    const frame = encodeRequest(ApiKey.Fetch, 11, 3, 'c', {
      replicaId: -1,
      maxWaitMs: 500,
      minBytes: 1,
      maxBytes: 1024,
      isolationLevel: 1,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic: 't',
          partitions: [
            {
              partition: 2,
              currentLeaderEpoch: -1,
              fetchOffset: 10,
              logStartOffset: -1,
              partitionMaxBytes: 512,
            },
          ],
        },
      ],
      forgottenTopicsData: [],
      rackId: '',
    });
    const expected = h(`0001 000b 00000003 0001 ${str('c')}
      ffffffff 000001f4 00000001 00000400 01 00000000 ffffffff
      00000001 0001 ${str('t')}
        00000001 00000002 ffffffff 000000000000000a ffffffffffffffff 00000200
      00000000
      0000`);
    expect(frame.toString('hex')).toBe(sized(expected));
  });
  it('response: errorCode and sessionId before the topics, preferredReadReplica before records', () => {
    const chunks = encodeResponse(ApiKey.Fetch, 11, 3, {
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 0,
      responses: [
        {
          topic: 't',
          partitions: [
            {
              partitionIndex: 2,
              errorCode: 0,
              highWatermark: 5,
              lastStableOffset: 5,
              logStartOffset: 0,
              abortedTransactions: null,
              preferredReadReplica: -1,
              records: Buffer.from('abcd', 'hex'),
            },
          ],
        },
      ],
    });
    const expected = h(`00000003
      00000000 0000 00000000
      00000001 0001 ${str('t')}
        00000001 00000002 0000 0000000000000005 0000000000000005 0000000000000000 ffffffff ffffffff
        00000002 abcd`);
    expect(frameHex(chunks)).toBe(sized(expected));
  });
});

describe('Produce', () => {
  const res = {
    responses: [
      {
        name: 't',
        partitionResponses: [
          { index: 0, errorCode: 0, baseOffset: 100, logAppendTimeMs: -1, logStartOffset: 0 },
        ],
      },
    ],
    throttleTimeMs: 5,
  };
  it('v7 response: throttleTimeMs at the end, logStartOffset (v5+)', () => {
    const expected = h(`00000001
      00000001 0001 ${str('t')} 00000001 00000000 0000 0000000000000064 ffffffffffffffff 0000000000000000
      00000005`);
    expect(frameHex(encodeResponse(0, 7, 1, res))).toBe(sized(expected));
  });
  it('v3 response has no logStartOffset', () => {
    const expected = h(`00000001
      00000001 0001 ${str('t')} 00000001 00000000 0000 0000000000000064 ffffffffffffffff
      00000005`);
    expect(frameHex(encodeResponse(0, 3, 1, res))).toBe(sized(expected));
  });
  it('request: transactionalId, acks, timeout, topics, records as NULLABLE_BYTES', () => {
    const frame = Buffer.from(
      h(
        `0000 0003 00000001 ffff  ffff 0001 00007530  00000001 0001 ${str('t')} 00000001 00000000 00000003 010203`,
      ),
      'hex',
    );
    const hdr = decodeRequestHeader(frame);
    const req = decodeRequest(0, 3, frame, hdr.bodyOffset);
    expect(req.transactionalId).toBeNull();
    expect(req.acks).toBe(1);
    expect(req.timeoutMs).toBe(30000);
    expect([...req.topicData[0].partitionData[0].records]).toEqual([1, 2, 3]);
  });
});

describe('CreateTopics v0', () => {
  it('request layout (no validateOnly before v1)', () => {
    const topics = [
      {
        name: 't',
        numPartitions: 3,
        replicationFactor: 1,
        assignments: [],
        configs: [{ name: 'retention.ms', value: null }],
      },
    ];
    const v0 = encodeRequest(ApiKey.CreateTopics, 0, 1, null, { topics, timeoutMs: 1000 });
    const body0 = h(
      `00000001 0001 ${str('t')} 00000003 0001 00000000 00000001 000c ${str('retention.ms')} ffff 000003e8`,
    );
    expect(v0.subarray(14).toString('hex')).toBe(body0);
    const v1 = encodeRequest(ApiKey.CreateTopics, 1, 1, null, {
      topics,
      timeoutMs: 1000,
      validateOnly: true,
    });
    expect(v1.subarray(14).toString('hex')).toBe(body0 + '01');
  });
  it('response v0 has no error message', () => {
    const chunks = encodeResponse(19, 0, 1, {
      topics: [{ name: 't', errorCode: 36, errorMessage: 'exists' }],
    });
    expect(frameHex(chunks)).toBe(sized(h(`00000001 00000001 0001 ${str('t')} 0024`)));
  });
});

describe('registry', () => {
  it('reports supported ranges', () => {
    expect(supportedVersions(ApiKey.Fetch)).toEqual({ min: 4, max: 11 });
    expect(supportedVersions(ApiKey.OffsetFetch)).toEqual({ min: 1, max: 7 });
    expect(supportedVersions(99)).toBeUndefined();
    expect(isSupported(ApiKey.Produce, 2)).toBe(false);
    expect(isSupported(ApiKey.Produce, 3)).toBe(true);
    expect(() => precompileAll()).not.toThrow();
  });
  it('names', () => {
    expect(apiName(1)).toBe('Fetch');
    expect(apiName(999)).toBe('ApiKey(999)');
    expect(errorName(3)).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    expect(errorName(-1)).toBe('UNKNOWN_SERVER_ERROR');
    expect(errorName(12345)).toBe('ERROR_12345');
  });
  it('unsupported versions are refused when encoding or decoding', () => {
    expect(() => encodeResponse(ApiKey.Fetch, 12, 1, {})).toThrow(ProtocolError);
    expect(() => encodeRequest(ApiKey.Produce, 2, 1, null, {})).toThrow(ProtocolError);
    expect(() => decodeRequest(77, 0, Buffer.alloc(10), 0)).toThrow(ProtocolError);
  });
});
