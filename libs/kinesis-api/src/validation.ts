/**
 * Input rules as zod schemas, with Kinesis' limits and its way of saying a value breaks one:
 *   1 validation error detected: Value 'x!' at 'streamName' failed to satisfy constraint:
 *   Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+
 * (HTTP 400, ValidationException, as the service answers before an action runs.)
 */
import { z } from 'zod';
import { validation } from './errors.js';

const notNull = (what: string) => (issue: { input?: unknown }) =>
  issue.input === undefined || issue.input === null ? 'Member must not be null' : `Member must be ${what}`;

/** A string member with Kinesis' length bounds (and pattern, when it has one). */
export function str(min: number, max: number, pattern?: { re: RegExp; text: string }) {
  let s = z
    .string({ error: notNull('a string') })
    .min(min, `Member must have length greater than or equal to ${min}`)
    .max(max, `Member must have length less than or equal to ${max}`);
  if (pattern) s = s.regex(pattern.re, `Member must satisfy regular expression pattern: ${pattern.text}`);
  return s;
}

export function int(min: number, max: number) {
  return z
    .number({ error: notNull('a number') })
    .int('Member must be an integer')
    .min(min, `Member must have value greater than or equal to ${min}`)
    .max(max, `Member must have value less than or equal to ${max}`);
}

export const streamName = str(1, 128, { re: /^[a-zA-Z0-9_.-]+$/, text: '[a-zA-Z0-9_.-]+' });
export const streamArn = str(1, 2048, {
  re: /^arn:aws[\w-]*:kinesis:[\w-]+:\d{12}:stream\/[a-zA-Z0-9_.-]+$/,
  text: 'arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+',
});
export const shardId = str(1, 128, { re: /^[a-zA-Z0-9_.-]+$/, text: '[a-zA-Z0-9_.-]+' });
export const sequenceNumber = str(1, 128, { re: /^(0|[1-9]\d{0,128})$/, text: '0|([1-9]\\d{0,128})' });
export const consumerName = str(1, 128, { re: /^[a-zA-Z0-9_.-]+$/, text: '[a-zA-Z0-9_.-]+' });
export const consumerArn = str(1, 2048, {
  re: /^arn:aws[\w-]*:kinesis:[\w-]+:\d{12}:stream\/[a-zA-Z0-9_.-]+\/consumer\/[a-zA-Z0-9_.-]+:\d+$/,
  text: '^(arn):aws.*:kinesis:.*:\\d{12}:.*stream\\/[a-zA-Z0-9_.-]+\\/consumer\\/[a-zA-Z0-9_.-]+:[0-9]+',
});
export const nextToken = str(1, 1048576);

/**
 * A timestamp as the SDKs send it in JSON 1.1: epoch seconds (a number, maybe fractional); an ISO
 * string is accepted too. Parsed to epoch milliseconds.
 */
export const timestamp = z
  .union([z.number(), z.string()], { error: notNull('a timestamp') })
  .transform((v, ctx) => {
    const ms = typeof v === 'number' ? v * 1000 : /^\d+(\.\d+)?$/.test(v) ? Number(v) * 1000 : Date.parse(v);
    if (!Number.isFinite(ms)) {
      ctx.addIssue({ code: 'custom', message: 'Member must be a timestamp (epoch seconds)' });
      return z.NEVER;
    }
    return Math.floor(ms);
  });

/** Data blobs are Base64 in JSON; the SDKs encode them. Decoded to bytes here. */
export const blob = (max: number) =>
  z
    .string({ error: notNull('a Base64 blob') })
    .refine((s) => /^[A-Za-z0-9+/]*={0,2}$/.test(s) && s.length % 4 === 0, 'Member must be Base64 encoded')
    .transform((s) => Buffer.from(s, 'base64'))
    .refine((b) => b.length <= max, `Member must have length less than or equal to ${max}`);

/** The stream a request names, by StreamName or StreamARN (either; the newer SDK calls send the ARN). */
export const streamRef = {
  StreamName: streamName.optional(),
  StreamARN: streamArn.optional(),
};

function memberPath(path: PropertyKey[]): string {
  return path
    .map((p, i) =>
      typeof p === 'number' ? `${p + 1}` : i === 0 ? lowerFirst(String(p)) : lowerFirst(String(p)),
    )
    .join('.');
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

function shown(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (Buffer.isBuffer(value)) return 'java.nio.HeapByteBuffer';
  if (typeof value === 'object') return JSON.stringify(value).slice(0, 200);
  return String(value).slice(0, 200);
}

/** Parses `body` with `schema`, or throws ValidationException listing each broken constraint. */
export function parseInput<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues;
  const parts = issues.map((issue) => {
    let value: unknown = body;
    for (const key of issue.path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key as never];
    return `Value '${shown(value)}' at '${memberPath(issue.path)}' failed to satisfy constraint: ${issue.message}`;
  });
  throw validation(
    `${issues.length} validation error${issues.length === 1 ? '' : 's'} detected: ${parts.join('; ')}`,
  );
}
