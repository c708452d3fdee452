/**
 * The display as one object: the app store, the scheduler that runs apps, the compositor that
 * draws notifications over them, power and brightness. Implements DeviceControl for the outer
 * layers and reports changes on the event bus. Knows nothing of MQTT, serial or HTTP.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  DISPLAY_HEIGHT,
  DISPLAY_WIDTH,
  type AppManifest,
  type AppStatus,
  type ButtonEvent,
  type Condition,
  type EntryRulesReply,
  parseScheduleValue,
  type Schedule,
  type DeviceState,
  type DisplayCommand,
  type NightReply,
  type NightRequest,
  type NotifyReply,
  type NotifyRequest,
  type ScreenReply,
  type ScreenRequest,
} from '@megabit/contract';
import { AppStore, type AppsChange, type StoredApp } from '../apps';
import { ConfigSchemas } from '../apps/app-config';
import { makeScratchFolder } from '../apps/folder-swap';
import type { Settings } from '../config';
import { Compositor } from '../display';
import type { DisplayOutput } from '../display/output';
import { AppDisabledError, AppFailedError, InstallFailedError, InvalidRequestError } from '../errors';
import type { EventBus } from '../events';
import type { IconSource } from '../icons/icon';
import type { Part } from '../part';
import { ModuleHolders, startApp } from '../sandbox';
import { splitEntities } from '../sandbox/ha-access';
import type { AppInstance, HomeAssistantEntityState, SandboxLimits, SandboxOptions } from '../sandbox/types';
import { Scheduler, type SchedulableApp } from '../scheduler/scheduler';
import { templateStrings } from '../screens/screen-templates';
import { type ScreenChange, Screens } from '../screens/screens';
import { NO_TEMPLATES, type TemplateSource } from '../templates/template-source';
import { makePrivateDir, removeStaleTempFiles } from '../util/atomic-file';
import { errorMessage, type Logger } from '../util/logger';
import { VERSION } from '../version';
import { type AppRules, RulesFile } from '../rules/rules-file';
import type { Clock } from '../display/clock';
import { systemWallClock } from '../display/clock';
import { neverHoldWarnings, type RuleWarning } from '../rules/never-holds';
import { RotationRules, type RuleEntry } from '../rules/rotation-rules';
import type { EntryRules } from '../schedules/visibility';
import { resolveTimeZone } from '../schedules/zoned-time';
import type { TopicValues } from '../templates/template-backends';
import { appMayReadTopic } from './app-topic-access';
import { DeviceSettingsFile, type PersistedDeviceSettings } from './device-settings';
import type { DeviceControl } from './device-control';
import { type DisplayLink, NO_DISPLAY_LINK } from './display-link';
import { DAY_ONLY, type NightDisplay, type NightGate } from './night-gate';

const MAX_PENDING_DATA = 32;

export interface DeviceOptions {
  settings: Settings;
  bus: EventBus;
  /** Installed on first run (no apps folder yet). */
  exampleAppDirs: string[];
  /** Where composed frames go; the controller starts them before the device and stops them after. */
  outputs: DisplayOutput[];
  /** The hardware link whose state `state().display` reports; none without display hardware. */
  displayLink?: DisplayLink;
  /** Renders live text in screens (Home Assistant templates, `{{mqtt:topic}}`); none = nothing is a template. */
  templates?: TemplateSource;
  /** Icons screens, notifications and apps draw by name; none: only what needs no icon draws. */
  icons?: IconSource;
  /** Night mode's say on notifications, presses and brightness; none: always day. Asked for on each use, so it may be built after the device. */
  night?: () => NightGate;
  /**
   * MQTT topic values for `show_when`/`pin_when` topic conditions: the ones `{{mqtt:…}}` templates
   * read, under the same rules (templates.mqtt_topics). None: topic conditions are refused.
   */
  conditionTopics?: TopicValues;
  /** Wall-clock time for schedules; tests hand in one they move by hand. */
  rulesClock?: Clock;
}

const NO_ICONS: IconSource = { get: () => undefined };

