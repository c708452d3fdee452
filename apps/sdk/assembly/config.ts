// The app's configuration (an object validated by the bridge against the manifest's schema).
import { takeString } from "./block";
import { Color, parseColor } from "./color";
import { mb_config, mb_config_version } from "./host";
import { JsonValue } from "./json";

let cached: JsonValue | null = null;
/** The host's mb_config_version when `cached` was read; -1: never asked. */
let cachedVersion: i32 = -1;

export namespace config {
  /** The whole config object; read from the host again only after the bridge changed it. */
  export function all(): JsonValue {
    if (cached === null) {
      const text = takeString(mb_config());
      const parsed = text !== null ? JsonValue.parse(text) : null;
      cached = parsed !== null && parsed.isObject ? parsed : JsonValue.object();
    }
    return cached!;
  }

  export function has(key: string): bool { return all().has(key); }
  export function getString(key: string, fallback: string = ""): string { return all().getString(key, fallback); }
  export function getNumber(key: string, fallback: f64 = 0): f64 { return all().getNumber(key, fallback); }
  /** A number as an integer (truncated); `fallback` also when it is outside the i32 range. */
  export function getInt(key: string, fallback: i32 = 0): i32 { return toInt(all().getNumber(key, <f64>fallback), fallback); }
  export function getBool(key: string, fallback: bool = false): bool { return all().getBool(key, fallback); }
  /** A colour given as "#rrggbb" or a colour name. */
  export function getColor(key: string, fallback: Color): Color {
    const v = all().get(key);
    return v === null ? fallback : parseColor(v.asString(""), fallback);
  }
}

export function toInt(v: f64, fallback: i32): i32 {
  return v >= -2147483648 && v <= 2147483647 ? <i32>v : fallback;
}

/**
 * Called by the SDK at the start of each tick: the config may have changed since. One host call
 * that returns a number, where reading and parsing the JSON every tick cost the plasma a dozen
 * kernel calls and a parse per frame (docs/performance.md, section 2).
 */
export function forgetConfig(): void {
  const version = mb_config_version();
  if (version == cachedVersion) return;
  cached = null;
  cachedVersion = version;
}
