/** The seed's concepts in each system's words (DESIGN.md), for the console and the workshop. */

export interface Term {
  /** The seed's word. */
  concept: string;
  kafka: string;
  kinesis: string;
  eventHubs: string;
  /** Where the concept lives in this project. */
  here: string;
}

export const TERMINOLOGY: readonly Term[] = [
  {
    concept: 'producer',
    kafka: 'producer',
    kinesis: 'producer',
    eventHubs: 'event publisher',
    here: 'storefront (kafkajs producer)',
  },
  { concept: 'stream', kafka: 'topic', kinesis: 'stream', eventHubs: 'event hub', here: 'topic `orders`' },
  {
    concept: 'partition',
    kafka: 'partition',
    kinesis: 'shard',
    eventHubs: 'partition',
    here: 'one log per partition (libs/sps-log)',
  },
  {
    concept: 'index',
    kafka: 'offset',
    kinesis: 'sequence number',
    // Event Hubs positions readers by offset or sequence number; the partition key only routes events.
    eventHubs: 'offset / sequence number',
    here: 'offset',
  },
  {
    concept: 'coordinator',
    kafka: 'group coordinator (broker)',
    kinesis: 'KCL + DynamoDB lease table',
    eventHubs: 'processor + blob checkpoint store',
    here: 'group coordinator (libs/sps-broker)',
  },
  {
    concept: 'consumer group',
    kafka: 'consumer group',
    kinesis: 'KCL application',
    eventHubs: 'consumer group',
    here: 'one app = one group',
  },
  {
    concept: 'TTL',
    kafka: '`retention.ms` (default 7 d)',
    kinesis: '24 h … 365 d',
    eventHubs: '1 … 90 d by tier',
    here: '`retention.ms` / `retention.bytes` per topic',
  },
];
