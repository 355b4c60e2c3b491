import { describe, expect, it } from 'vitest';
import { renderTable } from './format.js';

describe('tables', () => {
  it('are aligned, borderless, with capitalised headers and "-" for missing values', () => {
    expect(
      renderTable(
        ['name', 'partitions'],
        [
          ['orders', 5],
          ['orders.dlq', null],
        ],
      ),
    ).toBe(['NAME        PARTITIONS', 'orders      5', 'orders.dlq  -'].join('\n'));
  });
});