export class Device implements DeviceControl, NightDisplay, Part {
  readonly name = 'device';
  private readonly displayLink: DisplayLink;
  private readonly store: AppStore;
  /** Screens published over MQTT: rotation entries beside the apps, in the same order and disabled lists. */
  private readonly screens: Screens;
  private readonly templates: TemplateSource;
  private readonly settingsFile: DeviceSettingsFile;
  private persisted: PersistedDeviceSettings;
  private compositor!: Compositor;
  private scheduler!: Scheduler;
  private readonly topicValues = new Map<string, Uint8Array>();
  /** Data sent to apps that were not running, delivered when they start (the app's inbox size). */
  private readonly pendingData = new Map<string, Uint8Array[]>();
  private readonly entityStates = new Map<string, HomeAssistantEntityState>();
  private readonly startedAt = Date.now();
  private readonly limits: SandboxLimits;
  /**
   * The installed apps' compiled modules in the sandbox: one each, its current version; told
   * which apps remain whenever the store changes, so a removed app's module goes with it.
   */
  private readonly modules = new ModuleHolders();
  private readonly timeZone: string;
  /** Warnings about what an app asked for and does not get, logged once each (per app version where it says so). */
  private readonly warned = new Set<string>();
  /** Night mode's (or max_brightness_during_day's) limit on the brightness shown; the user's own stays as set. */
  private brightnessLimit?: number;
  /** Auto-brightness's level, shown instead of the user's while set. */
  private autoBrightness?: number;
  /** Ids for notifications held at night that came without one (the queue's own ids start only when shown). */
  private nextHeldId = 1;
  /** Schedules and conditions set on apps over MQTT (screens carry their own). */
  private readonly rulesFile: RulesFile;
  /** When each entry may show; decides what the scheduler may pick. */
  private readonly rules: RotationRules;

  constructor(
    private readonly options: DeviceOptions,
    private readonly log: Logger,
  ) {
    const s = options.settings;
    this.store = new AppStore(s.data_dir, log.child('apps'));
    this.templates = options.templates ?? NO_TEMPLATES;
    this.screens = new Screens({
      file: join(s.data_dir, 'screens.json'),
      expiredFile: join(s.data_dir, 'screens-expired.json'),
      icons: options.icons ?? NO_ICONS,
      templates: this.templates,
      defaultDurationMs: s.rotation.default_duration_ms,
      maxFps: s.display.max_fps,
      log: log.child('screens'),
      onChange: (change) => this.onScreenChanged(change),
    });
    this.store.useOtherEntries(() => new Set(this.screens.ids()));
    this.settingsFile = new DeviceSettingsFile(join(s.data_dir, 'device.json'), {
      power: true,
      brightness: s.display.brightness,
      rotation: s.rotation.enabled,
    });
    this.persisted = this.settingsFile.load();
    this.limits = {
      runTimeoutMs: s.sandbox.run_timeout_ms,
      setupTimeoutMs: s.sandbox.setup_timeout_ms,
      memoryBytes: s.sandbox.memory_mb * 1024 * 1024,
      logLinesPerSecond: s.sandbox.log_lines_per_second,
    };
    this.timeZone = resolveTimeZone(s.time_zone);
    this.displayLink = options.displayLink ?? NO_DISPLAY_LINK;
    this.rulesFile = new RulesFile(join(s.data_dir, 'rules.json'));
    this.rules = new RotationRules({
      clock: options.rulesClock ?? systemWallClock,
      timeZone: this.timeZone,
      location: s.location,
      fallback: s.rotation.fallback,
      templates: this.templates,
      topics: options.conditionTopics,
      log: log.child('rules'),
      onGate: (gate) => this.scheduler?.setGate(gate),
      onVisibilityChange: () => {
        // Before start the scheduler does not exist; start() publishes the first state.
        if (this.scheduler) this.options.bus.emit('appsChanged');
      },
    });
  }

