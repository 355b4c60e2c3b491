/**
 * Request/response framing: headers, size prefix, and the entry points the broker (and our CLI as
 * a client) use.
 *
 * Request header v1: apiKey i16, apiVersion i16, correlationId i32, clientId NULLABLE_STRING.
 * Request header v2 (flexible APIs): v1 + TAG_BUFFER — clientId keeps its i16 length.
 * Response header v0: correlationId i32. v1 (flexible): + TAG_BUFFER. ApiVersions responses always
 * use header v0, so a client can read the error even if it spoke a version we don't know.
 */
import { ApiKey } from './api.js';
import { compile } from './codec.js';
import { ProtocolError } from './errors.js';
import { ALL_APIS } from './messages/index.js';
import { Reader, Writer } from './primitives.js';
import { inVersions, parseVersions, type ApiSchema } from './schema.js';

const apis = new Map<number, ApiSchema>(ALL_APIS.map((a) => [a.apiKey, a]));

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  /** Where the body starts in the frame; -1 when the API is unknown to this codec. */
  bodyOffset: number;
}

/** The schema for an API key, if the codec has one. */
export function apiSchema(apiKey: number): ApiSchema | undefined {
  return apis.get(apiKey);
}

/** Every API the codec implements. */
export function supportedApis(): Array<{ apiKey: number; minVersion: number; maxVersion: number }> {
  return ALL_APIS.map((a) => {
    const r = parseVersions(a.validVersions);
    return { apiKey: a.apiKey, minVersion: r.min, maxVersion: r.max };
  });
}

export function isSupported(apiKey: number, version: number): boolean {
  const a = apis.get(apiKey);
  return a !== undefined && inVersions(version, a.validVersions);
}

export function supportedVersions(apiKey: number): { min: number; max: number } | undefined {
  const a = apis.get(apiKey);
  if (!a) return undefined;
  const r = parseVersions(a.validVersions);
  return { min: r.min, max: r.max };
}

function requestHeaderFlexible(apiKey: number, version: number): boolean | undefined {
  const a = apis.get(apiKey);
  return a ? inVersions(version, a.flexibleVersions) : undefined;
}

function responseHeaderFlexible(apiKey: number, version: number): boolean {
  if (apiKey === ApiKey.ApiVersions) return false;
  return requestHeaderFlexible(apiKey, version) ?? false;
}

/**
 * Decodes a request header. `frame` is one request without its 4-byte size prefix. For a known API
 * the header version (v1 or v2) follows the API's flexibleVersions — also for versions we do not
 * implement, so e.g. ApiVersions v4 still yields a usable bodyOffset. For an unknown API,
 * bodyOffset is -1. Throws ProtocolError if the fixed part or the clientId is truncated.
 */
export function decodeRequestHeader(frame: Buffer): RequestHeader {
  const r = new Reader(frame);
  const apiKey = r.int16();
  const apiVersion = r.int16();
  const correlationId = r.int32();
  let clientId: string | null = null;
  let bodyOffset = -1;
  try {
    clientId = r.nullableString();
    const flexible = requestHeaderFlexible(apiKey, apiVersion);
    if (flexible !== undefined) {
      if (flexible) r.taggedFields();
      bodyOffset = r.offset;
    }
  } catch (e) {
    // The fixed part decoded: for an API we don't know, return what we have so the broker can reply.
    if (apis.has(apiKey)) throw e;
  }
  return { apiKey, apiVersion, correlationId, clientId, bodyOffset };
}

function schemaFor(apiKey: number, version: number): ApiSchema {
  const a = apis.get(apiKey);
  if (!a) throw new ProtocolError(`unsupported API key ${apiKey}`);
  if (!inVersions(version, a.validVersions)) {
    throw new ProtocolError(`${a.name} v${version} is not supported (supported: ${a.validVersions})`);
  }
  return a;
}

/** Decodes a request body. Throws ProtocolError on malformed or truncated bodies. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function decodeRequest<T = any>(
  apiKey: number,
  version: number,
  frame: Buffer,
  bodyOffset: number,
): T {
  const a = schemaFor(apiKey, version);
  if (bodyOffset < 0 || bodyOffset > frame.length)
    throw new ProtocolError(`invalid body offset ${bodyOffset}`);
  return compile(a.request, version).read(new Reader(frame, bodyOffset)) as T;
}

/**
 * Encodes a complete response frame (4-byte size prefix, header, body) as chunks ready for
 * `socket.write`/`writev`. Large buffers in the body (records) are passed through, not copied.
 */
export function encodeResponse(
  apiKey: number,
  version: number,
  correlationId: number,
  body: object,
): Buffer[] {
  const a = schemaFor(apiKey, version);
  const c = compile(a.response, version);
  const w = new Writer();
  const size = w.reserveInt32();
  w.int32(correlationId);
  if (responseHeaderFlexible(apiKey, version)) w.emptyTags();
  c.write(w, body);
  w.patchInt32(size, w.size - 4);
  return w.chunks();
}

/** Encodes a complete request frame (size prefix, header v1/v2, body) — client side. */
export function encodeRequest(
  apiKey: number,
  version: number,
  correlationId: number,
  clientId: string | null,
  body: object,
): Buffer {
  const a = schemaFor(apiKey, version);
  const c = compile(a.request, version);
  const w = new Writer();
  const size = w.reserveInt32();
  w.int16(apiKey);
  w.int16(version);
  w.int32(correlationId);
  w.nullableString(clientId);
  if (c.flexible) w.emptyTags();
  c.write(w, body);
  w.patchInt32(size, w.size - 4);
  return w.toBuffer();
}

/** Decodes a response frame (without its size prefix) — client side. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function decodeResponse<T = any>(
  apiKey: number,
  version: number,
  frame: Buffer,
): { correlationId: number; body: T } {
  const a = schemaFor(apiKey, version);
  const r = new Reader(frame);
  const correlationId = r.int32();
  if (responseHeaderFlexible(apiKey, version)) r.taggedFields();
  const body = compile(a.response, version).read(r) as T;
  return { correlationId, body };
}

/** Compiles every (API, version) plan up front, e.g. at broker start-up. */
export function precompileAll(): void {
  for (const a of ALL_APIS) {
    const { min, max } = parseVersions(a.validVersions);
    for (let v = min; v <= max; v++) {
      compile(a.request, v);
      compile(a.response, v);
    }
  }
}
