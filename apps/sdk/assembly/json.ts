// A small JSON reader and writer: config, button events, host replies and KV values are JSON.

export enum JsonKind { Null, Bool, Number, String, Array, Object }

export class JsonValue {
  kind: JsonKind = JsonKind.Null;
  private b: bool = false;
  private n: f64 = 0;
  private s: string = "";
  private items: Array<JsonValue> = [];
  private keys: Array<string> = [];

  static null(): JsonValue { return new JsonValue(); }
  static bool(value: bool): JsonValue { const v = new JsonValue(); v.kind = JsonKind.Bool; v.b = value; return v; }
  static number(value: f64): JsonValue { const v = new JsonValue(); v.kind = JsonKind.Number; v.n = value; return v; }
  static string(value: string): JsonValue { const v = new JsonValue(); v.kind = JsonKind.String; v.s = value; return v; }
  static array(): JsonValue { const v = new JsonValue(); v.kind = JsonKind.Array; return v; }
  static object(): JsonValue { const v = new JsonValue(); v.kind = JsonKind.Object; return v; }

  /** Parses JSON text; null when it is not valid JSON. */
  static parse(text: string): JsonValue | null {
    const p = new Parser(text);
    const v = p.value(0);
    if (v === null) return null;
    p.space();
    return p.atEnd() ? v : null;
  }

  get isNull(): bool { return this.kind == JsonKind.Null; }
  get isObject(): bool { return this.kind == JsonKind.Object; }
  get isArray(): bool { return this.kind == JsonKind.Array; }

  asBool(fallback: bool = false): bool { return this.kind == JsonKind.Bool ? this.b : fallback; }
  asNumber(fallback: f64 = 0): f64 { return this.kind == JsonKind.Number ? this.n : fallback; }
  asString(fallback: string = ""): string { return this.kind == JsonKind.String ? this.s : fallback; }

  /** Array length or number of object keys. */
  get length(): i32 { return this.items.length; }
  at(index: i32): JsonValue | null {
    return this.kind == JsonKind.Array && index >= 0 && index < this.items.length ? this.items[index] : null;
  }
  push(value: JsonValue): JsonValue { this.items.push(value); return this; }

  keyAt(index: i32): string { return this.keys[index]; }
  has(key: string): bool { return this.kind == JsonKind.Object && this.keys.indexOf(key) >= 0; }
  get(key: string): JsonValue | null {
    if (this.kind != JsonKind.Object) return null;
    const i = this.keys.lastIndexOf(key);
    return i < 0 ? null : this.items[i];
  }
  set(key: string, value: JsonValue): JsonValue {
    const i = this.keys.indexOf(key);
    if (i >= 0) this.items[i] = value;
    else { this.keys.push(key); this.items.push(value); }
    return this;
  }

  /** The member `key` as a string, or `fallback` when absent or of another type. */
  getString(key: string, fallback: string = ""): string { const v = this.get(key); return v === null ? fallback : v.asString(fallback); }
  getNumber(key: string, fallback: f64 = 0): f64 { const v = this.get(key); return v === null ? fallback : v.asNumber(fallback); }
  getBool(key: string, fallback: bool = false): bool { const v = this.get(key); return v === null ? fallback : v.asBool(fallback); }

  stringify(): string {
    switch (this.kind) {
      case JsonKind.Null: return "null";
      case JsonKind.Bool: return this.b ? "true" : "false";
      case JsonKind.Number: return formatNumber(this.n);
      case JsonKind.String: return quote(this.s);
      case JsonKind.Array: {
        const parts = new Array<string>(this.items.length);
        for (let i = 0; i < this.items.length; i++) parts[i] = this.items[i].stringify();
        return "[" + parts.join(",") + "]";
      }
      default: {
        const parts = new Array<string>(this.items.length);
        for (let i = 0; i < this.items.length; i++) parts[i] = quote(this.keys[i]) + ":" + this.items[i].stringify();
        return "{" + parts.join(",") + "}";
      }
    }
  }
}

function formatNumber(n: f64): string {
  if (!isFinite(n)) return "null";
  if (n == Math.floor(n) && Math.abs(n) < 1e15) return (<i64>n).toString();
  return n.toString();
}

const HEX = "0123456789abcdef";

export function quote(s: string): string {
  let out = "\"";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c == 0x22) out += "\\\"";
    else if (c == 0x5c) out += "\\\\";
    else if (c == 0x0a) out += "\\n";
    else if (c == 0x0d) out += "\\r";
    else if (c == 0x09) out += "\\t";
    else if (c < 0x20) out += "\\u00" + HEX.charAt(c >> 4) + HEX.charAt(c & 15);
    else out += String.fromCharCode(c);
  }
  return out + "\"";
}

