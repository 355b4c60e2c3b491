/**
 * Multi-row statements for a batch of orders, on the app's own Prisma driver adapter (the connection
 * Prisma's client uses too), in one transaction.
 *
 * Why not the ORM here: Prisma's query compiler plans and checks every `createMany`/`upsert` field by
 * field in JavaScript and WebAssembly, and that cost 0.4–1.2 ms of CPU per order in the consumers —
 * more than parsing, validating and tracing the order together. One INSERT of all the batch's rows,
 * and one upsert per table with the rows grouped by key, cost a few hundredths of that. Reads, and
 * everything that is not the hot path, stay on the Prisma client.
 *
 * Values are always bound parameters; table and column names come from the code, are checked to be
 * plain identifiers and quoted.
 */
import type { ArgType, SqlDriverAdapter, SqlQuery, SqlResultSet } from '@prisma/driver-adapter-utils';
import type { DatabaseConfig } from './config.js';

export type SqlValue = string | number | boolean | bigint | Date | null;
export type Row = Record<string, SqlValue>;

/**
 * What happens to a column of a row that is already there (the key matched), given the batch's row:
 * - `'add'`: the batch's value is added (counters: `stock` + −3, `orders` + 12);
 * - `'replace'`: the batch's value replaces it (`updatedAt`);
 * - `'min'` / `'max'`: the smaller / larger of the two (`firstSeenAt`, `lastOrderAt`);
 * - `{ latestBy: 'col' }`: the batch's value when its `col` is at least the stored one, so the most
 *   recent order's contact details win and a late, older one changes nothing;
 * - a column not named keeps its stored value.
 */
export type UpdateRule = 'add' | 'replace' | 'min' | 'max' | { latestBy: string };

export interface UpsertOptions {
  /** The columns of the primary key or unique constraint the rows are matched on. */
  key: readonly string[];
  /** How each column changes when the row exists; see {@link UpdateRule}. */
  update: Readonly<Record<string, UpdateRule>>;
  /** Columns of the stored rows to give back after the statement (e.g. a counter's new value). */
  returning?: readonly string[];
}

/** A transaction of {@link Database.transaction}: every statement commits together or not at all. */
export interface SqlTransaction {
  readonly provider: DatabaseConfig['provider'];
  /**
   * Inserts every row with ONE statement (more only beyond the driver's bound-parameter limit). Rows must
   * have the same columns. `onConflict: 'ignore'` skips rows whose key exists; `returning` gives back
   * those columns of the rows actually inserted. Resolves with the returned rows (empty without
   * `returning`).
   */
  insert(
    table: string,
    rows: readonly Row[],
    options?: { onConflict?: 'ignore'; returning?: readonly string[] },
  ): Promise<Row[]>;
  /**
   * Inserts each row, or updates the stored row with the same key by `update`'s rules: one statement for
   * all the rows. Each key may appear once (group the batch by key first). Rows are written in key
   * order, so two instances upserting overlapping keys lock them in the same order and cannot deadlock.
   */
  upsert(table: string, rows: readonly Row[], options: UpsertOptions): Promise<Row[]>;
}

/** Bound parameters per statement: under SQLite's 32,766 and PostgreSQL's 65,535 (and statements stay small). */
export const MAX_PARAMETERS = 16_000;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
function quote(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`not a plain SQL identifier: ${JSON.stringify(name)}`);
  return `"${name}"`;
}

function argType(value: SqlValue): ArgType {
  if (value instanceof Date) return { scalarType: 'datetime', arity: 'scalar' };
  switch (typeof value) {
    case 'number':
      return { scalarType: Number.isInteger(value) ? 'int' : 'float', arity: 'scalar' };
    case 'bigint':
      return { scalarType: 'bigint', arity: 'scalar' };
    case 'boolean':
      return { scalarType: 'boolean', arity: 'scalar' };
    default:
      return { scalarType: 'string', arity: 'scalar' };
  }
}

/** Column types of a result set (the driver adapters' ColumnTypeEnum) that are converted back. */
const INT32 = 0;
const INT64 = 1;
const DATETIME = 10;

/**
 * A result set as objects: integers as numbers (the SQLite adapter hands them over as text) and times
 * as Dates (both adapters give ISO text in UTC).
 */
function rowsOf(result: SqlResultSet): Row[] {
  return result.rows.map((values) => {
    const row: Row = {};
    result.columnNames.forEach((name, i) => {
      const v = values[i] as SqlValue;
      const type = result.columnTypes[i];
      row[name] =
        v === null
          ? null
          : type === INT32 || type === INT64 || typeof v === 'bigint'
            ? Number(v)
            : type === DATETIME && typeof v === 'string'
              ? new Date(v)
              : v;
    });
    return row;
  });
}

/** The statements of one transaction, for a provider, on one adapter transaction (or connection). */
export class SqlStatements implements SqlTransaction {
  constructor(
    private readonly queryable: Pick<SqlDriverAdapter, 'queryRaw' | 'executeRaw'>,
    private readonly config: DatabaseConfig,
  ) {}

  get provider() {
    return this.config.provider;
  }

  /** The table's name, qualified with the app's schema on PostgreSQL (as Prisma's own queries are). */
  private table(name: string): string {
    return this.config.provider === 'postgres' && this.config.schema
      ? `${quote(this.config.schema)}.${quote(name)}`
      : quote(name);
  }

