// AssemblyScript source of the reliability tests' misbehaving app, compiled at test time (see
// ../fault-apps.ts). What it does wrong on every run() is its config's "mode" (the manifest's
// schema default, so one module serves every fault): loop, trap, memory, kv or log. In mode calm it
// behaves: it draws a bar and stores its tick count each tick.

@external("extism:host/env", "alloc") declare function extismAlloc(n: u64): u64;
@external("extism:host/env", "length") declare function extismLength(p: u64): u64;
@external("extism:host/env", "load_u8") declare function extismLoadU8(p: u64): u8;
@external("extism:host/env", "store_u8") declare function extismStoreU8(p: u64, v: u8): void;

@external("extism:host/user", "mb_blit") declare function mbBlit(x: i32, y: i32, w: i32, h: i32, px: u64): i32;
@external("extism:host/user", "mb_log") declare function mbLog(level: i32, msg: u64): void;
@external("extism:host/user", "mb_config") declare function mbConfig(): u64;
@external("extism:host/user", "mb_kv_set") declare function mbKvSet(key: u64, value: u64): i32;

export function faultyAbort(message: string | null, file: string | null, line: u32, column: u32): void {
  unreachable();
}

/** Log lines per run(): at a 20 ms refresh period this is 10,000 lines a second. */
const LOG_LINES_PER_RUN = 200;
/** KV writes per run(): more keys than the quota holds, so most of them are refused. */
const KV_WRITES_PER_RUN = 320;

const MODES: string[] = ["loop", "trap", "memory", "kv", "log", "calm"];
let mode: string = "";
let ticks: i32 = 0;

function readString(p: u64): string {
  const n = <i32>extismLength(p);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = extismLoadU8(p + <u64>i);
  return String.UTF8.decode(out.buffer);
}

function writeBytes(bytes: Uint8Array): u64 {
  const p = extismAlloc(<u64>bytes.length);
  for (let i = 0; i < bytes.length; i++) extismStoreU8(p + <u64>i, bytes[i]);
  return p;
}

function writeString(s: string): u64 {
  return writeBytes(Uint8Array.wrap(String.UTF8.encode(s)));
}

function drawBar(): void {
  const px = new Uint8Array(64 * 3);
  for (let i = 0; i < px.length; i += 3) px[i] = <u8>(ticks * 8);
  mbBlit(0, ticks % 32, 64, 1, writeBytes(px));
}

export function setup(): i32 {
  const config = readString(mbConfig());
  // The config is {"mode":"<mode>"}; a substring test is all the parsing this needs.
  for (let i = 0; i < MODES.length; i++) {
    if (config.includes("\"" + MODES[i] + "\"")) mode = MODES[i];
  }
  return 0;
}

export function run(): i32 {
  ticks++;
  // Tells the test the app has started ticking: "<mode> begins" (the loop gives no other sign of life).
  if (ticks == 1) mbLog(1, writeString(mode + " begins"));
  if (mode == "loop") {
    while (true) {}
  } else if (mode == "trap") {
    unreachable();
  } else if (mode == "memory") {
    while (true) {
      if (memory.grow(16) < 0) unreachable();
    }
  } else if (mode == "kv") {
    const value = new Uint8Array(240);
    value.fill(<u8>(65 + ticks % 26));
    const v = writeBytes(value);
    for (let i = 0; i < KV_WRITES_PER_RUN; i++) mbKvSet(writeString("key" + ((ticks * KV_WRITES_PER_RUN + i) % 1000).toString()), v);
  } else if (mode == "log") {
    for (let i = 0; i < LOG_LINES_PER_RUN; i++) mbLog(1, writeString("flood " + ticks.toString() + "." + i.toString()));
  } else if (mode == "calm") {
    // Keeps a KV store too (one small value), so it costs the bridge the same files as the KV flood.
    mbKvSet(writeString("ticks"), writeString(ticks.toString()));
  }
  drawBar();
  return 0;
}
