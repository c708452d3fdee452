/**
 * Watches the commands the nodes send a bridge (`P/cmd/screens/+` and `P/cmd/notify`), so a test
 * can check the exact JSON a node published as well as the bridge's reply to it.
 */
import type { RunningBridge } from '../../../bridge/test/helpers/bridge-process';
import { TestClient, type Received } from '../../../bridge/test/helpers/mqtt-client';

export class CommandWatch {
  private constructor(private readonly client: TestClient) {}

  static async start(bridge: RunningBridge): Promise<CommandWatch> {
    const client = await TestClient.connect(bridge.mqttUrl, bridge.topics);
    await client.subscribe([bridge.topics.cmd('screens/+'), bridge.topics.cmd('notify')]);
    return new CommandWatch(client);
  }

  /** How many commands have been seen: pass it as `since` to wait for the next one. */
  get count(): number {
    return this.client.messages.length;
  }

  /** The first command on `P/cmd/<path>` from index `since` on, waiting for it if needed. */
  next(path: string, since = 0): Promise<Received> {
    return this.client.waitFor(this.client.topics.cmd(path), () => true, 10_000, since);
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
