/**
 * Kinesis' errors as the service sends them: HTTP 400 with `{"__type": "<Name>", "message": "…"}`
 * (and the same name in `x-amzn-ErrorType`), so the AWS SDKs raise their typed exceptions
 * (ResourceNotFoundException, InvalidArgumentException, ExpiredIteratorException, …).
 */
export const ACCOUNT_ID = '000000000000';

export class KinesisError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export const invalidArgument = (message: string) => new KinesisError('InvalidArgumentException', message);
export const validation = (message: string) => new KinesisError('ValidationException', message);
export const resourceInUse = (message: string) => new KinesisError('ResourceInUseException', message);
export const limitExceeded = (message: string) => new KinesisError('LimitExceededException', message);
export const expiredIterator = (message: string) => new KinesisError('ExpiredIteratorException', message);
export const expiredNextToken = (message: string) => new KinesisError('ExpiredNextTokenException', message);

export function streamNotFound(name: string): KinesisError {
  return new KinesisError(
    'ResourceNotFoundException',
    `Stream ${name} under account ${ACCOUNT_ID} not found.`,
  );
}

export function shardNotFound(stream: string, shardId: string): KinesisError {
  return new KinesisError(
    'ResourceNotFoundException',
    `Shard ${shardId} in stream ${stream} under account ${ACCOUNT_ID} does not exist`,
  );
}
