/**
 * Checks our hand-written schemas against Apache Kafka's message definitions, which are READ here
 * (never copied or generated from): for every API and version we implement, the field order, names
 * (camelCased), types, nullability, tags, flexible versions and spec defaults must agree.
 * Skipped when the reference directory is absent (set KAFKA_MESSAGES_DIR to point elsewhere).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { versionsOf } from './codec.js';
import { ALL_APIS } from './messages/index.js';
import { inVersions, type FieldDef } from './schema.js';

// The team's shared folder sits beside the repository checkout (../shared).
const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');
const dir = process.env['KAFKA_MESSAGES_DIR'] ?? path.resolve(repoRoot, '../shared/kafka-protocol/messages');

interface SpecField {
  name: string;
  type: string;
  versions: string;
  nullableVersions?: string;
  taggedVersions?: string;
  tag?: number;
  default?: unknown;
  fields?: SpecField[];
}
interface Spec {
  apiKey: number;
  validVersions: string;
  flexibleVersions: string;
  fields: SpecField[];
  commonStructs?: Array<{ name: string; fields: SpecField[] }>;
}

const load = (name: string): Spec =>
  JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8').replace(/^\s*\/\/.*$/gm, '')) as Spec;
const camel = (s: string): string => s[0]!.toLowerCase() + s.slice(1);
const PRIMS = [
  'int8',
  'int16',
  'int32',
  'int64',
  'uint16',
  'uint32',
  'float64',
  'bool',
  'string',
  'bytes',
  'records',
  'uuid',
];

function normDefault(d: unknown): unknown {
  if (typeof d !== 'string') return d;
  if (d === 'null') return null;
  if (d === 'true') return true;
  if (d === 'false') return false;
  if (/^-?(0x)?[0-9a-f]+$/i.test(d)) return Number(d);
  return d;
}

function compare(
  spec: SpecField[],
  ours: readonly FieldDef[],
  v: number,
  flexible: boolean,
  where: string,
  common: Map<string, SpecField[]>,
  out: string[],
): void {
  const sp = spec.filter((f) => inVersions(v, f.versions));
  const op = ours.filter((f) => inVersions(v, f.versions));
  const sn = sp.map((f) => camel(f.name)).join(',');
  const on = op.map((f) => f.name).join(',');
  if (sn !== on) {
    out.push(`${where} v${v}: fields spec [${sn}] ours [${on}]`);
    return;
  }
  sp.forEach((s, i) => {
    const o = op[i]!;
    const p = `${where}.${o.name} v${v}`;
    const isArr = s.type.startsWith('[]');
    const st = isArr ? s.type.slice(2) : s.type;
    const sub = s.fields ?? common.get(st);
    const ot = o.type;
    if (isArr) {
      if (typeof ot !== 'object' || ot.kind !== 'array') out.push(`${p}: spec is an array`);
      else if (PRIMS.includes(st)) {
        if (ot.of !== st) out.push(`${p}: element ${st} vs ${String(ot.of)}`);
      } else if (typeof ot.of === 'string' || !sub) out.push(`${p}: element struct ${st}`);
      else compare(sub, ot.of, v, flexible, `${where}.${o.name}[]`, common, out);
    } else if (PRIMS.includes(st)) {
      if (ot !== st) out.push(`${p}: type ${st} vs ${JSON.stringify(ot)}`);
    } else if (typeof ot !== 'object' || ot.kind !== 'struct' || !sub) out.push(`${p}: spec is struct ${st}`);
    else compare(sub, ot.fields, v, flexible, `${where}.${o.name}`, common, out);
    if (inVersions(v, s.nullableVersions) !== inVersions(v, o.nullable))
      out.push(`${p}: nullability differs`);
    const sTag = flexible && inVersions(v, s.taggedVersions);
    const oTag = flexible && o.tag !== undefined && inVersions(v, o.taggedVersions ?? o.versions);
    if (sTag !== oTag || (sTag && s.tag !== o.tag)) out.push(`${p}: tag differs`);
    const sd = normDefault(s.default);
    if (sd !== undefined && sd !== o.default)
      out.push(`${p}: default spec ${String(s.default)} ours ${String(o.default)}`);
  });
}

describe.skipIf(!fs.existsSync(dir))("schemas agree with Kafka's message definitions", () => {
  for (const api of ALL_APIS) {
    for (const [kind, schema] of [
      ['Request', api.request],
      ['Response', api.response],
    ] as const) {
      it(`${api.name}${kind}`, () => {
        const spec = load(`${api.name}${kind}`);
        const common = new Map((spec.commonStructs ?? []).map((c) => [c.name, c.fields]));
        const problems: string[] = [];
        expect(spec.apiKey).toBe(api.apiKey);
        expect(api.flexibleVersions).toBe(spec.flexibleVersions);
        for (const v of versionsOf(api)) {
          if (!inVersions(v, spec.validVersions)) problems.push(`v${v} is not a valid version in the spec`);
          compare(
            spec.fields,
            schema.fields,
            v,
            inVersions(v, spec.flexibleVersions),
            `${api.name}${kind}`,
            common,
            problems,
          );
        }
        expect(problems).toEqual([]);
      });
    }
  }
});
