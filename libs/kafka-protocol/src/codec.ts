/**
 * The one generic encoder/decoder. A (message schema, version) pair is compiled once into a plan of
 * closures — version ranges, nullability, compact-vs-classic encodings and defaults are all resolved
 * at compile time — and cached, so the hot path only runs the closures.
 */
import { ProtocolError } from './errors.js';
import { Reader, Writer } from './primitives.js';
import {
  defaultFactory,
  inVersions,
  parseVersions,
  type FieldDef,
  type FieldType,
  type MessageSchema,
  type PrimitiveType,
} from './schema.js';

/** Reads one value / writes one value (value already defaulted). */
interface ValueCodec {
  read(r: Reader): unknown;
  write(w: Writer, v: unknown): void;
}

export interface CompiledMessage {
  readonly schema: MessageSchema;
  readonly version: number;
  readonly flexible: boolean;
  read(r: Reader): Record<string, unknown>;
  write(w: Writer, body: object): void;
}

type Obj = Record<string, unknown>;

function fail(path: string, version: number, msg: string): never {
  throw new ProtocolError(`${path} (v${version}): ${msg}`);
}

function primitiveCodec(
  t: PrimitiveType,
  nullable: boolean,
  flexible: boolean,
  path: string,
  version: number,
): ValueCodec {
  const notNull = (v: unknown): void => {
    if (v === null) fail(path, version, 'null is not allowed in this version');
  };
  switch (t) {
    case 'int8':
      return { read: (r) => r.int8(), write: (w, v) => w.int8(v as number) };
    case 'int16':
      return { read: (r) => r.int16(), write: (w, v) => w.int16(v as number) };
    case 'int32':
      return { read: (r) => r.int32(), write: (w, v) => w.int32(v as number) };
    case 'int64':
      return { read: (r) => r.int64n(), write: (w, v) => w.int64(v as number | bigint) };
    case 'uint16':
      return { read: (r) => r.uint16(), write: (w, v) => w.uint16(v as number) };
    case 'uint32':
      return { read: (r) => r.uint32(), write: (w, v) => w.uint32(v as number) };
    case 'float64':
      return { read: (r) => r.float64(), write: (w, v) => w.float64(v as number) };
    case 'bool':
      return { read: (r) => r.bool(), write: (w, v) => w.bool(v as boolean) };
    case 'uuid':
      return { read: (r) => r.uuid(), write: (w, v) => w.uuid(v as string) };
    case 'string':
      if (flexible) {
        return nullable
          ? { read: (r) => r.compactNullableString(), write: (w, v) => w.compactString(v as string | null) }
          : {
              read: (r) => r.compactString(),
              write: (w, v) => {
                notNull(v);
                w.compactString(v as string);
              },
            };
      }
      return nullable
        ? { read: (r) => r.nullableString(), write: (w, v) => w.nullableString(v as string | null) }
        : {
            read: (r) => r.string(),
            write: (w, v) => {
              notNull(v);
              w.string(v as string);
            },
          };
    case 'bytes':
      if (flexible) {
        return nullable
          ? { read: (r) => r.compactNullableBytes(), write: (w, v) => w.compactBytes(v as Uint8Array | null) }
          : {
              read: (r) => r.compactBytes(),
              write: (w, v) => {
                notNull(v);
                w.compactBytes(v as Uint8Array);
              },
            };
      }
      return nullable
        ? { read: (r) => r.nullableBytes(), write: (w, v) => w.bytes(v as Uint8Array | null) }
        : {
            read: (r) => r.bytes(),
            write: (w, v) => {
              notNull(v);
              w.bytes(v as Uint8Array);
            },
          };
    case 'records':
      // Always NULLABLE_BYTES (compact in flexible versions); a Buffer[] is written chunk by chunk.
      return {
        read: flexible ? (r) => r.compactNullableBytes() : (r) => r.nullableBytes(),
        write: (w, v) => writeRecords(w, v as Buffer | Buffer[] | null, flexible),
      };
  }
}

function writeRecords(w: Writer, v: Buffer | Buffer[] | null, flexible: boolean): void {
  if (v === null) {
    if (flexible) w.uvarint(0);
    else w.int32(-1);
    return;
  }
  if (Array.isArray(v)) {
    let n = 0;
    for (const c of v) n += c.length;
    if (flexible) w.uvarint(n + 1);
    else w.int32(n);
    for (const c of v) w.chunk(c);
    return;
  }
  if (flexible) w.uvarint(v.length + 1);
  else w.int32(v.length);
  w.chunk(v);
}

