import { describe, expect, it } from 'vitest';
import { compile, decodeMessage, encodeMessage, versionsOf } from './codec.js';
import { ProtocolError } from './errors.js';
import {
  decodeRequest,
  decodeRequestHeader,
  decodeResponse,
  encodeRequest,
  encodeResponse,
} from './frame.js';
import { ALL_APIS } from './messages/index.js';
import { Reader, Writer } from './primitives.js';
import {
  array,
  defaultFactory,
  defineApi,
  field as f,
  inVersions,
  struct,
  type FieldDef,
  type FieldType,
  type MessageSchema,
} from './schema.js';

/**
 * Builds a representative value for a schema at a version: every field present in that version gets
 * a non-default value (or null, in the `nulls` variant, where nullable); absent fields get their
 * default, which is what the decoder fills in.
 */
function sample(
  fields: readonly FieldDef[],
  version: number,
  nulls: boolean,
  seed = 1,
): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  let k = seed;
  for (const fd of fields) {
    k++;
    if (!inVersions(version, fd.versions)) {
      o[fd.name] = defaultFactory(fd)();
      continue;
    }
    if (nulls && inVersions(version, fd.nullable)) {
      o[fd.name] = null;
      continue;
    }
    o[fd.name] = sampleType(fd.type, fd, version, nulls, k);
  }
  return o;
}

function sampleType(t: FieldType, fd: FieldDef, version: number, nulls: boolean, k: number): unknown {
  if (typeof t === 'string') {
    switch (t) {
      case 'int8':
        return (k % 100) + 1;
      case 'int16':
        return 300 + k;
      case 'int32':
        return 70000 + k;
      case 'int64':
        return 2 ** 40 + k;
      case 'uint16':
        return 60000 + k;
      case 'uint32':
        return 3_000_000_000 + k;
      case 'float64':
        return k + 0.5;
      case 'bool':
        return fd.default === true ? false : true;
      case 'string':
        return `${fd.name}-é-${k}`;
      case 'bytes':
        return Buffer.from([k & 0xff, 1, 2, 3]);
      case 'records':
        return Buffer.alloc(600 + k, k & 0xff);
      case 'uuid':
        return Buffer.alloc(16, k).toString('base64url');
    }
  }
  if (t.kind === 'struct') return sample(t.fields, version, nulls, k);
  const of = t.of;
  if (typeof of === 'string')
    return [sampleType(of, fd, version, nulls, k), sampleType(of, fd, version, nulls, k + 1)];
  return [sample(of, version, nulls, k), sample(of, version, false, k + 7)];
}

function roundTrip(schema: MessageSchema, version: number, value: object): Record<string, unknown> {
  const w = encodeMessage(schema, version, value);
  const buf = w.toBuffer();
  expect(buf.length).toBe(w.size);
  const r = new Reader(buf);
  const decoded = decodeMessage<Record<string, unknown>>(schema, version, r);
  expect(r.remaining).toBe(0);
  return decoded;
}

describe('every message schema round-trips at every supported version', () => {
  for (const api of ALL_APIS) {
    for (const version of versionsOf(api)) {
      for (const schema of [api.request, api.response]) {
        it(`${schema.name} v${version}`, () => {
          for (const nulls of [false, true]) {
            const value = sample(schema.fields, version, nulls);
            expect(roundTrip(schema, version, value)).toEqual(value);
          }
          // an empty object encodes with defaults everywhere
          const empty = roundTrip(schema, version, {});
          for (const fd of schema.fields) {
            if (!inVersions(version, fd.versions)) continue;
            if (fd.type === 'records') expect(empty[fd.name]).toBeNull();
            else expect(empty[fd.name]).toEqual(defaultFactory(fd)());
          }
        });
      }
    }
  }
});

