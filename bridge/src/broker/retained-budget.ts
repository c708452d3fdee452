/**
 * Keeps the embedded broker's retained messages within a count and a byte budget. The broker
 * keeps them in memory: without a cap, a few large retained publishes grow the bridge without
 * bound. Replacing or clearing an existing retained message always works; a new one that does
 * not fit is not kept (it still reaches the clients subscribed at that moment). A message costs its
 * topic's bytes as well as its payload's: the broker keeps both, and a topic may be 64 KiB long.
 */
export interface RetainedLimits {
  maxMessages: number;
  maxBytes: number;
}

export class RetainedBudget {
  private readonly sizes = new Map<string, number>();
  private bytes = 0;

  constructor(private readonly limits: RetainedLimits) {}

  get count(): number {
    return this.sizes.size;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  /**
   * Accounts for a retained publish (topic and payload bytes) and says whether the broker may keep it. `force` keeps it
   * even over the budget (the bridge's own state must not be crowded out by other clients).
   */
  admit(topic: string, payloadBytes: number, force = false): boolean {
    const previous = this.sizes.get(topic);
    if (payloadBytes === 0) {
      // An empty retained payload clears the topic.
      if (previous !== undefined) this.forget(topic, previous);
      return true;
    }
    const size = Buffer.byteLength(topic, 'utf8') + payloadBytes;
    const count = this.sizes.size + (previous === undefined ? 1 : 0);
    const bytes = this.bytes - (previous ?? 0) + size;
    if (!force && (count > this.limits.maxMessages || bytes > this.limits.maxBytes)) return false;
    this.sizes.set(topic, size);
    this.bytes = bytes;
    return true;
  }

  private forget(topic: string, size: number): void {
    this.sizes.delete(topic);
    this.bytes -= size;
  }
}