function typeCodec(
  t: FieldType,
  nullable: boolean,
  flexible: boolean,
  path: string,
  version: number,
): ValueCodec {
  if (typeof t === 'string') return primitiveCodec(t, nullable, flexible, path, version);
  if (t.kind === 'struct') {
    const s = compileStruct(t.fields, version, flexible, path);
    // A nullable struct (e.g. DescribeTopicPartitions' cursor) is preceded by an int8 marker, as
    // Kafka's generated code writes it: -1 for null, 1 for a struct that follows.
    if (nullable)
      return {
        read: (r) => (r.int8() < 0 ? null : s.read(r)),
        write: (w, v) => {
          if (v === null || v === undefined) w.int8(-1);
          else {
            w.int8(1);
            s.write(w, v as Obj);
          }
        },
      };
    return {
      read: (r) => s.read(r),
      write: (w, v) => {
        if (v === null) fail(path, version, 'null is not allowed');
        s.write(w, v as Obj);
      },
    };
  }
  // array
  const elemPath = `${path}[]`;
  const elem: ValueCodec =
    typeof t.of === 'string'
      ? primitiveCodec(t.of, false, flexible, elemPath, version)
      : (() => {
          const s = compileStruct(t.of, version, flexible, elemPath);
          return {
            read: (r: Reader) => s.read(r),
            write: (w: Writer, v: unknown) => {
              if (v === null || typeof v !== 'object')
                fail(elemPath, version, 'array element must be an object');
              s.write(w, v as Obj);
            },
          };
        })();
  const readElems = (r: Reader, n: number): unknown[] => {
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) out[i] = elem.read(r);
    return out;
  };
  return {
    read: flexible
      ? (r) => {
          const n = r.compactArrayLength();
          if (n < 0) {
            if (!nullable) fail(path, version, 'non-nullable array is null');
            return null;
          }
          return readElems(r, n);
        }
      : (r) => {
          const n = r.arrayLength();
          if (n < 0) {
            if (!nullable) fail(path, version, 'non-nullable array is null');
            return null;
          }
          return readElems(r, n);
        },
    write: (w, v) => {
      if (v === null) {
        if (!nullable) fail(path, version, 'null is not allowed in this version');
        if (flexible) w.uvarint(0);
        else w.int32(-1);
        return;
      }
      if (!Array.isArray(v)) fail(path, version, 'expected an array');
      if (flexible) w.uvarint(v.length + 1);
      else w.int32(v.length);
      for (let i = 0; i < v.length; i++) elem.write(w, v[i]);
    },
  };
}

interface StructPlan {
  read(r: Reader): Obj;
  write(w: Writer, o: Obj): void;
}

interface TaggedPlan {
  tag: number;
  name: string;
  codec: ValueCodec;
  make: () => unknown;
  isDefault: (v: unknown) => boolean;
}

function isDefaultValue(f: FieldDef, make: () => unknown): (v: unknown) => boolean {
  const d = make();
  if (Array.isArray(d))
    return (v) => v === undefined || (Array.isArray(v) && v.length === 0 && d.length === 0);
  if (d !== null && typeof d === 'object' && !Buffer.isBuffer(d)) return (v) => v === undefined;
  if (Buffer.isBuffer(d)) return (v) => v === undefined || (Buffer.isBuffer(v) && v.equals(d));
  if (f.type === 'int64')
    return (v) => v === undefined || v === d || (typeof v === 'bigint' && Number(v) === d);
  return (v) => v === undefined || v === d;
}

