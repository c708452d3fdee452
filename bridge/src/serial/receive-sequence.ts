/**
 * The host's receiving half of reliable delivery for the device's sequenced messages (BUTTON):
 * accepts only the next number, and says when to ACK and when to NACK (once per gap).
 */
export type Arrival = 'new' | 'duplicate' | 'gap';

export class ReceiveSequence {
  private next = 0;
  private nackedAt?: number;

  get expected(): number {
    return this.next;
  }

  accept(seq: number): Arrival {
    const ahead = (seq - this.next) & 0xffff;
    if (ahead === 0) {
      this.next = (this.next + 1) & 0xffff;
      return 'new';
    }
    return ahead < 0x8000 ? 'gap' : 'duplicate';
  }

  /** True the first time a gap is seen at the current `next`: send NACK once per gap. */
  shouldNack(): boolean {
    if (this.nackedAt === this.next) return false;
    this.nackedAt = this.next;
    return true;
  }
}
