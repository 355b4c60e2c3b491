/** Coordinator settings, with Kafka's names in the comments. */
export interface GroupConfig {
  /** group.initial.rebalance.delay.ms (Kafka default 3000). */
  initialRebalanceDelayMs: number;
  /** group.min.session.timeout.ms / group.max.session.timeout.ms */
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
  /** offsets.retention.minutes, in ms: offsets of a group that stayed empty this long expire (default 7 days). */
  offsetsRetentionMs: number;
}

export const DEFAULT_GROUP_CONFIG: GroupConfig = {
  initialRebalanceDelayMs: 3000,
  minSessionTimeoutMs: 1000,
  maxSessionTimeoutMs: 30 * 60 * 1000,
  offsetsRetentionMs: 7 * 24 * 3600 * 1000,
};
