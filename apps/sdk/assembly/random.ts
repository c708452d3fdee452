// A seeded pseudo-random generator (xorshift64*); the shared one is seeded from the host's CSPRNG.
import { mb_random_seed } from "./host";

export class Random {
  private state: u64;

  constructor(seed: u64) {
    // SplitMix64 scrambles the seed so that small or similar seeds give unrelated sequences.
    let z = seed + 0x9e3779b97f4a7c15;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
    z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
    z = z ^ (z >> 31);
    this.state = z == 0 ? 0x2545f4914f6cdd1d : z;
  }

  static fromHost(): Random { return new Random(<u64>mb_random_seed()); }

  next(): u64 {
    let x = this.state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    this.state = x;
    return x * 0x2545f4914f6cdd1d;
  }

  /** Uniform in [0, 1). */
  float(): f64 { return <f64>(this.next() >> 11) / 9007199254740992.0; }

  /** Uniform integer in [min, max] (inclusive). */
  int(min: i32, max: i32): i32 {
    if (max <= min) return min;
    return min + <i32>((this.next() >> 32) % <u64>(<i64>max - <i64>min + 1));
  }

  /** True with probability p. */
  chance(p: f64): bool { return this.float() < p; }
}

let shared: Random | null = null;

/** The app's shared generator, seeded from the host on first use. */
export function random(): Random {
  if (shared === null) shared = Random.fromHost();
  return shared!;
}
