export {
  DEFAULT_LOG_CONFIG,
  InvalidBatchError,
  LogCorruptionError,
  OffsetOutOfRangeError,
  PartitionLog,
  type AppendResult,
  type LogConfig,
  type ReadResult,
  type RecoveryReport,
  type SegmentInfo,
} from './log.js';
export { benchLog, type BenchLogOptions, type BenchLogResult } from './bench.js';
