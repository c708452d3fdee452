/**
 * The table that turns the core's errors into API error codes: every domain error has its code,
 * and anything else is left to be answered `internal`.
 */
import * as errors from '../../../src/errors';
import {
  AppDisabledError,
  AppFailedError,
  DomainError,
  InstallFailedError,
  InvalidConfigError,
  InvalidRequestError,
  LimitReachedError,
  PermissionsChangedError,
  PreviewRunningError,
  RemoveFailedError,
  TooLargeError,
  UnknownAppError,
} from '../../../src/errors';
import { DOMAIN_ERROR_CODES, apiErrorOf } from '../../../src/mqtt/api/error-codes';

describe('apiErrorOf', () => {
  it('has a row for every error class errors.ts exports, and no other', () => {
    const exported = Object.values(errors).filter((v) => typeof v === 'function' && v !== DomainError);
    expect(exported.length).toBeGreaterThanOrEqual(10);
    expect(DOMAIN_ERROR_CODES.map((m) => m.error).sort((a, b) => a.name.localeCompare(b.name))).toEqual(
      [...exported].sort((a, b) => a.name.localeCompare(b.name)),
    );
  });

  it.each([
    [new UnknownAppError(['ghost'], 'app "ghost" is not installed'), 'unknown_app', 'app "ghost" is not installed'],
    [new AppFailedError('bad', 'app "bad" has failed: trapped'), 'app_failed', 'app "bad" has failed: trapped'],
    [new AppDisabledError('clock'), 'invalid_payload', 'app "clock" is disabled; enable it with cmd/apps/order first'],
    [new PreviewRunningError('draft'), 'preview_running', 'a preview of "draft" is showing; end it with cmd/apps/preview/stop first'],
    [new InvalidRequestError('"order" lists an app twice'), 'invalid_payload', '"order" lists an app twice'],
    [new InvalidConfigError('clock', 'config.hour24 must be of type boolean'), 'invalid_payload', 'config.hour24 must be of type boolean'],
    [new TooLargeError('"wasm" is larger than 8388608 bytes'), 'too_large', '"wasm" is larger than 8388608 bytes'],
    [new LimitReachedError('at most 100 screens'), 'limit_reached', 'at most 100 screens'],
    [new InstallFailedError('the module does not load: x'), 'install_failed', 'the module does not load: x'],
    [new PermissionsChangedError('w', 'app "w" asks for other permissions'), 'permissions_changed', 'app "w" asks for other permissions'],
    [new RemoveFailedError('w', 'could not remove app "w": EBUSY'), 'internal', 'could not remove app "w": EBUSY'],
  ])('maps %p to its code and message', (error, code, message) => {
    expect(apiErrorOf(error)).toEqual({ code, message });
    expect(error.name).toBe(error.constructor.name);
  });

  it('leaves anything else unmapped, to be answered internal', () => {
    expect(apiErrorOf(new Error('boom'))).toBeUndefined();
    expect(apiErrorOf(new TypeError('x is undefined'))).toBeUndefined();
    expect(apiErrorOf('a string')).toBeUndefined();
    class Stray extends DomainError {}
    expect(apiErrorOf(new Stray('not in the table'))).toBeUndefined();
  });
});
