// The parts of @orders/kafka-protocol this client uses, behind one seam.
export {
  decodeRecordBatches,
  decodeResponse,
  encodeRequest,
  errorName,
  type DecodedRecord,
} from '@orders/kafka-protocol';

export { ApiKey as ApiKeys, ErrorCode as Errors } from '@orders/kafka-protocol';

// Bodies (field names as in the Kafka spec, camelCased), only what this client reads.
export interface ApiVersionsResponse {
  errorCode: number;
  apiKeys: Array<{ apiKey: number; minVersion: number; maxVersion: number }>;
}

export interface MetadataResponse {
  brokers: Array<{ nodeId: number; host: string; port: number }>;
  topics: Array<{
    errorCode: number;
    name: string;
    isInternal?: boolean;
    partitions: Array<{ errorCode: number; partitionIndex: number; leaderId: number }>;
  }>;
}

export interface ListOffsetsResponse {
  topics: Array<{
    name: string;
    partitions: Array<{
      partitionIndex: number;
      errorCode: number;
      timestamp: number | bigint;
      offset: number | bigint;
    }>;
  }>;
}

export interface FetchResponse {
  errorCode?: number;
  responses: Array<{
    topic: string;
    partitions: Array<{
      partitionIndex: number;
      errorCode: number;
      highWatermark: number | bigint;
      logStartOffset?: number | bigint;
      records: Buffer | null;
    }>;
  }>;
}

/** int64 fields may come back as bigint or number depending on the codec; offsets fit in a number. */
export function num(v: number | bigint | undefined, fallback = -1): number {
  return v === undefined ? fallback : Number(v);
}

export interface FindCoordinatorResponse {
  errorCode: number;
  nodeId: number;
  host: string;
  port: number;
}

export interface OffsetFetchResponse {
  errorCode?: number;
  topics: Array<{
    name: string;
    partitions: Array<{ partitionIndex: number; committedOffset: number | bigint; errorCode: number }>;
  }>;
}

export interface OffsetCommitResponse {
  topics: Array<{ name: string; partitions: Array<{ partitionIndex: number; errorCode: number }> }>;
}
