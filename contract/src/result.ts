/** Error codes carried in `{"ok":false,"error":{"code","message"}}` replies (docs/mqtt-api.md). */
export const ERROR_CODES = [
  'bad_json',
  'invalid_payload',
  'too_large',
  'unknown_command',
  'unknown_app',
  'unknown_icon',
  'app_failed',
  'install_failed',
  'permissions_changed',
  'preview_running',
  'limit_reached',
  'busy',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ApiError {
  code: ErrorCode;
  message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T = never>(code: ErrorCode, message: string): Result<T> {
  return { ok: false, error: { code, message } };
}
