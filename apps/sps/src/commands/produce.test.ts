import { describe, expect, it } from 'vitest';
import { lineToMessage } from './produce.js';

describe('produce: a line becomes a record', () => {
  it('as the value, with the fixed --key', () => {
    expect(lineToMessage('hello', { key: 'k' })).toEqual({ key: 'k', value: 'hello' });
    expect(lineToMessage('hello', {})).toEqual({ key: null, value: 'hello' });
  });

  it('split at the first --key-separator', () => {
    expect(lineToMessage('c-1:{"a":1}', { keySeparator: ':' })).toEqual({ key: 'c-1', value: '{"a":1}' });
    expect(lineToMessage('c-1::x', { keySeparator: '::' })).toEqual({ key: 'c-1', value: 'x' });
    expect(() => lineToMessage('no separator here', { keySeparator: ':' })).toThrow(/no key separator ':'/);
  });

  it('with every -H header (repeated names kept) and the --partition', () => {
    expect(
      lineToMessage('v', {
        headers: [
          ['schema-version', '1'],
          ['tag', 'a'],
          ['tag', 'b'],
        ],
        partition: 2,
      }),
    ).toEqual({ key: null, value: 'v', headers: { 'schema-version': '1', tag: ['a', 'b'] }, partition: 2 });
  });

  it('except blank lines', () => {
    expect(lineToMessage('   ', {})).toBeNull();
  });
});
