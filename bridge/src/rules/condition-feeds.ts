/**
 * The latest value of every input the `show_when`/`pin_when` conditions read: Home Assistant
 * entity states (handed in by the device, which gets them from the Home Assistant connection),
 * Home Assistant templates (rendered through the bridge's TemplateSource) and MQTT topics
 * (through the same TopicValues that `{{mqtt:…}}` templates read, so under the same rules:
 * never a command, reply or `$` topic, and only topics `templates.mqtt_topics` lists).
 * Watches exactly what the conditions name, and says when a value changed.
 */
import type { ConditionInputs, ConditionReads } from '../schedules/conditions';
import type { TopicValues } from '../templates/template-backends';
import type { TemplateSource } from '../templates/template-source';

/** A topic value longer than this is no condition value (it fails every test). */
export const MAX_CONDITION_PAYLOAD_BYTES = 1024;

export interface ConditionSources {
  templates: TemplateSource;
  /** Undefined: no MQTT values (every topic condition fails). */
  topics?: TopicValues;
}

export class ConditionFeeds implements ConditionInputs {
  private readonly entities = new Map<string, string>();
  private readonly topicTexts = new Map<string, string | undefined>();
  private readonly templateTexts = new Map<string, string | undefined>();
  private readonly stops = new Map<string, () => void>();
  private wantedEntities = new Set<string>();

  constructor(
    private readonly sources: ConditionSources,
    private readonly onChange: () => void,
  ) {}

  entityState(entity: string): string | undefined {
    return this.entities.get(entity);
  }

  topicValue(topic: string): string | undefined {
    return this.topicTexts.get(topic);
  }

  templateResult(template: string): string | undefined {
    return this.templateTexts.get(template);
  }

  /** Why a condition may not read `topic`, or undefined when it may. */
  topicRefusal(topic: string): string | undefined {
    if (!this.sources.topics) return `${topic}: this bridge reads no MQTT topics for conditions`;
    return this.sources.topics.refusal(topic);
  }

  /** The entities conditions read (the device asks Home Assistant for them). */
  get entityIds(): string[] {
    return [...this.wantedEntities];
  }

  /** A new state of an entity; false when no condition reads it (nothing to evaluate again). */
  setEntityState(entity: string, state: string | undefined): boolean {
    if (!this.wantedEntities.has(entity)) return false;
    if (this.entities.get(entity) === state) return false;
    if (state === undefined) this.entities.delete(entity);
    else this.entities.set(entity, state);
    return true;
  }

  /** Watches what `reads` names and stops watching the rest. */
  sync(reads: ConditionReads): void {
    this.wantedEntities = new Set(reads.entities);
    for (const id of [...this.entities.keys()]) if (!this.wantedEntities.has(id)) this.entities.delete(id);
    const wanted = new Set([...reads.topics.map((t) => `topic:${t}`), ...reads.templates.map((t) => `template:${t}`)]);
    for (const [key, stop] of [...this.stops]) {
      if (wanted.has(key)) continue;
      stop();
      this.stops.delete(key);
      if (key.startsWith('topic:')) this.topicTexts.delete(key.slice(6));
      else this.templateTexts.delete(key.slice(9));
    }
    for (const topic of reads.topics) if (!this.stops.has(`topic:${topic}`)) this.watchTopic(topic);
    for (const template of reads.templates) if (!this.stops.has(`template:${template}`)) this.watchTemplate(template);
  }

  stop(): void {
    for (const stop of this.stops.values()) stop();
    this.stops.clear();
    this.topicTexts.clear();
    this.templateTexts.clear();
  }

  private watchTopic(topic: string): void {
    const topics = this.sources.topics;
    // A refused topic is never subscribed: its condition simply never holds.
    if (!topics || topics.refusal(topic) !== undefined) {
      this.stops.set(`topic:${topic}`, () => undefined);
      return;
    }
    this.stops.set(`topic:${topic}`, () => undefined);
    const stop = topics.watch(topic, (payload) => {
      const text = payload.length > MAX_CONDITION_PAYLOAD_BYTES ? undefined : payload.toString('utf8');
      if (this.topicTexts.get(topic) === text && this.topicTexts.has(topic)) return;
      this.topicTexts.set(topic, text);
      this.onChange();
    });
    this.stops.set(`topic:${topic}`, stop);
  }

  private watchTemplate(template: string): void {
    this.stops.set(`template:${template}`, () => undefined);
    const stop = this.sources.templates.watch(template, (result) => {
      const text = result.ok ? result.text : undefined;
      if (this.templateTexts.get(template) === text && this.templateTexts.has(template)) return;
      this.templateTexts.set(template, text);
      this.onChange();
    });
    this.stops.set(`template:${template}`, stop);
  }
}
