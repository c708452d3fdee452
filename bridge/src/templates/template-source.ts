/**
 * Live text: a screen's text field may hold a template (Home Assistant's `{{ states('x') }}`
 * or the bridge's own `{{mqtt:topic#json.path}}`) whose rendered value changes over time. Screens
 * only see this interface; the MQTT and Home Assistant layers implement it, so the device layer
 * knows nothing of either.
 */
export type TemplateResult = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly error: string };

export interface TemplateSource {
  /** True when `text` holds template syntax (plain text is shown as it is, never rendered). */
  isTemplate(text: string): boolean;
  /**
   * Renders `text` and calls `onResult` with the first result and again whenever it changes,
   * until the returned function is called. Errors (bad syntax, no Home Assistant, a topic the
   * bridge may not read) come as `{ ok: false }`, never as a throw.
   */
  watch(text: string, onResult: (result: TemplateResult) => void): () => void;
}

/** For a bridge without any template support: nothing is a template. */
export const NO_TEMPLATES: TemplateSource = {
  isTemplate: () => false,
  watch: () => () => undefined,
};
