/**
 * `megabit --remove-discovery`: clears every retained discovery config of this display, so Home
 * Assistant drops its device and entities. Uses its own short-lived MQTT client: the bridge's
 * connection would announce the display online and offline as a side effect.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Settings } from '../config';
import { topicMatches } from '@megabit/contract';
import { loginOptions } from '../mqtt/client-options';
import { redact, type MessageHandler } from '../mqtt/connection';
import { errorMessage } from '../util/logger';
import { configFilter, nodeIdFor } from './discovery-configs';
import { collectRetained, type Subscriber } from './retained-configs';
import { deviceConfigTopic } from './device-discovery';

/**
 * Resolves once every config is cleared, with what was done, for the person who asked; rejects
 * with a readable message when the broker is unreachable.
 */
export async function removeDiscovery(settings: Settings): Promise<string> {
  const embedded = settings.mqtt.url === undefined;
  const url = settings.mqtt.url ?? `mqtt://127.0.0.1:${settings.broker.port}`;
  let client: MqttClient;
  try {
    client = await mqtt.connectAsync(url, clientOptions(settings));
  } catch (e) {
    const refusedLogin = [4, 5, 0x86, 0x87].includes((e as { code?: number }).code ?? -1);
    if (embedded && refusedLogin) {
      throw new Error(
        'the embedded broker refused the login: set mqtt.username and mqtt.password in megabit.yaml ' +
          'to a user of broker.password_file that may write homeassistant/# (admin in config/megabit.acl)',
      );
    }
    if (embedded) {
      // The embedded broker keeps retained messages in memory: when it is not running, nothing is left.
      return `the embedded broker (port ${settings.broker.port}) is not running, so it holds no discovery configs`;
    }
    throw new Error(`cannot reach the MQTT broker ${redact(url)}: ${errorMessage(e)}`);
  }
  try {
    const nodeId = nodeIdFor(settings.mqtt.base_topic, settings.device_id);
    const prefix = settings.homeassistant.discovery_prefix;
    // The device config, and single-component configs an earlier version left.
    const filters = [deviceConfigTopic(prefix, nodeId), configFilter(prefix, nodeId)];
    const subscriber = subscriberOf(client);
    const found = await Promise.all(filters.map((filter) => collectRetained(subscriber, filter)));
    const topics = found.flatMap((map) => [...map.keys()]);
    for (const topic of topics) await client.publishAsync(topic, '', { retain: true, qos: 1 });
    return `removed ${topics.length} Home Assistant discovery config(s) (${filters.join(', ')})`;
  } finally {
    await client.endAsync();
  }
}

function clientOptions(settings: Settings): IClientOptions {
  return {
    clientId: `megabit-${settings.device_id}-remove-discovery`,
    protocolVersion: 4,
    clean: true,
    connectTimeout: 5000,
    reconnectPeriod: 0,
    ...loginOptions(settings.mqtt),
  };
}

/** One message listener per subscription filter on a plain mqtt.js client. */
function subscriberOf(client: MqttClient): Subscriber {
  const listeners = new Map<MessageHandler, (topic: string, payload: Buffer, packet: { retain?: boolean }) => void>();
  return {
    subscribe(filter, handler) {
      const listener = (topic: string, payload: Buffer, packet: { retain?: boolean }): void => {
        if (topicMatches(filter, topic)) handler(topic, payload, packet.retain === true);
      };
      listeners.set(handler, listener);
      client.on('message', listener);
      client.subscribe(filter, { qos: 1 });
    },
    unsubscribe(filter, handler) {
      const listener = listeners.get(handler);
      if (listener) client.off('message', listener);
      listeners.delete(handler);
      client.unsubscribe(filter);
    },
  };
}
