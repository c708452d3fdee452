/**
 * Runs the apps: starts the shown app's sandbox and plays it at its `refresh_period_ms` (the
 * sandbox keeps the time, AppInstance.play; ticks never overlap), nudges it when something from
 * outside arrives, hands its frames on, rotates through the enabled apps by their dwell time, and
 * takes a faulty app out of the rotation with its reason. Knows nothing of MQTT, serial or HTTP.
 */
import type { AppManifest, ButtonEvent } from '@megabit/contract';
import { AppFailedError, PreviewRunningError, UnknownAppError } from '../errors';
import type { AppInstance, LogLevel, SandboxOptions } from '../sandbox/types';
import { errorMessage, type Logger } from '../util/logger';

/** An app the scheduler may run: what the app store knows of it. */
export interface SchedulableApp {
  id: string;
  manifest: AppManifest;
  enabled: boolean;
  loadWasm(): Uint8Array;
  config(): Record<string, unknown>;
  kvFile: string;
  /** Whose compiled module it is in the sandbox (SandboxOptions.moduleHolder): an installed app's; none for a preview. */
  moduleHolder?: string;
}

export interface SchedulerOptions {
  defaultDurationMs: number;
  rotation: boolean;
  kvQuotaBytes(manifest: AppManifest): number;
  sandbox: Pick<SandboxOptions, 'limits' | 'timeZone'>;
  startApp(options: SandboxOptions): Promise<AppInstance>;
  /**
   * Receives every frame the shown app draws. `reaction`: drawn in answer to something from
   * outside (a button, data, a refresh, the app just shown), not on the app's own refresh period:
   * the compositor shows it without waiting for the frame cap.
   */
  onFrame(frame: Uint8Array, reaction: boolean): void;
  /** The shown app, the rotation flag or an app's health changed. */
  onChange(): void;
  onLog(appId: string, level: LogLevel, message: string): void;
  /**
   * Start bookkeeping of installed apps (not previews), for crash-loop protection: whether an
   * app's first run succeeded (`started`) or it failed before (`startFailed`).
   */
  onStarted?(id: string): void;
  onStartFailed?(id: string, reason: string): void;
  /**
   * `id`'s sandbox became the shown one, before its first tick: the place to hand it what waited
   * for it. A sandbox switched away from while it was still starting never gets here, so nothing
   * handed over is lost with it.
   */
  onShown?(id: string, instance: AppInstance): void;
}

/**
 * What the rules (schedules, conditions, night mode) allow the rotation to show, decided outside
 * the scheduler (schedules/, rules/) and handed in whole. The scheduler only applies it.
 */
export interface RotationGate {
  /** Entries their schedule or condition keeps out of the rotation now. */
  hidden: ReadonlySet<string>;
  /** A visible entry whose `pin_when` holds: the rotation stays on it. */
  pinned?: string;
  /** Night mode's app: while set (and runnable), the only entry shown. */
  only?: string;
  /** Shown when no entry may show (installed, not failed); none = the display shows nothing. */
  fallback?: string;
}

const OPEN_GATE: RotationGate = { hidden: new Set() };

interface Running {
  app: SchedulableApp;
  instance?: AppInstance;
  starting?: Promise<AppInstance>;
  /** Its first run succeeded. */
  started: boolean;
  /** A preview: no start bookkeeping. */
  preview: boolean;
}

export class Scheduler {
  private apps: SchedulableApp[] = [];
  private readonly failures = new Map<string, string>();
  private current?: Running;
  /** An app shown in place of the rotation until the preview ends; not in `apps`. */
  private preview?: SchedulableApp;
  /** Counts switches begun, so a switch that finishes closing after a newer one began gives way. */
  private switches = 0;
  private dwellTimer?: NodeJS.Timeout;
  /** Set while an app's files change under it: nothing starts until the change is done. */
  private holding = false;
  private rotation: boolean;
  private stopped = true;
  private gate: RotationGate = OPEN_GATE;
  /** The entry a switch in flight is bringing up (the old one may still be closing). */
  private switchingTo?: SchedulableApp;

  constructor(
    private readonly options: SchedulerOptions,
    private readonly log: Logger,
  ) {
    this.rotation = options.rotation;
  }

  get currentAppId(): string | null {
    return this.current?.app.id ?? null;
  }

  get rotationEnabled(): boolean {
    return this.rotation;
  }

  failure(id: string): string | undefined {
    return this.failures.get(id);
  }

