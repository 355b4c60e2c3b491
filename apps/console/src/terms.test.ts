import { describe, expect, it } from 'vitest';
import { TERMINOLOGY } from '../../../libs/contracts/src/terminology';
import { decodeSequenceNumber } from '../../../libs/kinesis-api/src/positions';
import { partitionId, partitionName, sequenceNumberAt, SYSTEMS, WORDS, term, translator } from './terms';

describe('the terminology switch', () => {
  it("speaks each system's words for the seed's concepts", () => {
    expect(term('kafka', 'topic')).toBe('topic');
    expect(term('kinesis', 'topic')).toBe('stream');
    expect(term('eventhubs', 'topic')).toBe('event hub');
    expect(term('kinesis', 'partition', { plural: true })).toBe('shards');
    expect(term('kinesis', 'offset')).toBe('sequence number');
    expect(term('kinesis', 'group', { plural: true, title: true })).toBe('Applications');
    expect(term('eventhubs', 'group')).toBe('consumer group');
    expect(term('kinesis', 'committed')).toBe('checkpoint');
    expect(translator('eventhubs')('record', { plural: true })).toBe('events');
  });

  it('agrees with the correlate table in libs/contracts', () => {
    const row = (concept: string) => TERMINOLOGY.find((r) => r.concept === concept)!;
    for (const [concept, word] of [
      ['stream', 'topic'],
      ['partition', 'partition'],
    ] as const) {
      expect(term('kafka', word)).toBe(row(concept).kafka);
      expect(term('kinesis', word)).toBe(row(concept).kinesis);
      expect(term('eventhubs', word)).toBe(row(concept).eventHubs);
    }
    expect(term('kinesis', 'group')).toBe(row('consumer group').kinesis.replace('KCL ', ''));
    expect(row('index').eventHubs).toContain(term('eventhubs', 'offset'));
  });

  it('has every word in every system, singular and plural', () => {
    for (const forms of Object.values(WORDS))
      for (const s of SYSTEMS) {
        const f = (forms as Record<string, string[]>)[s.id]!;
        expect(f).toHaveLength(2);
        expect(f.every((x) => x.length > 0)).toBe(true);
      }
  });
});

describe('real Kinesis values under the Kinesis words', () => {
  it('names a partition by its shard id, as ListShards does', () => {
    expect(partitionId('kinesis', 2)).toBe('shardId-000000000002');
    expect(partitionName('kinesis', 0)).toBe('shardId-000000000000');
    expect(partitionId('kafka', 2)).toBe('2');
    expect(partitionName('eventhubs', 3)).toBe('partition 3');
  });
  it('shows the sequence number the Kinesis API gives a record, which decodes back to its offset', () => {
    const seq = sequenceNumberAt('kinesis', 2, 41)!;
    expect(seq).toBe('49000000000200000000000000000000000000000000000000000041');
    expect(decodeSequenceNumber(seq)).toEqual({ partition: 2, offset: 41 });
    expect(sequenceNumberAt('kafka', 2, 41)).toBeNull();
    expect(sequenceNumberAt('kinesis', 0, -1)).toBeNull();
  });
});
