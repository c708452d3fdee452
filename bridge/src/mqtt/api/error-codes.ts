/**
 * The one place where the core's errors (errors.ts) become the API's error codes; anything else
 * is a bug, answered `internal`.
 */
import type { ApiError, ErrorCode } from '@megabit/contract';
import {
  AppDisabledError,
  AppFailedError,
  DomainError,
  IconFileError,
  IconTooLargeError,
  InstallFailedError,
  InvalidConfigError,
  InvalidIconError,
  InvalidRequestError,
  LimitReachedError,
  PermissionsChangedError,
  PreviewRunningError,
  RemoveFailedError,
  TooLargeError,
  UnknownAppError,
  UnknownIconError,
} from '../../errors';

type DomainErrorClass = abstract new (...args: never[]) => DomainError;

interface Mapping<E extends DomainError = DomainError> {
  error: abstract new (...args: never[]) => E;
  code: ErrorCode;
  /** The reply's message, when it should say more than the core can (which command helps). */
  message?: (error: E) => string;
}

function map<E extends DomainError>(error: abstract new (...args: never[]) => E, code: ErrorCode, message?: (error: E) => string): Mapping {
  return { error, code, message: message as Mapping['message'] };
}

/** Every DomainError subclass with its code; a test checks that none is missing. */
export const DOMAIN_ERROR_CODES: readonly Mapping[] = [
  map(UnknownAppError, 'unknown_app'),
  map(AppFailedError, 'app_failed'),
  map(AppDisabledError, 'invalid_payload', (e) => `${e.message}; enable it with cmd/apps/order first`),
  map(PreviewRunningError, 'preview_running', (e) => `${e.message}; end it with cmd/apps/preview/stop first`),
  map(InvalidRequestError, 'invalid_payload'),
  map(InvalidConfigError, 'invalid_payload'),
  map(TooLargeError, 'too_large'),
  map(LimitReachedError, 'limit_reached'),
  map(InstallFailedError, 'install_failed'),
  map(PermissionsChangedError, 'permissions_changed'),
  map(InvalidIconError, 'invalid_payload'),
  map(IconTooLargeError, 'too_large'),
  map(UnknownIconError, 'unknown_icon'),
  // A disk problem, not a bug, like RemoveFailedError.
  map(IconFileError, 'internal'),
  // A disk problem, not a bug: no error code fits better, but the message says what failed.
  map(RemoveFailedError, 'internal'),
];

/** The reply error for a thrown error, or undefined when it is unexpected (a bug). */
export function apiErrorOf(error: unknown): ApiError | undefined {
  if (!(error instanceof DomainError)) return undefined;
  const mapping = DOMAIN_ERROR_CODES.find((m) => error instanceof (m.error as DomainErrorClass));
  if (!mapping) return undefined;
  return { code: mapping.code, message: mapping.message ? mapping.message(error) : error.message };
}
