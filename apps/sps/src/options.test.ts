import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import {
  acksOption,
  bootstrapOption,
  collectKeyValue,
  httpPortOption,
  intOption,
  parseBootstrap,
  parseKeyValue,
  timeOption,
} from './options.js';

describe('option values', () => {
  it('reads bootstrap lists, defaulting the port to 9092 and understanding IPv6', () => {
    expect(parseBootstrap('127.0.0.1:19092, broker-2')).toEqual([
      { host: '127.0.0.1', port: 19092 },
      { host: 'broker-2', port: 9092 },
    ]);
    expect(parseBootstrap('[::1]:9093')).toEqual([{ host: '::1', port: 9093 }]);
    expect(bootstrapOption('localhost')).toBe('localhost:9092');
    expect(() => parseBootstrap('host:99999')).toThrow(/port must be 1..65535/);
    expect(() => parseBootstrap('')).toThrow(InvalidArgumentError);
  });

  it('rejects numbers out of range, naming the option', () => {
    const partitions = intOption('--partitions', 1);
    expect(partitions('5')).toBe(5);
    expect(() => partitions('0')).toThrow("--partitions must be an integer ≥ 1, got '0'");
    expect(() => partitions('2.5')).toThrow(/integer/);
    expect(() => partitions('')).toThrow(/integer/);
  });

  it('turns "off" into no HTTP port', () => {
    expect(httpPortOption('off')).toBe(false);
    expect(httpPortOption('9080')).toBe(9080);
    expect(() => httpPortOption('http')).toThrow(/port/);
  });

  it('reads acks as Kafka numbers', () => {
    expect(acksOption('all')).toBe(-1);
    expect(acksOption('-1')).toBe(-1);
    expect(acksOption('0')).toBe(0);
    expect(acksOption('1')).toBe(1);
    expect(() => acksOption('2')).toThrow('acks must be 0, 1 or all');
  });

  it('reads key=value pairs, keeping "=" in values', () => {
    expect(parseKeyValue('retention.ms=60000')).toEqual(['retention.ms', '60000']);
    expect(parseKeyValue('traceparent=00-ab=cd')).toEqual(['traceparent', '00-ab=cd']);
    expect(parseKeyValue('empty=')).toEqual(['empty', '']);
    expect(() => parseKeyValue('=x', '--config')).toThrow("--config must look like key=value, got '=x'");
    const collect = collectKeyValue('--header');
    expect(collect('b=2', collect('a=1', undefined))).toEqual([
      ['a', '1'],
      ['b', '2'],
    ]);
  });

  it('reads times as ISO or epoch milliseconds', () => {
    expect(timeOption('1700000000000')).toBe(1_700_000_000_000);
    expect(timeOption('2025-01-31T10:00:00Z')).toBe(Date.UTC(2025, 0, 31, 10));
    expect(() => timeOption('yesterday')).toThrow(/ISO time/);
  });
});
