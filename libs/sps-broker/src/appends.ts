/**
 * Wakes long-polling fetches when data arrives. A Fetch that has less than `min_bytes` registers
 * for its partitions and sleeps until an append to one of them (or its max_wait_ms) — no timers
 * polling the logs, so a consumer sees a record milliseconds after it was produced.
 */
export class AppendNotifier {
  private readonly waiters = new Map<string, Set<() => void>>();

  static key(topic: string, partition: number): string {
    return `${topic}\u0000${partition}`;
  }

  /** Resolves on the first append to any of `keys`, or after `timeoutMs`, whichever is first. */
  wait(keys: string[], timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        for (const k of keys) {
          const set = this.waiters.get(k);
          if (set && set.delete(wake) && set.size === 0) this.waiters.delete(k);
        }
        resolve();
      };
      const timer = setTimeout(wake, Math.max(0, timeoutMs));
      for (const k of keys) {
        let set = this.waiters.get(k);
        if (!set) this.waiters.set(k, (set = new Set()));
        set.add(wake);
      }
    });
  }

  notify(topic: string, partition: number): void {
    const set = this.waiters.get(AppendNotifier.key(topic, partition));
    if (!set) return;
    for (const wake of [...set]) wake();
  }

  /** Wakes every waiter (topic deleted, broker shutting down). */
  notifyAll(): void {
    for (const set of [...this.waiters.values()]) for (const wake of [...set]) wake();
  }

  get waiting(): number {
    let n = 0;
    for (const set of this.waiters.values()) n += set.size;
    return n;
  }
}
