/** One-shot MQTT requests for command-line tools: send a command, wait for its reply. */
import { randomUUID } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { type CommandName, type CommandResponse, commandPath, type DeviceTopics, type ParamArgs } from '@megabit/contract';

export interface Requester {
  /** Sends the command (`CMD` names it) and resolves with its reply, typed by the command. */
  request<K extends CommandName>(name: K, body: Record<string, unknown>, timeoutMs?: number, ...params: ParamArgs<K>): Promise<CommandResponse<K>>;
  client: MqttClient;
  close(): Promise<void>;
}

export async function connectRequester(url: string, topics: DeviceTopics, auth: { username?: string; password?: string } = {}): Promise<Requester> {
  let client: MqttClient;
  try {
    client = await mqtt.connectAsync(url, { protocolVersion: 4, connectTimeout: 5000, reconnectPeriod: 0, ...auth });
  } catch (e) {
    throw new Error(`cannot reach the MQTT broker at ${url}: ${(e as Error).message} (is the bridge running? pass --mqtt URL)`);
  }
  return {
    client,
    async request<K extends CommandName>(name: K, body: Record<string, unknown>, timeoutMs = 15_000, ...params: ParamArgs<K>): Promise<CommandResponse<K>> {
      const path = commandPath(name, ...params);
      const transaction = randomUUID();
      const responseTopic = topics.response(path);
      await client.subscribeAsync(responseTopic, { qos: 1 });
      const reply = new Promise<Record<string, unknown>>((resolve, reject) => {
        const timer = setTimeout(() => {
          client.off('message', onMessage);
          reject(
            new Error(
              `no reply on ${responseTopic} within ${timeoutMs / 1000} s (is a bridge with device id "${topics.prefix.split('/')[1]}" running on this broker?)`,
            ),
          );
        }, timeoutMs);
        const onMessage = (topic: string, payload: Buffer): void => {
          if (topic !== responseTopic) return;
          let parsed: Record<string, unknown>;
          try {
            parsed = JSON.parse(payload.toString()) as Record<string, unknown>;
          } catch {
            return;
          }
          if (parsed.transaction !== transaction) return;
          clearTimeout(timer);
          client.off('message', onMessage);
          resolve(parsed);
        };
        client.on('message', onMessage);
      });
      await client.publishAsync(topics.cmd(path), JSON.stringify({ ...body, transaction }), { qos: 1 });
      // The bridge answers with the command's reply shape (contract's COMMANDS); this is not re-checked here.
      return (await reply) as unknown as CommandResponse<K>;
    },
    close: () => client.endAsync(),
  };
}
