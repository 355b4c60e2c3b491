export {
  DEFAULT_LOG_CONFIG,
  InvalidBatchError,
  LogCorruptionError,
  OffsetOutOfRangeError,
  PartitionLog,
  type AppendResult,
  type CompactionConfig,
  type LogConfig,
  type ReadResult,
  type RecoveryReport,
  type SegmentInfo,
} from './log.js';
export { benchLog, type BenchLogOptions, type BenchLogResult } from './bench.js';
export { cleanLog, DEFAULT_CLEANER_MAX_KEYS, type CleanOptions, type CleanResult } from './cleaner.js';
