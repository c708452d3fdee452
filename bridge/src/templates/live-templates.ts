/**
 * The bridge's TemplateSource: fills `{{mqtt:topic#path}}` placeholders itself and hands what
 * still holds Home Assistant syntax to Home Assistant. MQTT values reach Home Assistant only as
 * template variables, never spliced into the template's source: whoever can publish to a topic
 * must not be able to make Home Assistant render template code of their choosing.
 *
 * Everything is bounded: template length, placeholders per template, concurrent watches, payload
 * and result length, and how often a watcher hears of a change (ResultThrottle).
 */
import { errorMessage, type Logger } from '../util/logger';
import { findPlaceholders, hasHomeAssistantSyntax, type Placeholder, valueAtPath, valueText, withoutPlaceholders } from './placeholders';
import { ResultThrottle } from './result-throttle';
import type { HomeAssistantRenderer, TopicValues } from './template-backends';
import type { TemplateResult, TemplateSource } from './template-source';

export interface TemplateLimits {
  maxTemplateChars: number;
  maxPlaceholders: number;
  maxWatches: number;
  maxPayloadBytes: number;
  maxResultChars: number;
  /** A watcher hears of a change at most once per this many milliseconds. */
  minIntervalMs: number;
  /** A new MQTT value renders a template in Home Assistant again (a new subscription there) at most this often. */
  minHomeAssistantRenderMs: number;
}

export const TEMPLATE_LIMITS: TemplateLimits = {
  maxTemplateChars: 1024,
  maxPlaceholders: 8,
  maxWatches: 200,
  maxPayloadBytes: 16 * 1024,
  maxResultChars: 1024,
  minIntervalMs: 250,
  minHomeAssistantRenderMs: 1000,
};

export const NO_HOME_ASSISTANT = 'Home Assistant templates need homeassistant.url and a token';

const NOTHING = (): void => undefined;

export class LiveTemplates implements TemplateSource {
  private readonly watches = new Set<TemplateWatch>();

  constructor(
    private readonly topics: TopicValues,
    /** Undefined when homeassistant.url or .token is not set. */
    private readonly homeAssistant: HomeAssistantRenderer | undefined,
    private readonly log: Logger,
    private readonly limits: TemplateLimits = TEMPLATE_LIMITS,
  ) {}

  isTemplate(text: string): boolean {
    return hasHomeAssistantSyntax(text);
  }

  watch(text: string, onResult: (result: TemplateResult) => void): () => void {
    const deliver = (result: TemplateResult): void => {
      try {
        onResult(result);
      } catch (e) {
        this.log.error(`showing a template's result failed: ${errorMessage(e)}`);
      }
    };
    const throttle = new ResultThrottle(this.limits.minIntervalMs, deliver);
    const refusal = this.refusal(text);
    if (refusal !== undefined) {
      throttle.push({ ok: false, error: refusal });
      return () => throttle.stop();
    }
    const watch = new TemplateWatch(text, findPlaceholders(text), throttle, this.topics, this.homeAssistant, this.limits);
    this.watches.add(watch);
    watch.start();
    return () => {
      this.watches.delete(watch);
      watch.stop();
    };
  }

  /** Ends every watch still open (the bridge is stopping). */
  stopAll(): void {
    for (const watch of this.watches) watch.stop();
    this.watches.clear();
  }

  private refusal(text: string): string | undefined {
    const l = this.limits;
    if (text.length > l.maxTemplateChars) return `a template may be at most ${l.maxTemplateChars} characters long`;
    if (this.watches.size >= l.maxWatches) return `too many live templates at once (at most ${l.maxWatches})`;
    const placeholders = findPlaceholders(text);
    if (placeholders.length > l.maxPlaceholders) return `a template may read at most ${l.maxPlaceholders} MQTT topics`;
    for (const p of placeholders) {
      if (p.path?.length === 1 && p.path[0] === '') return `${p.topic}#: a template reads one topic, not a wildcard`;
      if (p.path?.includes('')) return `${p.topic}#${p.path.join('.')}: a JSON path is keys and indexes joined by dots, like #a.b.0`;
      const why = this.topics.refusal(p.topic);
      if (why !== undefined) return why;
    }
    return undefined;
  }
}

type TopicValue = { ok: true; value: unknown } | { ok: false; error: string } | undefined;