  /** `VALUES (…), (…)` of `rows` in `columns` order, in chunks of at most MAX_PARAMETERS parameters. */
  private *chunks(columns: readonly string[], rows: readonly Row[]) {
    const perChunk = Math.max(1, Math.floor(MAX_PARAMETERS / columns.length));
    for (let start = 0; start < rows.length; start += perChunk) {
      const args: SqlValue[] = [];
      const tuples: string[] = [];
      for (const row of rows.slice(start, start + perChunk)) {
        const marks: string[] = [];
        for (const c of columns) {
          if (!(c in row)) throw new Error(`row without column "${c}" (every row needs the same columns)`);
          args.push(row[c] ?? null);
          marks.push(this.config.provider === 'postgres' ? `$${args.length}` : '?');
        }
        tuples.push(`(${marks.join(', ')})`);
      }
      yield { values: tuples.join(', '), args };
    }
  }

  private async run(sql: string, args: SqlValue[], returning: boolean): Promise<Row[]> {
    const query: SqlQuery = { sql, args, argTypes: args.map(argType) };
    try {
      if (!returning) {
        await this.queryable.executeRaw(query);
        return [];
      }
      return rowsOf(await this.queryable.queryRaw(query));
    } catch (err) {
      throw new StatementError(sql, err);
    }
  }

  async insert(
    table: string,
    rows: readonly Row[],
    options: { onConflict?: 'ignore'; returning?: readonly string[] } = {},
  ): Promise<Row[]> {
    if (rows.length === 0) return [];
    const columns = Object.keys(rows[0]!);
    const head = `INSERT INTO ${this.table(table)} (${columns.map(quote).join(', ')}) VALUES `;
    const tail =
      (options.onConflict === 'ignore' ? ' ON CONFLICT DO NOTHING' : '') +
      (options.returning?.length ? ` RETURNING ${options.returning.map(quote).join(', ')}` : '');
    const out: Row[] = [];
    for (const { values, args } of this.chunks(columns, rows))
      out.push(...(await this.run(head + values + tail, args, Boolean(options.returning?.length))));
    return out;
  }

  async upsert(table: string, rows: readonly Row[], options: UpsertOptions): Promise<Row[]> {
    if (rows.length === 0) return [];
    const columns = Object.keys(rows[0]!);
    const keyOf = (r: Row) => options.key.map((k) => r[k]);
    const sorted = [...rows].sort((a, b) => compareKeys(keyOf(a), keyOf(b)));
    const t = this.table(table);
    const pg = this.config.provider === 'postgres';
    const assignments = Object.entries(options.update).map(([column, rule]) => {
      const stored = `${t}.${quote(column)}`;
      const incoming = `excluded.${quote(column)}`;
      const value =
        rule === 'add'
          ? `${stored} + ${incoming}`
          : rule === 'replace'
            ? incoming
            : rule === 'min'
              ? `${pg ? 'LEAST' : 'MIN'}(${stored}, ${incoming})`
              : rule === 'max'
                ? `${pg ? 'GREATEST' : 'MAX'}(${stored}, ${incoming})`
                : `CASE WHEN excluded.${quote(rule.latestBy)} >= ${t}.${quote(rule.latestBy)} THEN ${incoming} ELSE ${stored} END`;
      return `${quote(column)} = ${value}`;
    });
    const head = `INSERT INTO ${t} (${columns.map(quote).join(', ')}) VALUES `;
    const tail =
      ` ON CONFLICT (${options.key.map(quote).join(', ')}) DO ` +
      (assignments.length ? `UPDATE SET ${assignments.join(', ')}` : 'NOTHING') +
      (options.returning?.length ? ` RETURNING ${options.returning.map(quote).join(', ')}` : '');
    const out: Row[] = [];
    for (const { values, args } of this.chunks(columns, sorted))
      out.push(...(await this.run(head + values + tail, args, Boolean(options.returning?.length))));
    return out;
  }
}

/**
 * A statement failed: the message names the statement's start and the database's own words; `kind` is
 * the driver adapter's classification (`UniqueConstraintViolation`, `ForeignKeyConstraintViolation`, …).
 */
export class StatementError extends Error {
  readonly kind?: string;
  constructor(sql: string, cause: unknown) {
    const info = (cause as { cause?: { kind?: string; originalMessage?: string; message?: string } })?.cause;
    const said = info?.originalMessage ?? info?.message ?? info?.kind ?? (cause as Error)?.message;
    super(`${sql.slice(0, 60)}…: ${said ?? String(cause)}`, { cause });
    this.name = 'StatementError';
    this.kind = info?.kind;
  }
}

function compareKeys(a: SqlValue[], b: SqlValue[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] instanceof Date ? (a[i] as Date).getTime() : a[i]!;
    const y = b[i] instanceof Date ? (b[i] as Date).getTime() : b[i]!;
    if (x < y) return -1;
    if (x > y) return 1;
  }
  return 0;
}

/**
 * Runs `fn` in one transaction on `adapter`: BEGIN, `fn`'s statements, COMMIT — or ROLLBACK when `fn`
 * throws (its error propagates). On SQLite the adapter lets one transaction run at a time, the Prisma
 * client's own included; on PostgreSQL it takes a connection of the pool for it.
 */
export async function inTransaction<R>(
  adapter: SqlDriverAdapter,
  config: DatabaseConfig,
  fn: (tx: SqlTransaction) => Promise<R>,
): Promise<R> {
  const tx = await adapter.startTransaction();
  // The adapters leave COMMIT/ROLLBACK to the caller unless they say they issue it themselves.
  const explicit = !tx.options.usePhantomQuery;
  const end = async (statement: 'COMMIT' | 'ROLLBACK') => {
    if (explicit) await tx.executeRaw({ sql: statement, args: [], argTypes: [] });
  };
  let result: R;
  try {
    result = await fn(new SqlStatements(tx, config));
    await end('COMMIT');
  } catch (err) {
    try {
      await end('ROLLBACK');
    } catch {
      // the connection is gone: the database rolls the transaction back itself
    } finally {
      await tx.rollback();
    }
    throw err;
  }
  await tx.commit();
  return result;
}
