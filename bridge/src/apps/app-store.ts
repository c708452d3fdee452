/**
 * The installed apps on disk: `<data_dir>/apps/<id>/` (manifest.json, the Wasm module, the app's
 * kv.json and config.json) and `<data_dir>/state.json` (rotation order, disabled apps).
 * A broken app never stops the store: it is listed as failed with the reason. Knows nothing of
 * MQTT or HTTP; every change is announced with a `changed` event.
 */
import { EventEmitter } from 'node:events';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_INSTALL_BYTES, isValidId, validateManifest, type AppManifest } from '@megabit/contract';
import {
  AppFailedError,
  InstallFailedError,
  InvalidConfigError,
  InvalidRequestError,
  PermissionsChangedError,
  RemoveFailedError,
  TooLargeError,
  UnknownAppError,
} from '../errors';
import { makePrivateDir, writeFileAtomic } from '../util/atomic-file';
import { errorMessage, type Logger } from '../util/logger';
import { ConfigSchemas } from './app-config';
import { CONFIG_FILE, KV_FILE, MANIFEST_FILE, folderFingerprint, hasWasmHeader, readAppFolder, readStoredConfig, type AppRecord } from './app-folder';
import { AppsWatcher, DEFAULT_WATCH_TIMING, type WatchTiming } from './apps-watcher';
import { installDefaultApps } from './default-apps';
import { permissionChanges } from './permission-change';
import { discardAside, isAppFolderName, readFiles, recoverLeftovers, refreshStaged, removeFolder, stageFolder, swapIn } from './folder-swap';
import { moveToFront, readRotationState, rotationOrder, writeRotationState, type RotationState } from './rotation-state';
import { startFailureReason, withStartFailure, withoutStartFailures } from './start-failures';

type Config = Record<string, unknown>;

/** The app's own data, which an upgrade carries over. */
const KEPT_FILES = [KV_FILE, CONFIG_FILE];

/** One installed app as `list()` reports it. */
export type StoredApp = {
  id: string;
  name: string;
  version: string;
  /** The user's choice; a failed app is skipped by the rotation whatever this says. */
  enabled: boolean;
  dir: string;
  kvFile: string;
  configFile: string;
} & (
  | { status: 'ok'; manifest: AppManifest; wasmPath: string; error?: undefined }
  | { status: 'failed'; error: string; manifest?: AppManifest; wasmPath?: string }
);

/** What one change did; ids may appear in several lists (e.g. a config fix that also cures a failure). */
export interface AppsChange {
  added: string[];
  updated: string[];
  removed: string[];
  /** Ids whose stored configuration changed. */
  configured: string[];
  /**
   * Ids (among `updated`) whose manifest or module was replaced on disk by hand, not by
   * `install`: the module the bridge compiled for them may be stale.
   */
  replaced: string[];
  /** The rotation order or the disabled list changed. */
  reordered: boolean;
}

export interface InstallOptions {
  /** Install even if the permissions changed, with empty config and KV store. */
  replace?: boolean;
}

/** Runs the module in the real sandbox; rejects with the reason when it cannot be used. */
export type InstallCheck = (wasm: Uint8Array, manifest: AppManifest) => Promise<void>;

function change(parts: Partial<AppsChange>): AppsChange {
  return { added: [], updated: [], removed: [], configured: [], replaced: [], reordered: false, ...parts };
}

function isEmpty(c: AppsChange): boolean {
  return !c.reordered && c.added.length + c.updated.length + c.removed.length + c.configured.length === 0;
}

function checkIdList(ids: unknown, what: string): string[] {
  if (!Array.isArray(ids) || !ids.every(isValidId)) throw new InvalidRequestError(`"${what}" must be an array of app ids`);
  if (new Set(ids).size !== ids.length) throw new InvalidRequestError(`"${what}" lists an app twice`);
  return ids;
}

export class AppStore extends EventEmitter<{ changed: [AppsChange] }> {
  readonly appsDir: string;
  readonly stateFile: string;
  private records = new Map<string, AppRecord>();
  private state: RotationState = { order: [], disabled: [] };
  private readonly schemas = new ConfigSchemas();
  private readonly warnedFolders = new Set<string>();
  private watcher?: AppsWatcher;
  /** Other rotation entries (screens) the order and disabled lists may name; none unless told. */
  private otherEntries: () => ReadonlySet<string> = () => new Set();
  /** Installs run one after the other: each awaits its check and its staging, then swaps synchronously. */
  private installQueue: Promise<unknown> = Promise.resolve();