  start(): void {
    this.stopped = false;
    this.showFirstRunnable();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.dwellTimer);
    await this.closeCurrent();
  }

  /**
   * Replaces the app list (after installs, removals, reorders, manual edits). Apps whose manifest
   * or wasm changed get a fresh start: their old failure is forgotten.
   */
  setApps(apps: SchedulableApp[], changedIds: Iterable<string> = []): void {
    this.apps = apps;
    for (const id of changedIds) this.failures.delete(id);
    for (const id of [...this.failures.keys()]) if (!apps.some((a) => a.id === id)) this.failures.delete(id);
    if (this.preview || this.stopped || this.holding) {
      this.options.onChange();
      return;
    }
    const shown = this.current?.app.id;
    const stillThere = apps.find((a) => a.id === shown);
    const changed = shown !== undefined && [...changedIds].includes(shown);
    if (shown === undefined || !stillThere || !this.eligible(stillThere) || changed) {
      void this.closeCurrent().then(() => {
        // Something else may have picked an app while the old one closed.
        if (this.current) return;
        if (stillThere && this.eligible(stillThere)) this.show(stillThere);
        else this.showFirstRunnable();
      });
    } else {
      this.current!.app = stillThere;
    }
    this.options.onChange();
  }

  /**
   * Applies what the rules allow now: an entry that may no longer show is left at once for the
   * next one that may, a pinned entry is shown and stays, and when none may show the fallback does.
   */
  setGate(gate: RotationGate): void {
    this.gate = gate;
    if (this.preview || this.stopped || this.holding) return;
    const candidates = this.candidates();
    // A switch in flight counts as shown: an entry hidden while it starts must not come up after.
    const shown = this.switchingTo ?? this.current?.app;
    const target = this.gate.pinned !== undefined ? candidates.find((a) => a.id === this.gate.pinned) : undefined;
    if (target && target !== shown) {
      void this.switchTo(target);
    } else if (shown && !candidates.includes(shown)) {
      // The next allowed entry after the one leaving, in rotation order, as a dwell would have.
      const after = this.apps.slice(this.apps.indexOf(shown) + 1).find((a) => candidates.includes(a)) ?? candidates[0];
      if (after) void this.switchTo(after);
      else void this.closeCurrent().then(() => this.options.onChange());
    } else if (!shown) {
      this.showFirstRunnable();
    } else {
      this.armDwell();
    }
  }

  /**
   * Runs `work` (an install or removal of `id`) with `id`'s sandbox stopped, so the app cannot
   * write its KV file into a folder being swapped; then shows it again if it still can run.
   */
  async whileStopped<T>(id: string, work: () => Promise<T> | T): Promise<T> {
    if (this.current?.app.id !== id || this.preview) return work();
    this.holding = true;
    await this.closeCurrent();
    try {
      return await work();
    } finally {
      this.holding = false;
      const app = this.apps.find((a) => a.id === id);
      if (app && this.eligible(app)) this.show(app);
      else this.showFirstRunnable();
    }
  }

  /** Shows `app` instead of the rotation until `endPreview` (a new preview replaces the old). */
  startPreview(app: SchedulableApp): void {
    this.preview = app;
    this.failures.delete(app.id);
    void this.switchTo(app);
  }

  endPreview(): boolean {
    if (!this.preview) return false;
    this.preview = undefined;
    this.switches++;
    this.switchingTo = undefined;
    void this.closeCurrent().then(() => this.showFirstRunnable());
    return true;
  }

  /**
   * Shows `id` now and restarts its dwell time. Throws PreviewRunningError while a preview shows,
   * UnknownAppError if `id` is not among its apps, AppFailedError if it has failed.
   */
  showApp(id: string): void {
    if (this.preview) throw new PreviewRunningError(this.preview.id);
    const app = this.apps.find((a) => a.id === id);
    if (!app) throw new UnknownAppError([id], `unknown app "${id}"`);
    if (this.failures.has(id)) throw new AppFailedError(id, `app "${id}" has failed: ${this.failures.get(id)}`);
    if (this.current?.app.id === id) {
      this.armDwell();
      return;
    }
    void this.switchTo(app);
  }

  next(): void {
    this.step(1);
  }

  previous(): void {
    this.step(-1);
  }

  setRotation(enabled: boolean): void {
    if (this.rotation === enabled) return;
    this.rotation = enabled;
    this.armDwell();
    this.options.onChange();
  }

  button(event: ButtonEvent): void {
    this.current?.instance?.pushButton(event);
    this.tickSoon();
  }

  /** Ticks `id` now if it is the one shown (its picture changed outside its own ticks). */
  refresh(id: string): void {
    if (this.current?.app.id === id) this.tickSoon();
  }

  /** Hands data to `id` if it is running now; false when it is not (the caller keeps it). */
  pushData(id: string, payload: Uint8Array): boolean {
    const instance = this.instanceOf(id);
    if (!instance) return false;
    instance.pushData(payload);
    this.tickSoon();
    return true;
  }

  /** The running instance of an app, if it is the one shown. */
  instanceOf(id: string): AppInstance | undefined {
    return this.current?.app.id === id ? this.current.instance : undefined;
  }

  private runnable(app: SchedulableApp): boolean {
    return app.enabled && !this.failures.has(app.id);
  }

  /**
   * The entries the rotation goes through now, in order: night mode's app alone; else the
   * runnable ones the rules do not hide (only the pinned one while one is); else the fallback.
   */
  private candidates(): SchedulableApp[] {
    const { hidden, pinned, only, fallback } = this.gate;
    const healthy = (a: SchedulableApp): boolean => !this.failures.has(a.id);
    if (only !== undefined) {
      const night = this.apps.find((a) => a.id === only && healthy(a));
      if (night) return [night];
    }
    const visible = this.apps.filter((a) => this.runnable(a) && !hidden.has(a.id));
    const pin = pinned === undefined ? undefined : visible.find((a) => a.id === pinned);
    if (pin) return [pin];
    if (visible.length > 0) return visible;
    const spare = fallback === undefined ? undefined : this.apps.find((a) => a.id === fallback && healthy(a));
    return spare ? [spare] : [];
  }

  private eligible(app: SchedulableApp): boolean {
    return this.candidates().includes(app);
  }

  private step(direction: 1 | -1): void {
    if (this.preview) return;
    const candidates = this.candidates();
    if (candidates.length === 0) return;
    const index = candidates.findIndex((a) => a.id === this.current?.app.id);
    const nextIndex = index === -1 ? 0 : (index + direction + candidates.length) % candidates.length;
    const target = candidates[nextIndex];
    if (target.id === this.current?.app.id) {
      this.armDwell();
      return;
    }
    void this.switchTo(target);
  }

  private showFirstRunnable(): void {
    if (this.stopped || this.preview || this.holding || this.current) return;
    const first = this.candidates()[0];
    if (first) this.show(first);
    else this.options.onChange();
  }

  private async switchTo(app: SchedulableApp): Promise<void> {
    const switchNumber = ++this.switches;
    const superseded = (): boolean => this.stopped || switchNumber !== this.switches;
    this.switchingTo = app;
    // Closing can take a while (an app still starting is waited for). Meanwhile a later switch or
    // the end of a preview wins; a fallback that showed the first app in the gap does not, and is
    // closed in turn.
    do await this.closeCurrent();
    while (this.current && !superseded());
    if (superseded()) return;
    this.switchingTo = undefined;
    this.show(app);
  }

  private show(app: SchedulableApp): void {
    if (this.stopped) return;
    const running: Running = { app, started: false, preview: app === this.preview };
    this.current = running;
    this.armDwell();
    this.options.onChange();
    // Reading the wasm may throw (file gone): that fails the app like a bad module would.
    running.starting = Promise.resolve().then(() =>
      this.options.startApp({
        manifest: app.manifest,
        wasm: app.loadWasm(),
        config: app.config(),
        kvFile: app.kvFile,
        kvQuotaBytes: this.options.kvQuotaBytes(app.manifest),
        limits: this.options.sandbox.limits,
        timeZone: this.options.sandbox.timeZone,
        ...(app.moduleHolder === undefined ? {} : { moduleHolder: app.moduleHolder }),
        onLog: (level, message) => this.options.onLog(app.id, level, message),
      }),
    );
    running.starting.then(
      (instance) => {
        if (this.current !== running) {
          void instance.close();
          return;
        }
        running.instance = instance;
        this.hook(() => this.options.onShown?.(app.id, instance));
        if (this.current !== running) return;
        // The instance keeps the app's time from here (a sandboxed app in its own worker).
        instance.play(app.manifest.refresh_period_ms, {
          ran: (frame, reaction) => this.ran(running, frame, reaction),
          failed: (e) => this.fail(running, e),
        });
      },
      (e) => this.fail(running, e),
    );
  }

  /** The shown app ticks now (its frame a reaction): something outside it changed. */
  private tickSoon(): void {
    this.current?.instance?.nudge();
  }

  private ran(running: Running, frame: Uint8Array | null, reaction: boolean): void {
    if (!running.started && !running.preview) this.hook(() => this.options.onStarted?.(running.app.id));
    running.started = true;
    if (this.current !== running || !frame) return;
    this.hook(() => this.options.onFrame(frame, reaction));
  }

  private fail(running: Running, error: unknown): void {
    const reason = errorMessage(error);
    this.failures.set(running.app.id, reason);
    this.log.warn(`app "${running.app.id}" failed and leaves the rotation: ${reason}`);
    if (this.current === running) {
      void this.closeCurrent().then(() => this.showFirstRunnable());
    }
    this.options.onChange();
    // Last: a start failure that disables the app changes the app list under this scheduler.
    if (!running.started && !running.preview) this.hook(() => this.options.onStartFailed?.(running.app.id, reason));
  }

  /** Runs a hook of the scheduler's owner; its failure is logged, never a reason to stop showing apps. */
  private hook(call: () => void): void {
    try {
      call();
    } catch (e) {
      this.log.error(`a scheduler hook failed: ${errorMessage(e)}`);
    }
  }

  private armDwell(): void {
    clearTimeout(this.dwellTimer);
    if (!this.rotation || !this.current || this.stopped || this.preview) return;
    const duration = this.current.app.manifest.duration_ms ?? this.options.defaultDurationMs;
    this.dwellTimer = setTimeout(() => this.step(1), duration);
  }

  private async closeCurrent(): Promise<void> {
    const running = this.current;
    if (!running) return;
    this.current = undefined;
    clearTimeout(this.dwellTimer);
    const instance = running.instance ?? (await running.starting?.catch(() => undefined));
    try {
      await instance?.close();
    } catch (e) {
      this.log.warn(`closing app "${running.app.id}" failed: ${errorMessage(e)}`);
    }
  }
}
