/**
 * Notifications held back at night, waiting for the morning: bounded, in arrival order, a newer
 * one with the same id replacing the one held (it says the same thing, more recently). Generic
 * over the item so it stays apart from the compositor's notification type.
 */

export class HeldBack<T> {
  private readonly items: T[] = [];

  constructor(
    private readonly capacity: number,
    private readonly idOf: (item: T) => string | undefined,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a whole number from 1, not ${capacity}`);
  }

  get size(): number {
    return this.items.length;
  }

  /** Holds an item; returns the one dropped to make room (the oldest), if any. */
  hold(item: T): T | undefined {
    const id = this.idOf(item);
    if (id !== undefined) {
      const same = this.items.findIndex((held) => this.idOf(held) === id);
      if (same >= 0) this.items.splice(same, 1);
    }
    this.items.push(item);
    return this.items.length > this.capacity ? this.items.shift() : undefined;
  }

  /** Removes a held item by id (a dismissal at night); true if one was held. */
  dismiss(id: string): boolean {
    const at = this.items.findIndex((held) => this.idOf(held) === id);
    if (at < 0) return false;
    this.items.splice(at, 1);
    return true;
  }

  /** The held items in arrival order, left held (to be saved). */
  list(): readonly T[] {
    return [...this.items];
  }

  /** Every held item in arrival order, emptying the hold: call it when the night ends. */
  release(): T[] {
    return this.items.splice(0, this.items.length);
  }
}
