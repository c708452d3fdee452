/**
 * The errors the bridge's core (device, scheduler, app store) throws when a request cannot be
 * done. They say what went wrong in the core's own terms; they know no MQTT error code. The
 * MQTT API turns them into its codes in one table (mqtt/api/error-codes.ts); anything thrown
 * that is not one of these is a bug there.
 */

/** The base of every expected refusal of the core; `name` is the class name, for logs. */
export abstract class DomainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The app is not installed (or, in the scheduler, not among the apps it may run). */
export class UnknownAppError extends DomainError {
  constructor(
    readonly appIds: readonly string[],
    message: string,
  ) {
    super(message);
  }
}

/** The app is installed but has failed (bad files, a fault while running, a crash loop). */
export class AppFailedError extends DomainError {
  constructor(
    readonly appId: string,
    message: string,
  ) {
    super(message);
  }
}

/** The app is installed and sound, but the user took it out of the rotation. */
export class AppDisabledError extends DomainError {
  constructor(readonly appId: string) {
    super(`app "${appId}" is disabled`);
  }
}

/** A preview shows in place of the rotation: no other app can be shown until it ends. */
export class PreviewRunningError extends DomainError {
  constructor(readonly previewId: string) {
    super(`a preview of "${previewId}" is showing`);
  }
}

/** What was asked is malformed: a list of app ids, a manifest, a module that is no Wasm. */
export class InvalidRequestError extends DomainError {}

/** An app configuration that its schema refuses; the message names the field. */
export class InvalidConfigError extends DomainError {
  constructor(
    readonly appId: string,
    message: string,
  ) {
    super(message);
  }
}

/** More bytes than the store keeps for one module. */
export class TooLargeError extends DomainError {}

/** The module does not load in the sandbox, or its files could not be written. */
export class InstallFailedError extends DomainError {}

/** An installed app's folder could not be removed from the disk (the app stays installed). */
export class RemoveFailedError extends DomainError {
  constructor(
    readonly appId: string,
    message: string,
  ) {
    super(message);
  }
}

/** A reinstall asks for other permissions than the installed version had. */
export class PermissionsChangedError extends DomainError {
  constructor(
    readonly appId: string,
    message: string,
  ) {
    super(message);
  }
}

/** A store is full (e.g. the most screens the bridge keeps): something must be removed first. */
export class LimitReachedError extends DomainError {}

/** An icon upload that is no readable PNG or GIF, or whose name is not allowed; the message says which. */
export class InvalidIconError extends DomainError {}

/** An icon over the size, frame or pixel limits, or one more than the icon store keeps. */
export class IconTooLargeError extends DomainError {}

/** A delete of an icon that was never uploaded (built-in icons cannot be deleted: InvalidIconError). */
export class UnknownIconError extends DomainError {
  constructor(readonly iconName: string) {
    super(`no icon "${iconName}" was uploaded`);
  }
}

/** An icon file could not be written or removed (a full or read-only disk); the store is unchanged. */
export class IconFileError extends DomainError {}
