/**
 * Home Assistant's own template rendering for live text: one `render_template` subscription
 * (with `report_errors`) per watched template on the bridge's Home Assistant connection. Home
 * Assistant answers with events holding `{result, listeners}` (first render, then each change of
 * a state the template reads) or `{error, level}`; an older Home Assistant refuses a bad template
 * with a failed `result` instead. Subscriptions are made again after every reconnect (the
 * client library's own resubscription is off: it leaves a refused one as an unhandled
 * rejection), and the last result stays on the display while Home Assistant is away.
 */
import type { Connection } from '../esm-types';
import type { HomeAssistantRenderer } from '../templates/template-backends';
import type { TemplateResult } from '../templates/template-source';
import { errorMessage, type Logger } from '../util/logger';

const RENDER_TIMEOUT_S = 3;

interface Rendering {
  readonly template: string;
  readonly variables: Readonly<Record<string, unknown>>;
  readonly onResult: (result: TemplateResult) => void;
  /** Ends the current subscription; set once Home Assistant accepted it. */
  unsubscribe?: () => Promise<void>;
  /** Which connection's session the subscription belongs to; a reconnect starts a new one. */
  session: number;
}

export class HomeAssistantTemplates implements HomeAssistantRenderer {
  private connection?: Connection;
  private readonly renderings = new Set<Rendering>();
  private session = 0;

  constructor(private readonly log: Logger) {}

  /** Called with each new connection to Home Assistant; renders every watched template on it. */
  attach(connection: Connection): void {
    this.connection = connection;
    this.session++;
    connection.addEventListener('disconnected', () => {
      if (this.connection !== connection) return;
      // Subscriptions end with the socket; results already shown stay until Home Assistant is back.
      this.session++;
      for (const r of this.renderings) r.unsubscribe = undefined;
    });
    connection.addEventListener('ready', () => {
      if (this.connection !== connection) return;
      this.session++;
      this.subscribeAll();
    });
    this.subscribeAll();
  }

  render(template: string, variables: Readonly<Record<string, unknown>>, onResult: (result: TemplateResult) => void): () => void {
    const rendering: Rendering = { template, variables, onResult, session: -1 };
    this.renderings.add(rendering);
    if (this.connection?.connected) this.subscribe(rendering, this.connection);
    return () => {
      if (!this.renderings.delete(rendering)) return;
      const unsubscribe = rendering.unsubscribe;
      rendering.unsubscribe = undefined;
      unsubscribe?.().catch(() => undefined);
    };
  }

  private subscribeAll(): void {
    const connection = this.connection;
    if (!connection?.connected) return;
    for (const r of this.renderings) if (r.session !== this.session) this.subscribe(r, connection);
  }

  private subscribe(rendering: Rendering, connection: Connection): void {
    const session = this.session;
    rendering.session = session;
    rendering.unsubscribe = undefined;
    const message = {
      type: 'render_template',
      template: rendering.template,
      variables: rendering.variables,
      report_errors: true,
      // Home Assistant refuses a template whose first render takes longer: a screen must not tie it up.
      timeout: RENDER_TIMEOUT_S,
    };
    connection
      .subscribeMessage((event: unknown) => this.handleEvent(rendering, session, event), message, { resubscribe: false })
      .then((unsubscribe) => {
        const current = this.renderings.has(rendering) && rendering.session === session && this.session === session;
        if (current) rendering.unsubscribe = unsubscribe;
        else if (this.connection === connection && connection.connected) unsubscribe().catch(() => undefined);
      })
      .catch((e: unknown) => {
        if (this.renderings.has(rendering) && rendering.session === session) rendering.onResult({ ok: false, error: refusalText(e) });
      });
  }

  private handleEvent(rendering: Rendering, session: number, event: unknown): void {
    if (!this.renderings.has(rendering) || rendering.session !== session) return;
    if (typeof event !== 'object' || event === null) return;
    const e = event as { result?: unknown; error?: unknown; level?: unknown };
    if ('result' in e) {
      rendering.onResult({ ok: true, text: resultText(e.result) });
    } else if (typeof e.error === 'string') {
      // A warning (an undefined variable, say) comes with a result of its own: only errors replace it.
      if (e.level === 'WARNING') this.log.debug(`Home Assistant template warning: ${e.error}`);
      else rendering.onResult({ ok: false, error: e.error });
    }
  }
}

/**
 * Home Assistant sends a result that reads as a Python literal as that value (`21.5` as a
 * number, `True` as true, `None` as null, a list as a list); it is shown as the text it came from.
 */
export function resultText(result: unknown): string {
  if (typeof result === 'string') return result;
  if (typeof result === 'number') return String(result);
  if (result === true) return 'True';
  if (result === false) return 'False';
  if (result === null || result === undefined) return 'None';
  return JSON.stringify(result);
}

/** A failed `result`: `{code, message}` from Home Assistant, or the client's own error. */
function refusalText(e: unknown): string {
  if (typeof e === 'object' && e !== null && typeof (e as { message?: unknown }).message === 'string') return (e as { message: string }).message;
  return `Home Assistant refused the template (${errorMessage(e)})`;
}