  async start(): Promise<void> {
    const s = this.options.settings;
    for (const file of removeStaleTempFiles(s.data_dir)) this.log.info(`removed ${file}, left by an interrupted write`);
    const installed = await this.store.installDefaults(this.options.exampleAppDirs);
    if (installed.length > 0) this.log.info(`first run: installed the example apps ${installed.join(', ')}`);
    this.store.load();
    this.screens.load();
    for (const problem of this.rulesFile.load()) this.log.warn(problem);

    this.compositor = new Compositor(this.options.outputs, {
      maxFps: s.display.max_fps,
      defaultDurationMs: s.notifications.default_duration_ms,
      log: this.log.child('display'),
      icons: this.options.icons,
    });
    this.compositor.onNotificationEvent(() => this.options.bus.emit('stateChanged'));
    this.compositor.setPower(this.persisted.power);
    this.compositor.setBrightness(this.shownBrightness());

    this.scheduler = new Scheduler(
      {
        defaultDurationMs: s.rotation.default_duration_ms,
        rotation: this.persisted.rotation,
        kvQuotaBytes: (m) => m.permissions?.kv_bytes ?? s.sandbox.default_kv_bytes,
        sandbox: { limits: this.limits, timeZone: this.timeZone },
        startApp: (opts) => this.startInstance(opts),
        onFrame: (frame, reaction) => this.compositor.setAppFrame(frame, reaction),
        onChange: () => {
          this.options.bus.emit('stateChanged');
          this.options.bus.emit('appsChanged');
        },
        onLog: (appId, level, message) => {
          this.log.debug(`app ${appId}: ${message}`);
          this.options.bus.emit('appLog', appId, { level, message });
        },
        onStarted: (id) => this.store.appStarted(id),
        onStartFailed: (id, reason) => this.store.appFailedToStart(id, reason),
        onShown: (id, instance) => {
          for (const payload of this.pendingData.get(id) ?? []) instance.pushData(payload);
          this.pendingData.delete(id);
        },
      },
      this.log.child('scheduler'),
    );

    this.compositor.start();
    this.scheduler.setApps(this.schedulable());
    // The rules come first: the first entry shown is one they allow.
    this.rules.start();
    this.rules.setEntries(this.ruleEntries());
    this.options.bus.on(this, 'nightChanged', (night) => this.rules.setNight(night));
    this.scheduler.start();
    this.store.on('changed', this.onStoreChanged);
    this.store.watch();
  }

  async stop(): Promise<void> {
    this.store.off('changed', this.onStoreChanged);
    this.store.unwatch();
    this.options.bus.removeListeners(this);
    this.rules.stop();
    await this.scheduler?.stop();
    this.modules.keepOnly([]);
    this.screens.stop();
    this.compositor?.stop();
  }

  // ---- DeviceControl ----

  notify(request: NotifyRequest): NotifyReply {
    // A notification is drawn as it was sent: live text is for screens, which stay and are redrawn.
    const template = request.content && templateStrings(request.content, (t) => this.templates.isTemplate(t))[0];
    if (template) {
      throw new InvalidRequestError(`"${template.path}" holds a template: templates are shown live in screens (cmd/screens/<id>), not in notifications`);
    }
    const id = request.id ?? `night-${this.nextHeldId}`;
    const verdict = this.night.admit({ ...request, id });
    if (verdict === 'show') return { id: this.compositor.notify(request) };
    if (request.id === undefined) this.nextHeldId++;
    this.options.bus.emit('stateChanged');
    return verdict === 'wait' ? { id, held: true } : { id, dropped: true };
  }

  dismissNotification(id?: string): boolean {
    if (id !== undefined && this.night.dismiss(id)) {
      this.options.bus.emit('stateChanged');
      return true;
    }
    return this.compositor.dismiss(id);
  }

  setNight(request: NightRequest): NightReply {
    return this.night.control(request);
  }

  // ---- NightDisplay ----

  setBrightnessLimit(max: number | undefined): void {
    this.brightnessLimit = max;
    this.applyBrightness();
  }

  setAutoBrightness(level: number | undefined): void {
    this.autoBrightness = level;
    this.applyBrightness();
  }

  showReleased(requests: ReadonlyArray<NotifyRequest & { id: string }>): void {
    for (const request of requests) {
      try {
        this.compositor.notify(request);
      } catch (e) {
        this.log.warn(`notification ${request.id}, held for the night, cannot be shown: ${errorMessage(e)}`);
      }
    }
    this.options.bus.emit('stateChanged');
  }

