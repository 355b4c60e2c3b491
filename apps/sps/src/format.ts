// Tables for people, JSON for scripts.
import Table from 'cli-table3';

export type OutputFormat = 'table' | 'json';
export const OUTPUT_FORMATS = ['table', 'json'] as const;

/** A borderless, column-aligned table (like rpk/kubectl), header in capitals. */
export function renderTable(head: string[], rows: Array<Array<string | number | null | undefined>>): string {
  const table = new Table({
    head: head.map((h) => h.toUpperCase()),
    chars: {
      top: '',
      'top-mid': '',
      'top-left': '',
      'top-right': '',
      bottom: '',
      'bottom-mid': '',
      'bottom-left': '',
      'bottom-right': '',
      left: '',
      'left-mid': '',
      mid: '',
      'mid-mid': '',
      right: '',
      'right-mid': '',
      middle: '  ',
    },
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
  });
  for (const row of rows) table.push(row.map((c) => (c === null || c === undefined ? '-' : String(c))));
  return table
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
}

export function renderJson(value: unknown): string {
  return JSON.stringify(value, null, 2);
}
