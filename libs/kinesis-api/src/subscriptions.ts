/**
 * Enhanced fan-out bookkeeping: one live SubscribeToShard per (consumer, shard), as Kinesis allows;
 * a second one gets ResourceInUseException until the first ends (5 minutes, or the client leaves).
 */
export class Subscriptions {
  private readonly live = new Set<string>();

  tryStart(consumerArn: string, shardId: string): (() => void) | undefined {
    const key = `${consumerArn}\u0000${shardId}`;
    if (this.live.has(key)) return undefined;
    this.live.add(key);
    return () => this.live.delete(key);
  }

  get count(): number {
    return this.live.size;
  }
}