function compileStruct(
  fields: readonly FieldDef[],
  version: number,
  flexible: boolean,
  path: string,
): StructPlan {
  type ReadOp = (r: Reader, o: Obj) => void;
  type WriteOp = (w: Writer, o: Obj) => void;
  const readOps: ReadOp[] = [];
  const writeOps: WriteOp[] = [];
  const tagged: TaggedPlan[] = [];

  for (const f of fields) {
    const name = f.name;
    const fpath = path ? `${path}.${name}` : name;
    const make = defaultFactory(f);
    const present = inVersions(version, f.versions);
    const isTagged =
      present && flexible && f.tag !== undefined && inVersions(version, f.taggedVersions ?? f.versions);
    if (!present) {
      readOps.push((_r, o) => {
        o[name] = make();
      });
      continue;
    }
    const nullable = inVersions(version, f.nullable);
    const codec = typeCodec(f.type, nullable, flexible, fpath, version);
    if (isTagged) {
      tagged.push({ tag: f.tag!, name, codec, make, isDefault: isDefaultValue(f, make) });
      readOps.push((_r, o) => {
        o[name] = make();
      });
      continue;
    }
    readOps.push((r, o) => {
      o[name] = codec.read(r);
    });
    writeOps.push((w, o) => {
      const v = o[name];
      codec.write(w, v === undefined ? make() : v);
    });
  }
  tagged.sort((a, b) => a.tag - b.tag);
  const byTag = new Map(tagged.map((t) => [t.tag, t]));

  if (flexible) {
    readOps.push((r, o) => {
      r.taggedFields((tag, sub) => {
        const t = byTag.get(tag);
        if (!t) return false; // unknown tag: skipped
        o[t.name] = t.codec.read(sub);
        return true;
      });
    });
    writeOps.push((w, o) => {
      if (tagged.length === 0) {
        w.uvarint(0);
        return;
      }
      const parts: Array<[number, Buffer]> = [];
      for (const t of tagged) {
        const v = o[t.name];
        if (t.isDefault(v)) continue;
        const tw = new Writer(64);
        t.codec.write(tw, v);
        parts.push([t.tag, tw.toBuffer()]);
      }
      w.uvarint(parts.length);
      for (const [tag, b] of parts) {
        w.uvarint(tag);
        w.uvarint(b.length);
        w.raw(b);
      }
    });
  }

  const nRead = readOps.length;
  const nWrite = writeOps.length;
  return {
    read(r) {
      const o: Obj = {};
      for (let i = 0; i < nRead; i++) readOps[i]!(r, o);
      return o;
    },
    write(w, o) {
      for (let i = 0; i < nWrite; i++) writeOps[i]!(w, o);
    },
  };
}

const compiledCache = new WeakMap<MessageSchema, Map<number, CompiledMessage>>();

/** Compiles (once, then cached) the plan for one message schema at one version. */
export function compile(schema: MessageSchema, version: number): CompiledMessage {
  let byVersion = compiledCache.get(schema);
  if (!byVersion) {
    byVersion = new Map();
    compiledCache.set(schema, byVersion);
  }
  let c = byVersion.get(version);
  if (c) return c;
  if (!inVersions(version, schema.validVersions)) {
    throw new ProtocolError(
      `${schema.name} v${version} is not supported (supported: ${schema.validVersions})`,
    );
  }
  const flexible = inVersions(version, schema.flexibleVersions);
  const plan = compileStruct(schema.fields, version, flexible, '');
  const label = `${schema.name} v${version}`;
  const relabel = (e: unknown): unknown =>
    e instanceof ProtocolError ? new ProtocolError(`${label}: ${e.message}`) : e;
  c = {
    schema,
    version,
    flexible,
    read(r) {
      try {
        return plan.read(r);
      } catch (e) {
        throw relabel(e);
      }
    },
    write(w, body) {
      if (body === null || typeof body !== 'object')
        throw new ProtocolError(`${label}: body must be an object`);
      try {
        plan.write(w, body as Obj);
      } catch (e) {
        throw relabel(e);
      }
    },
  };
  byVersion.set(version, c);
  return c;
}

/** Every version listed in a schema's validVersions (which must be a closed range). */
export function versionsOf(schema: { validVersions: string }): number[] {
  const { min, max } = parseVersions(schema.validVersions);
  if (!Number.isFinite(max)) throw new Error(`open validVersions '${schema.validVersions}'`);
  const out: number[] = [];
  for (let v = min; v <= max; v++) out.push(v);
  return out;
}

/** Encodes a message body (no header, no size prefix) into a Writer. */
export function encodeMessage(
  schema: MessageSchema,
  version: number,
  body: object,
  w: Writer = new Writer(),
): Writer {
  compile(schema, version).write(w, body);
  return w;
}

/** Decodes a message body from a Reader (which is left positioned after the body). */
export function decodeMessage<T = Record<string, unknown>>(
  schema: MessageSchema,
  version: number,
  r: Reader,
): T {
  return compile(schema, version).read(r) as T;
}
