/**
 * The bridge's side of `P/cmd/screens/<id>` and of a notification with screen content, on a real
 * broker, for testing the nodes before the bridge has screens: it answers as the control API
 * does (`{"ok":true,"id"}` with the request's transaction, `"removed":true` for an empty payload,
 * or an `invalid_payload` error naming the problem), judging each payload by the contract's
 * screen types (screen-payload.ts), and records what it was sent. A text template left open
 * (`{{` without `}}`) is reported in `errors`, as the bridge reports one Home Assistant cannot
 * render. Once the bridge has screens, the tests can point at it instead.
 */
import { type DeviceTopics, OUT } from '@megabit/contract';
import { notifyProblems, screenProblems } from '../../../bridge/test/helpers/screen-payload';
import { TestClient, type Received } from '../../../bridge/test/helpers/mqtt-client';

export class ScreenPeer {
  private constructor(
    private readonly client: TestClient,
    readonly topics: DeviceTopics,
  ) {}

  static async start(brokerUrl: string, topics: DeviceTopics): Promise<ScreenPeer> {
    const client = await TestClient.connect(brokerUrl, topics);
    const peer = new ScreenPeer(client, topics);
    client.client.on('message', (topic, payload) => {
      void peer.answer(topic, payload.toString('utf8'));
    });
    await client.subscribe([topics.cmd('screens/+'), topics.cmd('notify')]);
    await client.publish(topics.out(OUT.availability), 'online', { retain: true });
    return peer;
  }

  /** The first command on `P/cmd/<path>` from index `since` on, waiting for it if needed. */
  next(path: string, since = 0): Promise<Received> {
    return this.client.waitFor(this.topics.cmd(path), () => true, 10_000, since);
  }

  get count(): number {
    return this.client.messages.length;
  }

  async close(): Promise<void> {
    await this.client.publish(this.topics.out(OUT.availability), '', { retain: true });
    await this.client.close();
  }

  private async answer(topic: string, payload: string): Promise<void> {
    const path = this.topics.commandPath(topic);
    if (path === undefined) return;
    const isScreen = path.startsWith('screens/');
    const problems = isScreen ? screenProblems(payload) : notifyProblems(payload);
    const transaction = transactionOf(payload);
    const id = isScreen ? path.slice('screens/'.length) : 'n1';
    const reply =
      problems.length > 0
        ? { ok: false, error: { code: 'invalid_payload', message: problems.join('; ') } }
        : { ok: true, id, ...(payload === '' ? { removed: true } : templateErrors(payload)) };
    await this.client.publish(this.topics.response(path), JSON.stringify({ ...reply, ...(transaction !== undefined ? { transaction } : {}) }));
  }
}

/** `{"errors":[{"field":"text",...}]}` when the screen's text holds a template that is never closed. */
function templateErrors(payload: string): { errors?: Array<{ field: string; error: string }> } {
  const text = (JSON.parse(payload) as { text?: unknown }).text;
  const value = typeof text === 'object' && text !== null && !Array.isArray(text) ? (text as { value?: unknown }).value : text;
  if (typeof value !== 'string' || !value.includes('{{') || value.includes('}}')) return {};
  return { errors: [{ field: 'text', error: 'TemplateSyntaxError: unexpected end of template' }] };
}

function transactionOf(payload: string): unknown {
  try {
    const value = JSON.parse(payload) as { transaction?: unknown };
    return typeof value === 'object' && value !== null ? value.transaction : undefined;
  } catch {
    return undefined;
  }
}
