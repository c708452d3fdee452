// The app's persistent key-value store (quota: permissions.kv_bytes of the manifest).
import { blockFromBytes, blockFromString, takeBytes, utf8ToString } from "./block";
import { free, mb_kv_delete, mb_kv_get, mb_kv_set } from "./host";
import { JsonValue } from "./json";

export enum KvStatus {
  Ok = 0,
  /** The write would exceed the quota; nothing was written. */
  OverQuota = -1,
  /** The key is empty or longer than 256 bytes. */
  BadKey = -2,
}

export namespace kv {
  export function getBytes(key: string): Uint8Array | null {
    const k = blockFromString(key);
    const value = takeBytes(mb_kv_get(k));
    free(k);
    return value;
  }

  export function setBytes(key: string, value: Uint8Array): KvStatus {
    const k = blockFromString(key);
    const v = blockFromBytes(value);
    const status = mb_kv_set(k, v);
    free(k);
    free(v);
    return <KvStatus>status;
  }

  export function getString(key: string): string | null {
    const bytes = getBytes(key);
    return bytes !== null ? utf8ToString(bytes) : null;
  }

  export function setString(key: string, value: string): KvStatus {
    return setBytes(key, Uint8Array.wrap(String.UTF8.encode(value)));
  }

  /** The number stored under `key`, or `fallback` when absent or not a number. */
  export function getNumber(key: string, fallback: f64 = 0): f64 {
    const text = getString(key);
    if (text === null) return fallback;
    const v = JsonValue.parse(text);
    return v === null ? fallback : v.asNumber(fallback);
  }

  export function setNumber(key: string, value: f64): KvStatus {
    return setString(key, JsonValue.number(value).stringify());
  }

  /** The JSON value stored under `key`; null when absent or not JSON. */
  export function getJson(key: string): JsonValue | null {
    const text = getString(key);
    return text !== null ? JsonValue.parse(text) : null;
  }

  export function setJson(key: string, value: JsonValue): KvStatus {
    return setString(key, value.stringify());
  }

  export function remove(key: string): void {
    const k = blockFromString(key);
    mb_kv_delete(k);
    free(k);
  }
}
