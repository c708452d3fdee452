/**
 * How big the packets of the next frame may be. A line that corrupts a fraction of its bytes
 * loses long packets almost surely (1% of 1000 bytes), so every resend round halves the size
 * and a run of clean deliveries grows it back: the link adapts instead of stalling.
 */
const MIN_PACKET_LIMIT = 64;
const CLEAN_RUN = 16;

export class PacketSizer {
  private limit: number;
  private clean = 0;

  constructor(private max: number) {
    this.limit = max;
  }

  get current(): number {
    return this.limit;
  }

  /** Shrunk to a quarter or less: losses are frequent, not occasional. */
  get noisy(): boolean {
    return this.limit * 4 <= this.max;
  }

  /** The device's `max_packet` (a new session). */
  setMax(max: number): void {
    this.max = max;
    this.limit = Math.min(this.limit, max);
  }

  lost(): void {
    this.limit = Math.max(MIN_PACKET_LIMIT, Math.floor(this.limit / 2));
    this.clean = 0;
  }

  delivered(packets: number): void {
    this.clean += packets;
    if (this.clean < CLEAN_RUN) return;
    this.clean = 0;
    this.limit = Math.min(this.max, Math.ceil(this.limit * 1.25));
  }
}
