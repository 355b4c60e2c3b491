/** ARNs for streams and consumers, in the account every emulator uses (000000000000). */
import { ACCOUNT_ID } from './errors.js';

export function streamArnOf(region: string, stream: string): string {
  return `arn:aws:kinesis:${region}:${ACCOUNT_ID}:stream/${stream}`;
}

export function streamNameFromArn(arn: string): string | undefined {
  return /^arn:aws[\w-]*:kinesis:[\w-]+:\d{12}:stream\/([a-zA-Z0-9_.-]+)$/.exec(arn)?.[1];
}

export function consumerArnOf(region: string, stream: string, consumer: string, createdAtMs: number): string {
  return `${streamArnOf(region, stream)}/consumer/${consumer}:${Math.floor(createdAtMs / 1000)}`;
}

export function parseConsumerArn(
  arn: string,
): { stream: string; consumer: string; createdAtSec: number } | undefined {
  const m =
    /^arn:aws[\w-]*:kinesis:[\w-]+:\d{12}:stream\/([a-zA-Z0-9_.-]+)\/consumer\/([a-zA-Z0-9_.-]+):(\d+)$/.exec(
      arn,
    );
  return m ? { stream: m[1]!, consumer: m[2]!, createdAtSec: Number(m[3]) } : undefined;
}

/** The region a SigV4 Authorization header names (Credential=AKID/date/REGION/kinesis/aws4_request). */
export function regionFromAuthorization(header: string | undefined): string | undefined {
  return header ? /Credential=[^/,\s]+\/\d{8}\/([a-z0-9-]+)\//.exec(header)?.[1] : undefined;
}