  showApp(id: string): void {
    // The store's own failures (bad files, crash loop) first: the scheduler never sees those apps.
    const failure = this.scheduler.failure(id) ?? this.store.get(id)?.error;
    if (failure) throw new AppFailedError(id, `app "${id}" has failed: ${failure}`);
    if ((this.store.get(id) || this.screens.has(id)) && !this.store.isEnabled(id)) throw new AppDisabledError(id);
    this.scheduler.showApp(id);
  }

  nextApp(): void {
    this.scheduler.next();
  }

  previousApp(): void {
    this.scheduler.previous();
  }

  setRotation(enabled: boolean): void {
    this.scheduler.setRotation(enabled);
    this.persist({ rotation: enabled });
  }

  setDisplay(command: DisplayCommand): void {
    // Persisted first: the brightness shown is the user's (or auto-brightness's) within the night's limit.
    this.persist({
      ...(command.state !== undefined ? { power: command.state === 'ON' } : {}),
      ...(command.brightness !== undefined ? { brightness: command.brightness } : {}),
    });
    if (command.state !== undefined || command.brightness !== undefined) {
      this.compositor.setLight(
        {
          on: command.state === undefined ? undefined : command.state === 'ON',
          brightness: command.brightness === undefined ? undefined : this.shownBrightness(),
        },
        (command.transition ?? 0) * 1000,
      );
    }
    if (command.flash !== undefined) this.compositor.flash(command.flash * 1000);
    this.options.bus.emit('stateChanged');
  }

  async installApp(manifest: AppManifest, wasm: Uint8Array, options: { replace?: boolean } = {}): Promise<void> {
    if (this.screens.has(manifest.id)) {
      throw new InvalidRequestError(
        `a screen has the id "${manifest.id}": remove it (an empty payload to cmd/screens/${manifest.id}) or give the app another id`,
      );
    }
    // The check's compile is the app's module from now on (its holder's): the start after the
    // install finds it, and the version it replaces goes (a refused install's old version is
    // compiled once more at its next start).
    try {
      await this.scheduler.whileStopped(manifest.id, () =>
        this.store.install(manifest, wasm, (bytes, m) => this.checkModule(bytes, m, this.modules.of(m.id)), options),
      );
    } catch (e) {
      // A refused install holds nothing: the refused module is not this id's (failed installs
      // under new ids must not push installed apps' modules out of the cache).
      this.modules.release([manifest.id]);
      throw e;
    }
    this.log.info(`installed app ${manifest.id} ${manifest.version}${options.replace ? ' (replace: empty config and KV store)' : ''}`);
  }

  async removeApp(id: string): Promise<void> {
    if (!this.store.get(id) && this.screens.has(id)) {
      throw new InvalidRequestError(`"${id}" is a screen, not an app: remove it with an empty payload to cmd/screens/${id}`);
    }
    await this.scheduler.whileStopped(id, () => this.store.remove(id));
    this.log.info(`removed app ${id}`);
  }

  async previewApp(manifest: AppManifest, wasm: Uint8Array): Promise<void> {
    await this.checkModule(wasm, manifest);
    const dir = join(this.options.settings.data_dir, 'preview');
    rmSync(dir, { recursive: true, force: true });
    makePrivateDir(dir);
    const bytes = Uint8Array.from(wasm);
    this.scheduler.startPreview({
      id: manifest.id,
      manifest,
      enabled: true,
      kvFile: join(dir, 'kv.json'),
      loadWasm: () => bytes,
      config: () => {
        const resolved = new ConfigSchemas().resolve(manifest.id, manifest, {});
        return 'config' in resolved ? resolved.config : {};
      },
    });
    this.log.info(`previewing app ${manifest.id} ${manifest.version}`);
  }

  endPreview(): boolean {
    const ended = this.scheduler.endPreview();
    if (ended) {
      rmSync(join(this.options.settings.data_dir, 'preview'), { recursive: true, force: true });
      this.log.info('preview ended');
    }
    return ended;
  }

  async setAppOrder(order: string[], disabled?: string[]): Promise<void> {
    this.store.setOrder(order, disabled);
  }

