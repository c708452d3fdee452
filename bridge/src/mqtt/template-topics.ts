/**
 * The MQTT topics live templates read (`{{mqtt:topic}}`): subscribed on the bridge's connection
 * while at least one template watches a topic, unsubscribed when the last one stops, with the
 * latest payload kept for templates that join later. Topics apps may not read are refused here
 * too (commands carry app config, `$` topics are the broker's), and so are wildcards: one
 * placeholder shows one topic. Everything else must match a filter of `templates.mqtt_topics`:
 * the bridge's connection passes every ACL of the embedded broker, so without that list a login
 * that may publish a screen could show (and read back through the snapshot) any topic. A kept payload longer than templates may read is kept cut to one
 * byte over that length, so it still reads as too long without holding the rest.
 */
import { topicMatches } from '@megabit/contract';
import { appMayReadTopic } from '../device/app-topic-access';
import type { TopicValues } from '../templates/template-backends';
import type { MqttConnection } from './connection';

const MAX_TOPIC_CHARS = 256;

/** The megabit.yaml setting that lists the topics templates may read. */
export const TEMPLATE_TOPICS_SETTING = 'templates.mqtt_topics';

/** What is kept of a payload when the owner names no limit. */
const DEFAULT_MAX_KEPT_BYTES = 64 * 1024;

interface Watched {
  readonly listeners: Set<(payload: Buffer) => void>;
  readonly onMessage: (topic: string, payload: Buffer) => void;
  latest?: Buffer;
}

export class TemplateTopics implements TopicValues {
  private readonly watched = new Map<string, Watched>();

  constructor(
    private readonly mqtt: Pick<MqttConnection, 'subscribe' | 'unsubscribe'>,
    private readonly baseTopic: string,
    /** Topic filters (MQTT wildcards allowed) of the topics templates may read; empty = none. */
    private readonly allowed: readonly string[],
    /** Templates read at most this much of a payload; more is kept only as far as it shows it is too long. */
    private readonly maxPayloadBytes = DEFAULT_MAX_KEPT_BYTES,
  ) {}

  refusal(topic: string): string | undefined {
    if (topic.length === 0 || topic.length > MAX_TOPIC_CHARS) return `an MQTT topic in a template must have 1 to ${MAX_TOPIC_CHARS} characters`;
    if (/[+#]/.test(topic)) return `${topic}: a template reads one topic, not a wildcard`;
    if (topic.includes('\0')) return 'an MQTT topic may not contain NUL';
    if (!appMayReadTopic(topic, this.baseTopic)) return `${topic}: the bridge does not show this topic (commands, replies and $ topics stay off the display)`;
    if (this.allowed.length === 0) return `${topic}: MQTT templates are off (list the topics they may read in ${TEMPLATE_TOPICS_SETTING} in megabit.yaml)`;
    if (!this.allowed.some((filter) => topicMatches(filter, topic)))
      return `${topic}: not a topic templates may read (${TEMPLATE_TOPICS_SETTING} in megabit.yaml)`;
    return undefined;
  }

  /** The number of topics subscribed for templates (for tests and the logs). */
  get subscribedCount(): number {
    return this.watched.size;
  }

  watch(topic: string, onPayload: (payload: Buffer) => void): () => void {
    if (this.refusal(topic) !== undefined) return () => undefined;
    let entry = this.watched.get(topic);
    if (!entry) {
      const created: Watched = {
        listeners: new Set(),
        onMessage: (_topic, payload) => {
          // Up to 1600 topics (200 templates, 8 each) may be kept: none holds a huge payload.
          created.latest = payload.length > this.maxPayloadBytes ? Buffer.from(payload.subarray(0, this.maxPayloadBytes + 1)) : payload;
          for (const listener of [...created.listeners]) listener(payload);
        },
      };
      entry = created;
      this.watched.set(topic, entry);
      this.mqtt.subscribe(topic, entry.onMessage);
    }
    const listener = (payload: Buffer): void => onPayload(payload);
    entry.listeners.add(listener);
    if (entry.latest) onPayload(entry.latest);
    const watched = entry;
    return () => {
      if (!watched.listeners.delete(listener) || watched.listeners.size > 0) return;
      this.watched.delete(topic);
      this.mqtt.unsubscribe(topic, watched.onMessage);
    };
  }
}