/** One watched template: its topics' latest values and, when it needs one, its Home Assistant rendering. */
class TemplateWatch {
  private readonly values: TopicValue[];
  /** What remains once the placeholders are taken out holds Home Assistant syntax. */
  private readonly needsHomeAssistant: boolean;
  private readonly stops: Array<() => void> = [];
  private stopHomeAssistant = NOTHING;
  private homeAssistantKey?: string;
  private updateTimer?: NodeJS.Timeout;
  private lastUpdateAt = Number.NEGATIVE_INFINITY;
  private stopped = false;

  constructor(
    private readonly text: string,
    private readonly placeholders: readonly Placeholder[],
    private readonly results: ResultThrottle,
    private readonly topics: TopicValues,
    private readonly homeAssistant: HomeAssistantRenderer | undefined,
    private readonly limits: TemplateLimits,
  ) {
    this.values = placeholders.map(() => undefined);
    this.needsHomeAssistant = hasHomeAssistantSyntax(withoutPlaceholders(text, placeholders, () => ''));
  }

  start(): void {
    this.placeholders.forEach((p, i) => {
      this.stops.push(
        this.topics.watch(p.topic, (payload) => {
          this.values[i] = this.read(p, payload);
          this.scheduleUpdate();
        }),
      );
    });
    if (this.placeholders.length === 0) this.update();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.updateTimer);
    for (const stop of this.stops.splice(0)) stop();
    this.dropHomeAssistant();
    this.results.stop();
  }

  private dropHomeAssistant(): void {
    this.stopHomeAssistant();
    this.stopHomeAssistant = NOTHING;
    this.homeAssistantKey = undefined;
  }

  private read(p: Placeholder, payload: Buffer): TopicValue {
    if (payload.length > this.limits.maxPayloadBytes) return { ok: false, error: `${p.topic} holds more than ${this.limits.maxPayloadBytes} bytes` };
    const text = payload.toString('utf8');
    return p.path ? valueAtPath(text, p.path, p.topic) : { ok: true, value: text };
  }

  /** A busy topic re-renders at most once per interval, and re-subscribes in Home Assistant less often still. */
  private scheduleUpdate(): void {
    if (this.updateTimer || this.stopped) return;
    const interval = this.needsHomeAssistant ? this.limits.minHomeAssistantRenderMs : this.limits.minIntervalMs;
    const wait = Math.max(0, this.lastUpdateAt + interval - Date.now());
    this.updateTimer = setTimeout(() => {
      this.updateTimer = undefined;
      this.lastUpdateAt = Date.now();
      this.update();
    }, wait);
  }

  private update(): void {
    if (this.stopped) return;
    const failed = this.values.find((v) => v !== undefined && !v.ok);
    if (failed && !failed.ok) {
      // A later result from Home Assistant must not cover the error; a good value renders afresh.
      this.dropHomeAssistant();
      return this.push({ ok: false, error: failed.error });
    }
    // Until every topic has a value there is nothing complete to show.
    const values = this.values.map((v) => (v?.ok ? v.value : undefined));
    if (this.values.some((v) => v === undefined)) return;
    if (!this.needsHomeAssistant) {
      return this.push({ ok: true, text: withoutPlaceholders(this.text, this.placeholders, (_p, i) => valueText(values[i])) });
    }
    if (!this.homeAssistant) return this.push({ ok: false, error: NO_HOME_ASSISTANT });
    const variables = Object.fromEntries(values.map((v, i) => [variableName(i), v]));
    const template = withoutPlaceholders(this.text, this.placeholders, (p, i) => (p.inExpression ? variableName(i) : `{{ ${variableName(i)} }}`));
    const key = JSON.stringify([template, variables]);
    if (key === this.homeAssistantKey) return;
    this.dropHomeAssistant();
    this.homeAssistantKey = key;
    this.stopHomeAssistant = this.homeAssistant.render(template, variables, (result) => this.push(result));
  }

  private push(result: TemplateResult): void {
    const max = this.limits.maxResultChars;
    if (result.ok && result.text.length > max) this.results.push({ ok: true, text: result.text.slice(0, max) });
    else if (!result.ok && result.error.length > max) this.results.push({ ok: false, error: result.error.slice(0, max) });
    else this.results.push(result);
  }
}

/** The Home Assistant variable a placeholder's value travels in. */
function variableName(index: number): string {
  return `mqtt_${index}`;
}