  async publishScreen(id: string, request: ScreenRequest, delivery: { retained: boolean } = { retained: false }): Promise<ScreenReply> {
    if (this.store.get(id)) throw new InvalidRequestError(`an app is installed with the id "${id}": a screen needs an id of its own`);
    const { problems, warnings: screenWarnings } = await this.screens.publish(id, request, delivery);
    const warnings = [...screenWarnings, ...this.refusedTopics(request), ...this.neverHolding(id, screenRuleValues(request))];
    return { id, ...(problems.length > 0 ? { errors: problems } : {}), ...(warnings.length > 0 ? { warnings } : {}) };
  }

  removeScreen(id: string): boolean {
    return this.screens.remove(id);
  }

  /** A screen's condition on a topic the bridge may not read never holds: the sender hears why. */
  private refusedTopics(request: ScreenRequest): Array<{ field: string; warning: string }> {
    const out: Array<{ field: string; warning: string }> = [];
    for (const field of ['show_when', 'pin_when'] as const) {
      const condition = request[field];
      for (const topic of condition ? conditionTopics(condition) : []) {
        const why = this.rules.topicRefusal(topic);
        if (why !== undefined) out.push({ field, warning: `never holds: ${why}` });
      }
    }
    return out;
  }

  /**
   * Rules that can never hold as the bridge is configured (see never-holds.ts): the reply's
   * warnings, and one log line per entry and warning.
   */
  private neverHolding(id: string, rules: Parameters<typeof neverHoldWarnings>[0]): RuleWarning[] {
    const s = this.options.settings;
    const warnings = neverHoldWarnings(rules, { homeAssistant: Boolean(s.homeassistant.url && s.homeassistant.token), location: s.location !== undefined });
    for (const w of warnings) this.warnOnce(`${id}: ${w.field} ${w.warning}`);
    return warnings;
  }

  setAppSchedule(id: string, schedule: Schedule | null): EntryRulesReply {
    return this.setAppRule(id, 'schedule', schedule ?? undefined);
  }

  setAppCondition(id: string, which: 'show_when' | 'pin_when', condition: Condition | null): EntryRulesReply {
    if (condition) {
      for (const topic of conditionTopics(condition)) {
        const why = this.rules.topicRefusal(topic);
        if (why !== undefined) throw new InvalidRequestError(`"${which}" reads ${why}`);
      }
    }
    return this.setAppRule(id, which === 'show_when' ? 'showWhen' : 'pinWhen', condition ?? undefined);
  }

  private setAppRule<K extends keyof AppRules>(id: string, name: K, value: AppRules[K] | undefined): EntryRulesReply {
    if (this.screens.has(id) && !this.store.get(id)) {
      throw new InvalidRequestError(`"${id}" is a screen: its schedule, show_when and pin_when are keys of the screen (cmd/screens/${id})`);
    }
    this.rulesFile.set(id, name, value);
    this.rules.setEntries(this.ruleEntries());
    // Even when the visibility stays: the Home Assistant connection follows the entities the rules read.
    this.options.bus.emit('appsChanged');
    const v = this.rules.visibilityOf(id);
    const field = { schedule: 'schedule', showWhen: 'show_when', pinWhen: 'pin_when' }[name];
    const warnings = value === undefined ? [] : this.neverHolding(id, { [field]: value });
    return { id, visible: v?.visible ?? true, ...(v && !v.visible ? { reason: v.reason } : {}), ...(warnings.length > 0 ? { warnings } : {}) };
  }

  async setAppConfig(id: string, config: Record<string, unknown>): Promise<Record<string, unknown>> {
    const resolved = this.store.setConfig(id, config);
    this.scheduler.instanceOf(id)?.setConfig(resolved);
    return resolved;
  }

  pushAppData(id: string, payload: Uint8Array): boolean {
    if (this.scheduler.pushData(id, payload)) return true;
    const waiting = this.pendingData.get(id) ?? [];
    waiting.push(Uint8Array.from(payload));
    if (waiting.length > MAX_PENDING_DATA) {
      waiting.shift();
      this.log.warn(`app ${id}: more than ${MAX_PENDING_DATA} data payloads waiting for it to start; dropped the oldest`);
    }
    this.pendingData.set(id, waiting);
    return false;
  }