describe('framing round-trips for every API and version', () => {
  for (const api of ALL_APIS) {
    for (const version of versionsOf(api)) {
      it(`${api.name} v${version}`, () => {
        const req = sample(api.request.fields, version, false);
        const frame = encodeRequest(api.apiKey, version, 42, 'client-1', req);
        expect(frame.readInt32BE(0)).toBe(frame.length - 4);
        const body = frame.subarray(4);
        const h = decodeRequestHeader(body);
        expect(h).toMatchObject({
          apiKey: api.apiKey,
          apiVersion: version,
          correlationId: 42,
          clientId: 'client-1',
        });
        expect(decodeRequest(api.apiKey, version, body, h.bodyOffset)).toEqual(req);

        const res = sample(api.response.fields, version, false);
        const chunks = encodeResponse(api.apiKey, version, 42, res);
        const out = Buffer.concat(chunks);
        expect(out.readInt32BE(0)).toBe(out.length - 4);
        const decoded = decodeResponse(api.apiKey, version, out.subarray(4));
        expect(decoded.correlationId).toBe(42);
        expect(decoded.body).toEqual(res);
      });
    }
  }
});

describe('truncated bodies', () => {
  it('every request, cut anywhere, throws ProtocolError (never reads out of bounds)', () => {
    for (const api of ALL_APIS) {
      for (const version of versionsOf(api)) {
        const buf = encodeMessage(
          api.request,
          version,
          sample(api.request.fields, version, false),
        ).toBuffer();
        for (const cut of [0, 1, Math.floor(buf.length / 2), buf.length - 1]) {
          if (cut < 0 || cut >= buf.length) continue;
          expect(
            () => decodeMessage(api.request, version, new Reader(buf.subarray(0, cut))),
            `${api.name} v${version} @${cut}`,
          ).toThrow(ProtocolError);
        }
      }
    }
  });
});

describe('encoding errors', () => {
  it('null in a non-nullable field names the field and version', () => {
    const api = ALL_APIS.find((a) => a.name === 'Metadata')!;
    expect(() => encodeMessage(api.request, 0, { topics: null })).toThrow(
      /MetadataRequest v0: topics \(v0\): null/,
    );
    expect(() => encodeMessage(api.response, 1, { brokers: [{ host: null }] })).toThrow(/brokers\[\]\.host/);
  });
  it('unsupported versions are refused', () => {
    const api = ALL_APIS.find((a) => a.name === 'Fetch')!;
    expect(() => compile(api.request, 3)).toThrow(ProtocolError);
    expect(() => compile(api.request, 12)).toThrow(ProtocolError);
  });
});

describe('records fields', () => {
  it('encode from a list of chunks without concatenating, decode zero-copy', () => {
    const api = ALL_APIS.find((a) => a.name === 'Fetch')!;
    const a = Buffer.alloc(1000, 1);
    const b = Buffer.alloc(2000, 2);
    const body = { responses: [{ topic: 't', partitions: [{ partitionIndex: 0, records: [a, b] }] }] };
    const chunks = encodeResponse(api.apiKey, 11, 1, body);
    expect(chunks).toContain(a);
    expect(chunks).toContain(b);
    const frame = Buffer.concat(chunks).subarray(4);
    const res = decodeResponse(api.apiKey, 11, frame).body;
    const recs: Buffer = res.responses[0].partitions[0].records;
    expect(recs.equals(Buffer.concat([a, b]))).toBe(true);
    expect(recs.buffer).toBe(frame.buffer);
  });
});

// The APIs in scope are all non-flexible except ApiVersions v3; exercise the flexible machinery on
// a made-up API with tagged fields, nested structs and compact nullable types.
const Flex = defineApi({
  name: 'FlexTest',
  apiKey: 1000,
  validVersions: '0-2',
  flexibleVersions: '1+',
  request: [
    f('name', 'string', '0+'),
    f('maybe', 'string', '0+', { nullable: '0+' }),
    f('blob', 'bytes', '0+', { nullable: '1+' }),
    f('recs', 'records', '0+', { nullable: '0+' }),
    f('ids', array('int32'), '0+', { nullable: '1+' }),
    f('items', array([f('id', 'uuid', '0+'), f('note', 'string', '1+', { tag: 0 })]), '0+'),
    f(
      'leader',
      struct([f('leaderId', 'int32', '1+', { default: -1 }), f('epoch', 'int32', '1+', { default: -1 })]),
      '1+',
      {
        tag: 1,
      },
    ),
    f('cluster', 'string', '2+', { nullable: '2+', tag: 0, default: null }),
    f('after', 'int32', '0+'),
  ],
  response: [],
});