  constructor(
    dataDir: string,
    private readonly log: Logger,
    private readonly watchTiming: WatchTiming = DEFAULT_WATCH_TIMING,
  ) {
    super();
    this.appsDir = join(dataDir, 'apps');
    this.stateFile = join(dataDir, 'state.json');
  }

  /**
   * First run only (no apps/ folder yet): installs the apps found in `sourceDirs`, each a folder
   * with manifest.json and its Wasm. A source that cannot be installed is logged and skipped.
   * Returns the ids installed. Before `load()`, which reads them (the start reads every app once).
   */
  async installDefaults(sourceDirs: readonly string[]): Promise<string[]> {
    const result = await installDefaultApps(this.appsDir, sourceDirs);
    for (const problem of result.problems) this.log.warn(`default app not installed: ${problem}`);
    return result.installed;
  }

  /** Reads everything from disk, finishing or undoing what a crash interrupted first. */
  load(): StoredApp[] {
    for (const action of recoverLeftovers(this.appsDir)) this.log.warn(`apps: ${action}`);
    const stored = readRotationState(this.stateFile);
    if (stored.problem) this.log.warn(stored.problem);
    this.state = stored.state;
    this.records = this.scan(new Map());
    const apps = this.list();
    for (const a of apps) if (a.status === 'failed') this.log.warn(`app "${a.id}" failed: ${a.error}`);
    this.watcher?.follow(this.records.keys());
    return apps;
  }

  /** The installed apps in rotation order. */
  list(): StoredApp[] {
    return rotationOrder(new Set(this.records.keys()), this.state).map((id) => this.entry(this.records.get(id)!));
  }

  /**
   * Lets the rotation order and the disabled list name the ids `entries` gives besides the
   * installed apps (the screens): one order for everything the rotation shows.
   */
  useOtherEntries(entries: () => ReadonlySet<string>): void {
    this.otherEntries = entries;
  }

  /** Every rotation entry's id (apps and other entries) in rotation order. */
  entryOrder(): string[] {
    return rotationOrder(this.entryIds(), this.state);
  }

  /** Whether an entry is enabled (not on the disabled list). */
  isEnabled(id: string): boolean {
    return !this.state.disabled.includes(id);
  }

  /**
   * Puts a new entry into the rotation order: at `pos` (0 is first), or after every entry there.
   * The whole order is written, so where the others stand stays as it was shown. Not announced:
   * the owner of the other entries updates the rotation itself.
   */
  placeEntry(id: string, pos?: number): void {
    const others = this.entryOrder().filter((x) => x !== id);
    const at = pos === undefined ? others.length : Math.min(pos, others.length);
    this.saveState([...others.slice(0, at), id, ...others.slice(at)], this.state.disabled);
  }

  /** Takes a removed entry out of the order and the disabled list (writes only when it was named). */
  forgetEntry(id: string): void {
    if (!this.state.order.includes(id) && !this.state.disabled.includes(id)) return;
    this.saveState(
      this.state.order.filter((x) => x !== id),
      this.state.disabled.filter((x) => x !== id),
    );
  }

  get(id: string): StoredApp | undefined {
    const record = this.records.get(id);
    return record ? this.entry(record) : undefined;
  }

  /** The app's Wasm module; only for apps whose status is ok. */
  readWasm(id: string): Uint8Array {
    const record = this.known(id);
    if (record.status !== 'ok') throw new AppFailedError(id, `app "${id}" failed: ${record.error}`);
    return new Uint8Array(readFileSync(record.wasmPath));
  }

  /**
   * Validates the app, lets `check` try it in the sandbox, then puts it in place atomically. An
   * upgrade keeps the app's kv.json and config.json; one that asks for other permissions is
   * refused (PermissionsChangedError) unless `replace`, which installs it without them (in the same
   * atomic swap). Throws InvalidRequestError, TooLargeError, InstallFailedError or
   * PermissionsChangedError with the reason; a failed install leaves the disk as it was.
   */
  install(manifest: unknown, wasm: Uint8Array, check: InstallCheck, options: InstallOptions = {}): Promise<StoredApp> {
    const run = this.installQueue.then(() => this.installNow(manifest, wasm, check, options.replace === true));
    this.installQueue = run.catch(() => undefined);
    return run;
  }