  pressButton(event: ButtonEvent): void {
    // At night the first press only wakes the display: it is not reported (P/event/button, a
    // group's dismiss) and does nothing else; what a press does by day waits for the next one.
    if (this.night.press()) {
      this.options.bus.emit('stateChanged');
      return;
    }
    this.options.bus.emit('button', event);
    // A press acknowledges what is on screen first: the notification, not the app, gets it.
    if (event.action === 'press' && this.compositor.dismiss()) return;
    this.scheduler.button(event);
  }

  setTopicValue(topic: string, payload: Uint8Array): void {
    this.topicValues.set(topic, payload);
    // The app's sandbox hands it only the topics its manifest lists (one check, in sandbox/).
    const shown = this.scheduler.currentAppId;
    if (shown) this.scheduler.instanceOf(shown)?.setMqttValue(topic, payload);
  }

  readableTopics(): string[] {
    const topics = new Set<string>();
    const base = this.options.settings.mqtt.base_topic;
    for (const app of this.store.list()) {
      for (const t of app.manifest?.permissions?.mqtt ?? []) {
        if (appMayReadTopic(t, base)) topics.add(t);
        else
          this.warnOnce(
            `app ${app.id}: permissions.mqtt names ${t}, which no app may read (display commands and replies carry other apps' config); it gets no value`,
          );
      }
    }
    return [...topics];
  }