const MAX_DEPTH = 64;

class Parser {
  pos: i32 = 0;
  constructor(readonly text: string) {}

  atEnd(): bool { return this.pos >= this.text.length; }
  peek(): i32 { return this.pos < this.text.length ? this.text.charCodeAt(this.pos) : -1; }

  space(): void {
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      if (c != 0x20 && c != 0x0a && c != 0x0d && c != 0x09) break;
      this.pos++;
    }
  }

  literal(word: string): bool {
    if (this.text.substr(this.pos, word.length) != word) return false;
    this.pos += word.length;
    return true;
  }

  value(depth: i32): JsonValue | null {
    if (depth > MAX_DEPTH) return null;
    this.space();
    const c = this.peek();
    if (c == 0x7b) return this.object(depth);
    if (c == 0x5b) return this.array(depth);
    if (c == 0x22) {
      const s = this.string();
      return s !== null ? JsonValue.string(s) : null;
    }
    if (c == 0x74) return this.literal("true") ? JsonValue.bool(true) : null;
    if (c == 0x66) return this.literal("false") ? JsonValue.bool(false) : null;
    if (c == 0x6e) return this.literal("null") ? JsonValue.null() : null;
    return this.number();
  }

  object(depth: i32): JsonValue | null {
    const obj = JsonValue.object();
    this.pos++;
    this.space();
    if (this.peek() == 0x7d) { this.pos++; return obj; }
    while (true) {
      this.space();
      if (this.peek() != 0x22) return null;
      const key = this.string();
      if (key === null) return null;
      this.space();
      if (this.peek() != 0x3a) return null;
      this.pos++;
      const v = this.value(depth + 1);
      if (v === null) return null;
      obj.set(key, v);
      this.space();
      const c = this.peek();
      this.pos++;
      if (c == 0x7d) return obj;
      if (c != 0x2c) return null;
    }
  }

  array(depth: i32): JsonValue | null {
    const arr = JsonValue.array();
    this.pos++;
    this.space();
    if (this.peek() == 0x5d) { this.pos++; return arr; }
    while (true) {
      const v = this.value(depth + 1);
      if (v === null) return null;
      arr.push(v);
      this.space();
      const c = this.peek();
      this.pos++;
      if (c == 0x5d) return arr;
      if (c != 0x2c) return null;
    }
  }

  string(): string | null {
    this.pos++;
    let out = "";
    let start = this.pos;
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      if (c == 0x22) {
        out += this.text.substring(start, this.pos);
        this.pos++;
        return out;
      }
      if (c < 0x20) return null;
      if (c == 0x5c) {
        out += this.text.substring(start, this.pos);
        this.pos++;
        const e = this.peek();
        this.pos++;
        if (e == 0x22) out += "\"";
        else if (e == 0x5c) out += "\\";
        else if (e == 0x2f) out += "/";
        else if (e == 0x62) out += "\b";
        else if (e == 0x66) out += "\f";
        else if (e == 0x6e) out += "\n";
        else if (e == 0x72) out += "\r";
        else if (e == 0x74) out += "\t";
        else if (e == 0x75) {
          if (this.pos + 4 > this.text.length) return null;
          const code = parseHex(this.text.substr(this.pos, 4));
          if (code < 0) return null;
          out += String.fromCharCode(code);
          this.pos += 4;
        } else return null;
        start = this.pos;
      } else this.pos++;
    }
    return null;
  }

  number(): JsonValue | null {
    const start = this.pos;
    if (this.peek() == 0x2d) this.pos++;
    let digits = 0;
    while (isDigit(this.peek())) { this.pos++; digits++; }
    if (digits == 0) return null;
    if (this.peek() == 0x2e) {
      this.pos++;
      let frac = 0;
      while (isDigit(this.peek())) { this.pos++; frac++; }
      if (frac == 0) return null;
    }
    const e = this.peek();
    if (e == 0x65 || e == 0x45) {
      this.pos++;
      const sign = this.peek();
      if (sign == 0x2b || sign == 0x2d) this.pos++;
      let exp = 0;
      while (isDigit(this.peek())) { this.pos++; exp++; }
      if (exp == 0) return null;
    }
    return JsonValue.number(parseFloat(this.text.substring(start, this.pos)));
  }
}

function isDigit(c: i32): bool { return c >= 0x30 && c <= 0x39; }

function parseHex(s: string): i32 {
  let v = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let d: i32;
    if (c >= 0x30 && c <= 0x39) d = c - 0x30;
    else if (c >= 0x61 && c <= 0x66) d = c - 0x57;
    else if (c >= 0x41 && c <= 0x46) d = c - 0x37;
    else return -1;
    v = (v << 4) | d;
  }
  return v;
}