  /** Removes an app with its KV store and config; throws RemoveFailedError when the disk refuses. */
  remove(id: string): void {
    this.known(id);
    try {
      removeFolder(this.appsDir, id);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new RemoveFailedError(id, `could not remove app "${id}": ${errorMessage(e)}`);
    }
    this.records.delete(id);
    this.schemas.forget(id);
    this.forgetStartFailures(id);
    const reordered = this.state.order.includes(id) || this.state.disabled.includes(id);
    if (reordered)
      this.saveState(
        this.state.order.filter((x) => x !== id),
        this.state.disabled.filter((x) => x !== id),
      );
    this.announce(change({ removed: [id], reordered }));
  }

  /**
   * Puts the apps of `order` first, in that order; the others keep their relative order after
   * them. `disabled`, when given, replaces the set of disabled apps. Every id must be installed;
   * otherwise nothing changes.
   */
  setOrder(order: readonly string[], disabled?: readonly string[]): StoredApp[] {
    const ids = checkIdList(order, 'order');
    const off = disabled === undefined ? undefined : checkIdList(disabled, 'disabled');
    const known = this.entryIds();
    const unknown = [...ids, ...(off ?? [])].filter((id) => !known.has(id));
    if (unknown.length > 0) {
      throw new UnknownAppError([...new Set(unknown)], `not installed: ${[...new Set(unknown)].map((id) => `"${id}"`).join(', ')}`);
    }
    const newOrder = moveToFront(this.entryOrder(), ids);
    const newDisabled = off ?? this.state.disabled.filter((id) => known.has(id));
    this.saveState(newOrder, newDisabled);
    this.announce(change({ reordered: true }));
    return this.list();
  }

  /** The app's configuration with the schema's defaults filled in. */
  getConfig(id: string): Config {
    const record = this.known(id);
    if (!record.manifest) throw new AppFailedError(id, `app "${id}" failed: ${record.error}`);
    const stored = readStoredConfig(record.configFile);
    if ('error' in stored) throw new AppFailedError(id, `${record.configFile} ${stored.error}`);
    const resolved = this.schemas.resolve(id, record.manifest, stored.value ?? {});
    if ('error' in resolved) throw new AppFailedError(id, `${record.configFile}: ${resolved.error}`);
    return resolved.config;
  }

  /**
   * Checks `config` against the app's schema and stores it; returns it with defaults filled in.
   * Also repairs an app that failed only because of its stored config.
   */
  setConfig(id: string, config: unknown): Config {
    const record = this.known(id);
    if (!record.manifest) throw new AppFailedError(id, `app "${id}" failed: ${record.error}`);
    const resolved = this.schemas.resolve(id, record.manifest, config);
    if ('error' in resolved) throw new InvalidConfigError(id, resolved.error);
    // Writing into a folder removed behind our back would recreate it holding only config.json.
    if (!existsSync(record.dir)) throw new UnknownAppError([id], `app "${id}" is not installed`);
    writeFileAtomic(record.configFile, `${JSON.stringify(config, null, 2)}\n`);
    const fresh = readAppFolder(this.appsDir, id, this.schemas);
    this.records.set(id, fresh);
    const statusChanged = fresh.status !== record.status || fresh.error !== record.error;
    this.announce(change({ configured: [id], updated: statusChanged ? [id] : [] }));
    return resolved.config;
  }

  // ---- start failures (start-failures.ts); a failed write is logged, it must not fail the caller ----

  /** `id` ran its first tick: its failed starts are forgotten. */
  appStarted(id: string): void {
    if (this.state.startFailures?.[id]) this.writeState(withoutStartFailures(this.state, id));
  }

  /** Counts a failed start; the start that reaches the limit disables the app (announced as an update). */
  appFailedToStart(id: string, reason: string): void {
    this.writeState(withStartFailure(this.state, id, reason));
    const disabled = startFailureReason(this.state, id);
    if (disabled && this.records.has(id)) {
      this.log.warn(`app "${id}" ${disabled}`);
      this.announce(change({ updated: [id] }));
    }
  }