  /** Logs `message` unless one with the same `key` (by default, the same message) was logged before. */
  private warnOnce(message: string, key = message): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.log.warn(message);
  }

  // Home Assistant entity states, handed to apps exactly like topic values above.
  setEntityState(entityId: string, state: HomeAssistantEntityState | null): void {
    this.rules.setEntityState(entityId, state);
    if (state) this.entityStates.set(entityId, state);
    else this.entityStates.delete(entityId);
    // As for topics: the sandbox passes on only the entities the app was granted.
    const shown = this.scheduler.currentAppId;
    if (shown) this.scheduler.instanceOf(shown)?.setHomeAssistantState(entityId, state);
  }

  /**
   * Only what some app both asks for and homeassistant.app_access allows, and what the rules read
   * (their conditions' entities, zone.home for sun times): the rest is never fetched. Apps still
   * get only what they were granted (the sandbox checks each one).
   */
  readableEntities(): string[] {
    const entities = new Set<string>(this.rules.entityIds());
    for (const app of this.store.list()) for (const e of app.manifest ? this.entitiesOf(app.manifest).allowed : []) entities.add(e);
    return [...entities];
  }

  state(): DeviceState {
    const link = this.displayLink.linkState();
    return {
      state: this.persisted.power ? 'ON' : 'OFF',
      brightness: this.persisted.brightness,
      app: this.scheduler.currentAppId,
      fps: this.compositor.fps,
      uptime_s: Math.floor((Date.now() - this.startedAt) / 1000),
      version: VERSION,
      rotation: this.scheduler.rotationEnabled,
      notification: this.compositor.notification?.id ?? null,
      display: { width: DISPLAY_WIDTH, height: DISPLAY_HEIGHT, connected: link.connected, transport: link.transport },
      shown_brightness: this.shownBrightness(),
      night: this.night.report(),
    };
  }

  apps(): AppStatus[] {
    return this.store.entryOrder().flatMap((id): AppStatus[] => {
      const app = this.store.get(id);
      if (!app) {
        const screen = this.screens.statusOf(id, this.store.isEnabled(id), this.scheduler.failure(id));
        return screen ? [{ ...screen, ...this.visibilityOf(id, screen.enabled) }] : [];
      }
      const failure = app.error ?? this.scheduler.failure(app.id);
      return [
        {
          id: app.id,
          kind: 'app',
          name: app.manifest?.name ?? app.id,
          version: app.manifest?.version ?? '',
          enabled: app.enabled,
          status: failure ? 'failed' : 'ok',
          ...(failure ? { error: failure } : {}),
          ...this.visibilityOf(app.id, app.enabled),
        },
      ];
    });
  }

  /** `visible`, and `reason` when not, as P/state/apps lists them. */
  private visibilityOf(id: string, enabled: boolean): Pick<AppStatus, 'visible' | 'reason' | 'pinned'> {
    const v = this.rules.visibilityOf(id) ?? (enabled ? { visible: true as const, pinned: false } : { visible: false as const, reason: 'disabled' as const });
    if (!v.visible) return { visible: false, reason: v.reason };
    return this.rules.pinned === id ? { visible: true, pinned: true } : { visible: true };
  }

  // ---- internals ----

  private get night(): NightGate {
    return this.options.night?.() ?? DAY_ONLY;
  }

  private shownBrightness(): number {
    const wanted = this.autoBrightness ?? this.persisted.brightness;
    return this.brightnessLimit === undefined ? wanted : Math.min(wanted, this.brightnessLimit);
  }

  /** Shows the brightness the limits and auto-brightness give now (before start there is nothing to show it on). */
  private applyBrightness(): void {
    if (!this.compositor) return;
    const shown = this.shownBrightness();
    if (shown === this.compositor.brightness) return;
    this.compositor.setBrightness(shown);
    this.options.bus.emit('stateChanged');
  }

  /** Apps and screens in rotation order; an app folder copied in by hand under a screen's id wins over the screen. */
  private schedulable(): SchedulableApp[] {
    return this.store.entryOrder().flatMap((id): SchedulableApp[] => {
      const app = this.store.get(id);
      if (app) return app.status === 'ok' ? [this.schedulableApp(app)] : [];
      const screen = this.screens.schedulable(id, this.store.isEnabled(id));
      return screen ? [screen] : [];
    });
  }

  /** The entries in rotation order with their rules: an app's from rules.json, a screen's from its own keys. */
  private ruleEntries(): RuleEntry[] {
    return this.store.entryOrder().flatMap((id): RuleEntry[] => {
      const app = this.store.get(id);
      if (app) return [{ id, rules: { disabled: !app.enabled, ...this.rulesFile.get(id) } }];
      const screen = this.screens.rulesOf(id);
      return screen ? [{ id, rules: { disabled: !this.store.isEnabled(id), ...screenRules(screen, (m) => this.warnOnce(m)) } }] : [];
    });
  }

  private schedulableApp(app: StoredApp & { status: 'ok' }): SchedulableApp {
    return {
      id: app.id,
      manifest: app.manifest,
      enabled: app.enabled,
      kvFile: app.kvFile,
      loadWasm: () => this.store.readWasm(app.id),
      config: () => this.store.getConfig(app.id),
      moduleHolder: this.modules.of(app.id),
    };
  }

  /** What a change of a screen means for the rotation: its place, the scheduler's list, a redraw. */
  private onScreenChanged(change: ScreenChange): void {
    // Before start (loading) the scheduler does not exist yet; start() hands it everything.
    if (!this.scheduler) return;
    if (change.type === 'added') this.store.placeEntry(change.id, change.pos);
    if (change.type === 'removed') this.store.forgetEntry(change.id);
    if (change.type !== 'redraw') {
      this.scheduler.setApps(this.schedulable());
      this.rules.setEntries(this.ruleEntries());
    }
    this.scheduler.refresh(change.id);
    if (change.type !== 'redraw') this.options.bus.emit('appsChanged');
  }

  private readonly onStoreChanged = (changed: AppsChange): void => this.onAppsChanged(changed);

  private onAppsChanged(changed: AppsChange): void {
    for (const id of changed.removed) this.forgetRules(id);
    this.modules.keepOnly(this.store.list().map((app) => app.id));
    // Files replaced by hand: the compiled version is not the one on disk (an install through
    // installApp moved the hold to the new version in its check already).
    this.modules.release(changed.replaced);
    this.scheduler.setApps(this.schedulable(), [...changed.added, ...changed.updated]);
    this.rules.setEntries(this.ruleEntries());
    for (const id of changed.configured) this.scheduler.instanceOf(id)?.setConfig(this.store.getConfig(id));
    this.options.bus.emit('appsChanged');
  }

  private entitiesOf(manifest: AppManifest): { allowed: string[]; denied: string[] } {
    return splitEntities(this.options.settings.homeassistant.app_access, manifest.permissions?.homeassistant ?? []);
  }

  /** What megabit.yaml lets every app do beyond its manifest's requests. */
  private get userGrants(): Pick<SandboxOptions, 'allowPrivateHosts' | 'homeAssistantAccess' | 'icons'> {
    const s = this.options.settings;
    return { allowPrivateHosts: s.sandbox.allow_private_hosts, homeAssistantAccess: s.homeassistant.app_access, icons: this.options.icons };
  }

  private async startInstance(requested: SandboxOptions): Promise<AppInstance> {
    const id = requested.manifest.id;
    if (!this.store.get(id) && this.screens.has(id)) return this.screens.startInstance(id);
    const options = { ...requested, ...this.userGrants };
    const { manifest } = options;
    const denied = this.entitiesOf(manifest).denied;
    if (denied.length > 0) {
      this.warnOnce(
        `app ${manifest.id} asks to read ${denied.join(', ')} from Home Assistant, which homeassistant.app_access in megabit.yaml does not allow; it sees them as denied`,
        `${manifest.id}@${manifest.version} entities`,
      );
    }
    const instance = await startApp(options);
    // The latest values it may read: the sandbox keeps only those the app was granted.
    for (const [topic, value] of this.topicValues) instance.setMqttValue(topic, value);
    for (const [entityId, state] of this.entityStates) instance.setHomeAssistantState(entityId, state);
    return instance;
  }

  /** Loads the module in a throwaway sandbox (compile + setup) before it is installed; `moduleHolder`: whose module it becomes. */
  private async checkModule(wasm: Uint8Array, manifest: AppManifest, moduleHolder?: string): Promise<void> {
    // In the data dir, not /tmp: a bridge killed during the check leaves it to the next start's sweep.
    const scratch = makeScratchFolder(join(this.options.settings.data_dir, 'apps'));
    try {
      const instance = await startApp({
        manifest,
        wasm,
        config: {},
        kvFile: join(scratch, 'kv.json'),
        kvQuotaBytes: 0,
        limits: this.limits,
        timeZone: this.timeZone,
        ...this.userGrants,
        ...(moduleHolder === undefined ? {} : { moduleHolder }),
        onLog: () => undefined,
      });
      await instance.close();
    } catch (e) {
      throw new InstallFailedError(`the module does not load: ${errorMessage(e)}`);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }

  /** A removed app's rules go with it: installed again, it starts always visible. */
  private forgetRules(id: string): void {
    try {
      this.rulesFile.forget(id);
    } catch (e) {
      this.log.error(`could not forget the rules of removed app ${id}: ${errorMessage(e)}`);
    }
  }

  private persist(change: Partial<PersistedDeviceSettings>): void {
    this.persisted = { ...this.persisted, ...change };
    try {
      this.settingsFile.save(this.persisted);
    } catch (e) {
      this.log.error(`could not save device settings: ${errorMessage(e)}`);
    }
  }
}

