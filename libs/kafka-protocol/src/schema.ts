/**
 * A small DSL for declaring Kafka messages, field by field, the way Kafka's `messages/*.json` do:
 * each field has a name (camelCased from the spec), a type, the versions it exists in, the versions
 * in which it is nullable, optionally a tag (tagged field) and a default. One generic codec
 * (`codec.ts`) walks these declarations for any version.
 *
 * The declarations are `const`-typed, so `StructValue<typeof fields>` derives the TS type of a
 * decoded message and `StructInput<…>` the (all-optional) type accepted by the encoder.
 */

export type PrimitiveType =
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint16'
  | 'uint32'
  | 'float64'
  | 'bool'
  | 'string'
  | 'bytes'
  | 'records'
  | 'uuid';

export interface ArrayType<
  E extends PrimitiveType | readonly FieldDef[] = PrimitiveType | readonly FieldDef[],
> {
  readonly kind: 'array';
  readonly of: E;
}

export interface StructType<F extends readonly FieldDef[] = readonly FieldDef[]> {
  readonly kind: 'struct';
  readonly fields: F;
}

export type FieldType = PrimitiveType | ArrayType | StructType;

export interface FieldOptions {
  /** Versions in which the field may be null, e.g. '1+'. */
  readonly nullable?: string;
  /** Tag number, for tagged fields (flexible versions only). */
  readonly tag?: number;
  /** Versions in which the field is tagged (defaults to `versions` when `tag` is set). */
  readonly taggedVersions?: string;
  /**
   * Value used when encoding an object that lacks the field, and filled in on decode for versions
   * without the field. Without one: 0, false, '', empty bytes, [], null for `records`.
   */
  readonly default?: unknown;
}

export interface FieldDef<N extends string = string, T extends FieldType = FieldType> extends FieldOptions {
  readonly name: N;
  readonly type: T;
  /** Versions the field exists in: '0+', '2-4', '3', 'none'. */
  readonly versions: string;
}

/** Declares one field. */
export function field<const N extends string, const T extends FieldType>(
  name: N,
  type: T,
  versions: string,
): FieldDef<N, T>;
export function field<const N extends string, const T extends FieldType, const O extends FieldOptions>(
  name: N,
  type: T,
  versions: string,
  opts: O,
): FieldDef<N, T> & NoInfer<O>;
export function field(name: string, type: FieldType, versions: string, opts?: FieldOptions): FieldDef {
  return { name, type, versions, ...(opts ?? {}) };
}

/** An array of a primitive (`array('int32')`) or of a struct (`array([field(...), ...])`). */
export function array<const E extends PrimitiveType | readonly FieldDef[]>(of: E): ArrayType<E> {
  return { kind: 'array', of };
}

/** A nested (non-array) struct, as used by some tagged fields. */
export function struct<const F extends readonly FieldDef[]>(fields: F): StructType<F> {
  return { kind: 'struct', fields };
}

/** One direction (request or response) of an API. */
export interface MessageSchema<F extends readonly FieldDef[] = readonly FieldDef[]> {
  readonly name: string;
  readonly apiKey: number;
  readonly kind: 'request' | 'response';
  /** The versions this codec implements, e.g. '4-11'. */
  readonly validVersions: string;
  /** Versions using compact encodings and tag buffers, e.g. '12+' or 'none'. */
  readonly flexibleVersions: string;
  readonly fields: F;
}

export interface ApiSchema<
  Req extends readonly FieldDef[] = readonly FieldDef[],
  Res extends readonly FieldDef[] = readonly FieldDef[],
> {
  readonly name: string;
  readonly apiKey: number;
  readonly validVersions: string;
  readonly flexibleVersions: string;
  readonly request: MessageSchema<Req>;
  readonly response: MessageSchema<Res>;
}

/** Declares an API: its key, the versions we implement, flexible versions, request and response fields. */
export function defineApi<const Req extends readonly FieldDef[], const Res extends readonly FieldDef[]>(def: {
  name: string;
  apiKey: number;
  validVersions: string;
  flexibleVersions: string;
  request: Req;
  response: Res;
}): ApiSchema<Req, Res> {
  const common = {
    name: def.name,
    apiKey: def.apiKey,
    validVersions: def.validVersions,
    flexibleVersions: def.flexibleVersions,
  };
  return {
    ...common,
    request: { ...common, name: `${def.name}Request`, kind: 'request', fields: def.request },
    response: { ...common, name: `${def.name}Response`, kind: 'response', fields: def.response },
  };
}

