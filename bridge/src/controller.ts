/**
 * Runs the bridge: builds the parts from one context (parts.ts) and starts them in order,
 * broker → outputs → device core → MQTT connection → API and publishers → HTTP → Home Assistant;
 * stops them in reverse. Dependencies point one way: the MQTT layer knows the device; the device
 * knows nothing of MQTT.
 */
import { join } from 'node:path';
import type { DeviceTopics } from '@megabit/contract';
import type { EventBus } from './events';
import type { CountSources } from './diagnostics/resource-counts';
import { PartSequence } from './part';
import { bridgeParts, type ContextOptions, createPartContext, type PartContext } from './parts';
import { compiledModuleTotals } from './sandbox/compiled-modules';
import { liveWorkerCount, startedWorkerCount } from './sandbox/worker-script';
import type { TemplateSource } from './templates/template-source';
import { securePrivateDir } from './util/private-files';

export class Controller {
  private readonly parts: PartSequence;
  private current?: PartContext;

  constructor(private readonly options: ContextOptions) {
    this.parts = new PartSequence(options.log, options.timeline);
  }

  get topics(): DeviceTopics {
    return this.running.topics;
  }

  get mqttUrl(): string {
    const ctx = this.running;
    return this.options.settings.mqtt.url ?? `mqtt://127.0.0.1:${ctx.broker!.port}`;
  }

  get httpPort(): number {
    return this.running.http.port;
  }

  /** The event bus the parts share (the rotation and night mode speak on it). */
  get bus(): EventBus {
    return this.running.bus;
  }

  /** Live text for screens, as the device renders it. */
  get templates(): TemplateSource {
    return this.running.templates;
  }

  /** Where the leak counts are read (diagnostics/): the running parts' bus and MQTT connection. */
  get countSources(): CountSources {
    return {
      busListeners: () => this.current?.bus.listenerCount() ?? 0,
      mqttListeners: () => this.current?.mqtt.listenerCount() ?? { client: 0, handlers: 0 },
      workers: liveWorkerCount,
      workersStarted: startedWorkerCount,
      compiledModules: compiledModuleTotals,
    };
  }

  /** Re-reads what can change without a restart: the broker's password and ACL files. */
  reload(): void {
    this.current?.broker?.reload();
  }

  /** Starts every part; if one fails, those already started are stopped and the error is thrown. */
  async start(): Promise<void> {
    const { settings, log } = this.options;
    // Before anything reads or writes there: app config (API keys) and KV stores are the user's alone.
    securePrivateDir(settings.data_dir, log);
    const timeline = this.options.timeline;
    this.current = timeline ? await timeline.phase('build parts', () => createPartContext(this.options)) : createPartContext(this.options);
    await this.parts.start(bridgeParts(this.current));
  }

  /** Stops everything in reverse order; one part failing to stop does not keep the others running. */
  async stop(): Promise<void> {
    // A bridge stopped before its first drawn frame (no app installed) still says how it started.
    this.options.timeline?.flush();
    await this.parts.stop();
  }

  static defaultSimulatorDir(): string {
    return join(__dirname, 'simulator');
  }

  private get running(): PartContext {
    if (!this.current) throw new Error('the bridge has not started');
    return this.current;
  }
}