  /** Follows hand edits under apps/ until `unwatch()`; changes arrive as `changed` events. */
  watch(): void {
    if (this.watcher) return;
    makePrivateDir(this.appsDir);
    this.watcher = new AppsWatcher(this.appsDir, () => this.rescanSafely(), this.watchTiming);
    this.watcher.start();
    this.watcher.follow(this.records.keys());
  }

  unwatch(): void {
    this.watcher?.stop();
    this.watcher = undefined;
  }

  /** Re-reads what changed on disk since the last look; emits `changed` when anything did. */
  rescan(): AppsChange {
    const before = this.records;
    const after = this.scan(before);
    const diff = change({});
    for (const [id, r] of after) {
      const old = before.get(id);
      if (!old) {
        diff.added.push(id);
        continue;
      }
      // New files by hand are a reinstall: the app gets a fresh start.
      if (old.fingerprint.files !== r.fingerprint.files) {
        this.forgetStartFailures(id);
        diff.replaced.push(id);
      }
      if (old.fingerprint.files !== r.fingerprint.files || old.status !== r.status || old.error !== r.error) diff.updated.push(id);
      if (old.fingerprint.config !== r.fingerprint.config) diff.configured.push(id);
    }
    for (const id of before.keys()) if (!after.has(id)) diff.removed.push(id);
    this.records = after;
    for (const id of diff.removed) this.schemas.forget(id);
    this.watcher?.follow(after.keys());
    for (const id of [...diff.added, ...diff.updated]) {
      const r = after.get(id)!;
      if (r.status === 'failed') this.log.warn(`app "${id}" failed: ${r.error}`);
    }
    if (!isEmpty(diff)) this.announce(diff);
    return diff;
  }

  /** A failing listener must not turn a finished install or removal into an error. */
  private announce(c: AppsChange): void {
    try {
      this.emit('changed', c);
    } catch (e) {
      this.log.error(`a listener of the app store's "changed" event failed: ${errorMessage(e)}`);
    }
  }

  private rescanSafely(): void {
    try {
      this.rescan();
    } catch (e) {
      this.log.error(`rescanning ${this.appsDir} failed: ${errorMessage(e)}`);
    }
  }

  /** Reads every app folder, reusing the records of folders whose files have not changed. */
  private scan(previous: ReadonlyMap<string, AppRecord>): Map<string, AppRecord> {
    const records = new Map<string, AppRecord>();
    let names: string[];
    try {
      names = readdirSync(this.appsDir).sort();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return records;
      throw e;
    }
    for (const name of names) {
      if (!isAppFolderName(name)) continue;
      const dir = join(this.appsDir, name);
      try {
        if (!statSync(dir).isDirectory()) continue;
      } catch {
        continue;
      }
      if (!isValidId(name)) {
        if (!this.warnedFolders.has(name)) this.log.warn(`ignoring ${dir}: folder name is not a valid app id (a-z, 0-9, "_", "-")`);
        this.warnedFolders.add(name);
        continue;
      }
      const old = previous.get(name);
      const now = folderFingerprint(dir);
      const unchanged = old && old.fingerprint.files === now.files && old.fingerprint.config === now.config;
      records.set(name, unchanged ? old : readAppFolder(this.appsDir, name, this.schemas));
    }
    return records;
  }