// ---- version ranges ----

export interface VersionRange {
  readonly min: number;
  /** Inclusive; Infinity for open ranges ('3+'). */
  readonly max: number;
}

const rangeCache = new Map<string, VersionRange>();

/** Parses '0+', '2-4', '3' or 'none'. */
export function parseVersions(s: string): VersionRange {
  let r = rangeCache.get(s);
  if (r) return r;
  const t = s.trim();
  let m: RegExpMatchArray | null;
  if (t === 'none' || t === '') r = { min: 1, max: 0 };
  else if ((m = /^(\d+)\+$/.exec(t))) r = { min: Number(m[1]), max: Infinity };
  else if ((m = /^(\d+)-(\d+)$/.exec(t))) r = { min: Number(m[1]), max: Number(m[2]) };
  else if ((m = /^(\d+)$/.exec(t))) r = { min: Number(m[1]), max: Number(m[1]) };
  else throw new Error(`invalid version range '${s}'`);
  rangeCache.set(s, r);
  return r;
}

export function inVersions(version: number, s: string | undefined): boolean {
  if (s === undefined) return false;
  const r = parseVersions(s);
  return version >= r.min && version <= r.max;
}

// ---- derived TS types ----

type PrimValue<T> = T extends 'bool'
  ? boolean
  : T extends 'string' | 'uuid'
    ? string
    : T extends 'bytes'
      ? Buffer
      : T extends 'records'
        ? Buffer | null
        : number;

type PrimInput<T> = T extends 'bool'
  ? boolean
  : T extends 'string' | 'uuid'
    ? string
    : T extends 'bytes'
      ? Uint8Array
      : T extends 'records'
        ? Buffer | Buffer[] | null
        : T extends 'int64'
          ? number | bigint
          : number;

type NullIf<F> = F extends { readonly nullable: string } ? null : never;

type TypeValue<T> = T extends PrimitiveType
  ? PrimValue<T>
  : T extends ArrayType<infer E>
    ? E extends PrimitiveType
      ? PrimValue<E>[]
      : E extends readonly FieldDef[]
        ? StructValue<E>[]
        : never
    : T extends StructType<infer F>
      ? StructValue<F>
      : never;

type TypeInput<T> = T extends PrimitiveType
  ? PrimInput<T>
  : T extends ArrayType<infer E>
    ? E extends PrimitiveType
      ? readonly PrimInput<E>[]
      : E extends readonly FieldDef[]
        ? readonly StructInput<E>[]
        : never
    : T extends StructType<infer F>
      ? StructInput<F>
      : never;

/** The decoded object for a list of fields: every field present (defaults for absent versions). */
export type StructValue<Fs extends readonly FieldDef[]> = {
  [F in Fs[number] as F['name']]: TypeValue<F['type']> | NullIf<F>;
};

/** What the encoder accepts: every field optional (missing → default), records as chunk lists. */
export type StructInput<Fs extends readonly FieldDef[]> = {
  [F in Fs[number] as F['name']]?: TypeInput<F['type']> | NullIf<F>;
};

type WithFields = { readonly fields: readonly FieldDef[] };
export type RequestOf<A extends { readonly request: WithFields }> = StructValue<A['request']['fields']>;
export type ResponseOf<A extends { readonly response: WithFields }> = StructValue<A['response']['fields']>;
export type RequestInputOf<A extends { readonly request: WithFields }> = StructInput<A['request']['fields']>;
export type ResponseInputOf<A extends { readonly response: WithFields }> = StructInput<
  A['response']['fields']
>;

// ---- defaults ----

export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';
const EMPTY = Buffer.alloc(0);

/** A factory for a field's default value (fresh arrays/objects every call). */
export function defaultFactory(f: FieldDef): () => unknown {
  if (f.default !== undefined) {
    const d = f.default;
    if (Array.isArray(d)) return () => d.slice();
    return () => d;
  }
  const t = f.type;
  if (typeof t === 'string') {
    switch (t) {
      case 'bool':
        return () => false;
      case 'string':
        return () => '';
      case 'bytes':
        return () => EMPTY;
      case 'records':
        return () => null;
      case 'uuid':
        return () => ZERO_UUID;
      default:
        return () => 0;
    }
  }
  if (t.kind === 'array') return () => [];
  const subs = t.fields.map((sf) => [sf.name, defaultFactory(sf)] as const);
  return () => {
    const o: Record<string, unknown> = {};
    for (const [n, make] of subs) o[n] = make();
    return o;
  };
}
