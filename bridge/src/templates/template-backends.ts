/**
 * What live templates are rendered with, as the template layer sees it: the latest payloads of
 * MQTT topics (implemented in mqtt/) and Home Assistant's own renderer (implemented in
 * homeassistant/). Declared here so the template layer depends on neither.
 */
import type { TemplateResult } from './template-source';

export interface TopicValues {
  /** Why the bridge will not show `topic` (a wildcard, a `$` topic, a command topic), or undefined. */
  refusal(topic: string): string | undefined;
  /** Calls `onPayload` with the topic's latest payload (when one is known) and each new one, until stopped. */
  watch(topic: string, onPayload: (payload: Buffer) => void): () => void;
}

export interface HomeAssistantRenderer {
  /**
   * Renders `template` in Home Assistant with `variables` and calls `onResult` with each result it
   * reports (the first, then one whenever a state the template reads changes), until stopped.
   */
  render(template: string, variables: Readonly<Record<string, unknown>>, onResult: (result: TemplateResult) => void): () => void;
}