/** Every MQTT topic a condition reads. */
function conditionTopics(c: Condition): string[] {
  if ('all' in c) return c.all.flatMap(conditionTopics);
  if ('any' in c) return c.any.flatMap(conditionTopics);
  return 'topic' in c ? [c.topic] : [];
}

/** A screen's rules as never-holds.ts reads them: its schedule parsed (one that does not parse was refused already). */
function screenRuleValues(screen: Pick<ScreenRequest, 'schedule' | 'show_when' | 'pin_when'>): Parameters<typeof neverHoldWarnings>[0] {
  const schedule = screen.schedule === undefined ? undefined : parseScheduleValue(screen.schedule);
  return {
    ...(schedule?.ok ? { schedule: schedule.value } : {}),
    ...(screen.show_when !== undefined ? { show_when: screen.show_when } : {}),
    ...(screen.pin_when !== undefined ? { pin_when: screen.pin_when } : {}),
  };
}

/** A screen's rules as the evaluator takes them; its schedule is kept as JSON and read back with the command's parser. */
function screenRules(screen: Pick<ScreenRequest, 'schedule' | 'show_when' | 'pin_when'>, warn: (message: string) => void): EntryRules {
  const rules: EntryRules = {};
  if (screen.schedule !== undefined) {
    const parsed = parseScheduleValue(screen.schedule);
    if (parsed.ok) rules.schedule = parsed.value;
    else warn(`a screen's stored schedule no longer reads (${parsed.error.message}); it shows always`);
  }
  if (screen.show_when !== undefined) rules.showWhen = screen.show_when;
  if (screen.pin_when !== undefined) rules.pinWhen = screen.pin_when;
  return rules;
}