  private async installNow(rawManifest: unknown, wasm: Uint8Array, check: InstallCheck, replace: boolean): Promise<StoredApp> {
    const checked = validateManifest(rawManifest);
    if (!checked.ok) throw new InvalidRequestError(checked.error.message);
    const manifest = checked.value;
    if (!(wasm instanceof Uint8Array) || !hasWasmHeader(wasm)) {
      throw new InvalidRequestError(`"wasm" of app "${manifest.id}" is not a WebAssembly module (bad or missing header)`);
    }
    if (wasm.length > MAX_INSTALL_BYTES) throw new TooLargeError(`"wasm" is larger than ${MAX_INSTALL_BYTES} bytes`);
    if (!replace) this.refuseNewPermissions(manifest);
    const schemaProblem = this.schemas.prepare(manifest.id, manifest);
    if (schemaProblem) throw new InvalidRequestError(`manifest: ${schemaProblem}`);
    try {
      await check(wasm, manifest);
    } catch (e) {
      throw new InstallFailedError(`app "${manifest.id}" ${manifest.version} does not run in the sandbox: ${errorMessage(e)}`);
    }
    const target = join(this.appsDir, manifest.id);
    let aside: string | undefined;
    try {
      const kept = replace ? new Map<string, Buffer>() : await readFiles(target, KEPT_FILES);
      const staging = await stageFolder(this.appsDir, [[MANIFEST_FILE, `${JSON.stringify(manifest, null, 2)}\n`], [manifest.bin, wasm], ...kept]);
      if (!replace) refreshStaged(staging, target, KEPT_FILES, kept);
      aside = swapIn(this.appsDir, staging, manifest.id);
    } catch (e) {
      throw new InstallFailedError(`could not write app "${manifest.id}" to ${target}: ${errorMessage(e)}`);
    }
    const existed = this.records.has(manifest.id);
    this.forgetStartFailures(manifest.id);
    const record = readAppFolder(this.appsDir, manifest.id, this.schemas);
    this.records.set(manifest.id, record);
    this.watcher?.follow(this.records.keys());
    if (record.status === 'failed') this.log.warn(`app "${manifest.id}" installed but failed: ${record.error}`);
    this.announce(change(existed ? { updated: [manifest.id] } : { added: [manifest.id] }));
    // Awaited so that the next install's swap never runs while this folder is being deleted.
    if (aside) await discardAside(aside).catch((e: unknown) => this.log.warn(`could not delete ${aside}: ${errorMessage(e)}`));
    return this.entry(record);
  }

  /** An upgrade inherits config and KV: only when it asks for what the installed version had. */
  private refuseNewPermissions(manifest: AppManifest): void {
    const installed = this.records.get(manifest.id);
    if (!installed) return;
    const fix = 'send the install again with "replace": true to install it with empty config and KV store';
    if (!installed.manifest) {
      throw new PermissionsChangedError(
        manifest.id,
        `app "${manifest.id}" is installed but its manifest cannot be read (${installed.error}), so its permissions cannot be compared: ${fix}`,
      );
    }
    const changes = permissionChanges(installed.manifest, manifest);
    if (changes.length === 0) return;
    throw new PermissionsChangedError(
      manifest.id,
      `app "${manifest.id}" ${manifest.version} asks for other permissions than the installed ${installed.manifest.version} (${changes.join('; ')}), ` +
        `so it does not inherit that version's config and KV store: ${fix}`,
    );
  }

  private entryIds(): Set<string> {
    return new Set([...this.records.keys(), ...this.otherEntries()]);
  }

  private known(id: string): AppRecord {
    const record = isValidId(id) ? this.records.get(id) : undefined;
    if (!record) throw new UnknownAppError([String(id)], `app "${String(id)}" is not installed`);
    return record;
  }

  private saveState(order: string[], disabled: string[]): void {
    const next = { ...this.state, order, disabled };
    writeRotationState(this.stateFile, next);
    this.state = next;
  }

  /** Keeps the state in memory even when the disk refuses it: the app is then disabled until a restart. */
  private writeState(next: RotationState): void {
    this.state = next;
    try {
      writeRotationState(this.stateFile, next);
    } catch (e) {
      this.log.error(`could not save ${this.stateFile}: ${errorMessage(e)}`);
    }
  }

  private forgetStartFailures(id: string): void {
    if (this.state.startFailures?.[id]) this.writeState(withoutStartFailures(this.state, id));
  }

  private entry(r: AppRecord): StoredApp {
    const common = {
      id: r.id,
      name: r.manifest?.name ?? r.id,
      version: r.manifest?.version ?? '',
      enabled: !this.state.disabled.includes(r.id),
      dir: r.dir,
      kvFile: r.kvFile,
      configFile: r.configFile,
    };
    const disabled = startFailureReason(this.state, r.id);
    if (r.status === 'ok' && !disabled) return { ...common, status: 'ok', manifest: r.manifest, wasmPath: r.wasmPath };
    if (r.status === 'ok') return { ...common, status: 'failed', error: disabled!, manifest: r.manifest, wasmPath: r.wasmPath };
    return {
      ...common,
      status: 'failed',
      error: r.error,
      ...(r.manifest ? { manifest: r.manifest } : {}),
      ...(r.wasmPath ? { wasmPath: r.wasmPath } : {}),
    };
  }
}
