// Colours are u32 values 0xRRGGBB.

export type Color = u32;

export function rgb(r: i32, g: i32, b: i32): Color {
  return (<u32>clamp8(r) << 16) | (<u32>clamp8(g) << 8) | <u32>clamp8(b);
}

export function red(c: Color): i32 { return <i32>((c >> 16) & 0xff); }
export function green(c: Color): i32 { return <i32>((c >> 8) & 0xff); }
export function blue(c: Color): i32 { return <i32>(c & 0xff); }

/** Hue in degrees (any value, wraps), saturation and value from 0 to 1. */
export function hsv(h: f32, s: f32, v: f32): Color {
  s = Mathf.max(0, Mathf.min(1, s));
  v = Mathf.max(0, Mathf.min(1, v));
  let hh = wrapDegrees(h);
  if (hh < 0) hh += 360;
  const c = v * s;
  const sector = hh / 60; // in [0, 6]
  // sector % 2 without a call to fmod: exact, because sector - 2k (k = floor(sector / 2)) is a
  // difference of two floats within a factor of two of each other (or k is 0).
  const x = c * (1 - Mathf.abs(sector - 2 * Mathf.floor(sector * 0.5) - 1));
  const m = v - c;
  let r: f32 = 0, g: f32 = 0, b: f32 = 0;
  if (hh < 60) { r = c; g = x; }
  else if (hh < 120) { r = x; g = c; }
  else if (hh < 180) { g = c; b = x; }
  else if (hh < 240) { g = x; b = c; }
  else if (hh < 300) { r = x; b = c; }
  else { r = c; b = x; }
  return rgb(<i32>Mathf.round((r + m) * 255), <i32>Mathf.round((g + m) * 255), <i32>Mathf.round((b + m) * 255));
}

/**
 * h % 360, bit for bit, without the software fmod (a large share of a per-pixel hsv). Below
 * 2^24, an f32 of 256 or more is a multiple of 2^-15, so in f64 the quotient by 360 is never close
 * enough to an integer to round onto it (it truncates right) and the difference is exact (and
 * fits an f32, as fmod's result always does); below 360 the quotient truncates to 0. NaN,
 * infinities and larger hues take the general path.
 */
function wrapDegrees(h: f32): f32 {
  if (!(Mathf.abs(h) < 16777216)) return h % 360;
  const d = <f64>h;
  return <f32>(d - 360 * Math.trunc(d / 360));
}

/** Linear mix: t = 0 gives `a`, t = 1 gives `b`. */
export function mix(a: Color, b: Color, t: f32): Color {
  t = Mathf.max(0, Mathf.min(1, t));
  return rgb(
    <i32>Mathf.round(<f32>red(a) + <f32>(red(b) - red(a)) * t),
    <i32>Mathf.round(<f32>green(a) + <f32>(green(b) - green(a)) * t),
    <i32>Mathf.round(<f32>blue(a) + <f32>(blue(b) - blue(a)) * t),
  );
}

/** Scales brightness: 0 is black, 1 unchanged. */
export function dim(c: Color, factor: f32): Color {
  return mix(0, c, factor);
}

/** "#rrggbb", "rrggbb", "#rgb" or a name from `Colors`; `fallback` when it is none of those. */
export function parseColor(text: string, fallback: Color = Colors.WHITE): Color {
  let s = text.trim();
  if (s.startsWith("#")) s = s.substring(1);
  if (s.length == 3) s = s.charAt(0) + s.charAt(0) + s.charAt(1) + s.charAt(1) + s.charAt(2) + s.charAt(2);
  if (s.length == 6) {
    let v: u32 = 0;
    let ok = true;
    for (let i = 0; i < 6; i++) {
      const d = hexDigit(s.charCodeAt(i));
      if (d < 0) { ok = false; break; }
      v = (v << 4) | <u32>d;
    }
    if (ok) return v;
  }
  const named = namedColor(text.trim().toLowerCase());
  return named < 0 ? fallback : <Color>named;
}

export function toHex(c: Color): string {
  const digits = "0123456789abcdef";
  let out = "#";
  for (let shift = 20; shift >= 0; shift -= 4) out += digits.charAt(<i32>((c >> shift) & 15));
  return out;
}

export namespace Colors {
  export const BLACK: Color = 0x000000;
  export const WHITE: Color = 0xffffff;
  export const RED: Color = 0xff0000;
  export const GREEN: Color = 0x00ff00;
  export const BLUE: Color = 0x0000ff;
  export const YELLOW: Color = 0xffff00;
  export const CYAN: Color = 0x00ffff;
  export const MAGENTA: Color = 0xff00ff;
  export const ORANGE: Color = 0xff8000;
  export const PURPLE: Color = 0x8000ff;
  export const PINK: Color = 0xff60a0;
  export const GRAY: Color = 0x808080;
  export const DARK_GRAY: Color = 0x303030;
  export const AMBER: Color = 0xffb000;
  export const WARM_WHITE: Color = 0xffd8a0;
}

function namedColor(name: string): i64 {
  if (name == "black") return Colors.BLACK;
  if (name == "white") return Colors.WHITE;
  if (name == "red") return Colors.RED;
  if (name == "green") return Colors.GREEN;
  if (name == "blue") return Colors.BLUE;
  if (name == "yellow") return Colors.YELLOW;
  if (name == "cyan") return Colors.CYAN;
  if (name == "magenta") return Colors.MAGENTA;
  if (name == "orange") return Colors.ORANGE;
  if (name == "purple") return Colors.PURPLE;
  if (name == "pink") return Colors.PINK;
  if (name == "gray" || name == "grey") return Colors.GRAY;
  if (name == "darkgray" || name == "darkgrey") return Colors.DARK_GRAY;
  if (name == "amber") return Colors.AMBER;
  if (name == "warmwhite") return Colors.WARM_WHITE;
  return -1;
}

function hexDigit(c: i32): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

function clamp8(v: i32): i32 { return v < 0 ? 0 : v > 255 ? 255 : v; }