describe('flexible versions', () => {
  it('round-trip with tagged fields set and unset', () => {
    for (const version of [0, 1, 2]) {
      for (const nulls of [false, true]) {
        const v = sample(Flex.request.fields, version, nulls);
        expect(roundTrip(Flex.request, version, v)).toEqual(v);
      }
      const empty = roundTrip(Flex.request, version, {});
      expect(empty.cluster).toBeNull();
      if (version >= 1) expect(empty.leader).toEqual({ leaderId: -1, epoch: -1 });
    }
  });

  it('lays out compact encodings and tag buffers as the spec says (hand-written bytes)', () => {
    const buf = encodeMessage(Flex.request, 2, {
      name: 'ab',
      maybe: null,
      blob: Buffer.from([7]),
      recs: null,
      ids: [1],
      items: [{ id: Buffer.alloc(16, 0).toString('base64url'), note: 'x' }],
      leader: { leaderId: 3, epoch: -1 },
      cluster: 'c',
      after: 9,
    }).toBuffer();
    const expected =
      '036162' + // name: compact "ab"
      '00' + // maybe: null
      '0207' + // blob: compact bytes [7]
      '00' + // recs: null
      '0200000001' + // ids: compact array [1]
      '02' +
      '00'.repeat(16) +
      '01' +
      '00' +
      '02' +
      '0278' + // items: 1 elem, uuid, tags {0: compact "x"}
      '00000009' + // after
      '02' + // top-level tags: 2 fields, ascending
      '00' +
      '02' +
      '0263' + // tag 0 cluster = compact "c"
      '01' +
      '09' +
      '00000003' +
      'ffffffff' +
      '00'; // tag 1 leader = {3, -1} + its own empty tag buffer
    expect(buf.toString('hex')).toBe(expected);
  });

  it('skips unknown tags on decode', () => {
    // version 1: name "a", maybe null, blob null, recs null, ids null, items [], after 1, tags {7: ff}
    const buf = Buffer.from(
      '0261' + '00' + '00' + '00' + '00' + '01' + '00000001' + '01' + '07' + '01' + 'ff',
      'hex',
    );
    const r = new Reader(buf);
    const v = decodeMessage<Record<string, unknown>>(Flex.request, 1, r);
    expect(v).toMatchObject({ name: 'a', maybe: null, blob: null, ids: null, items: [], after: 1 });
    expect(r.remaining).toBe(0);
  });

  it('compiles each (message, version) once', () => {
    expect(compile(Flex.request, 1)).toBe(compile(Flex.request, 1));
    expect(new Writer().size).toBe(0);
  });
});

describe('nullable structs', () => {
  // DescribeTopicPartitions v0 request: topics ["t"], response_partition_limit 10, then the cursor.
  const { request } = ALL_APIS.find((a) => a.name === 'DescribeTopicPartitions')!;
  const prefix = '02' + '0274' + '00' + '0000000a';

  it('writes a null cursor as the int8 marker -1, and reads it back as null', () => {
    const bytes = encodeMessage(request, 0, {
      topics: [{ name: 't' }],
      responsePartitionLimit: 10,
    }).toBuffer();
    expect(bytes.toString('hex')).toBe(prefix + 'ff' + '00');
    expect(decodeMessage(request, 0, new Reader(bytes))).toMatchObject({ cursor: null });
  });

  it('writes a present cursor as the marker 1 followed by the struct', () => {
    const body = {
      topics: [{ name: 't' }],
      responsePartitionLimit: 10,
      cursor: { topicName: 't', partitionIndex: 3 },
    };
    const bytes = encodeMessage(request, 0, body).toBuffer();
    expect(bytes.toString('hex')).toBe(prefix + '01' + '0274' + '00000003' + '00' + '00');
    expect(decodeMessage(request, 0, new Reader(bytes))).toMatchObject(body);
  });
});
