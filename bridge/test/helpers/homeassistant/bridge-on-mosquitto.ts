/**
 * The in-process bridge with the clock app on its own mosquitto, and a client in Home Assistant's
 * place: what the blueprint and script tests publish their rendered payloads to.
 */
import type { DeviceTopics } from '@megabit/contract';
import { Mosquitto } from '../mosquitto';
import { TestClient } from '../mqtt-client';
import { type InProcessBridge, startInProcess } from './bridge-in-process';

export interface BridgeOnMosquitto {
  /** Subscribed to the topics asked for before the bridge started. */
  ha: TestClient;
  /** Stops what was started, the bridge first; for afterAll. */
  stop(): Promise<void>;
}

/** Resolves once `ready` (one of `subscriptions`) has come from the bridge. Anything started is stopped again if a step fails. */
export async function clockBridgeOnMosquitto(topics: DeviceTopics, subscriptions: string[], ready: string): Promise<BridgeOnMosquitto> {
  let broker: Mosquitto | undefined;
  let ha: TestClient | undefined;
  let bridge: InProcessBridge | undefined;
  const stop = async (): Promise<void> => {
    await bridge?.stop();
    await ha?.close();
    await broker?.dispose();
  };
  try {
    broker = await Mosquitto.start();
    ha = await TestClient.connect(broker.url, topics);
    await ha.subscribe(subscriptions);
    bridge = await startInProcess(broker.url, { apps: ['clock'] });
    await ha.waitFor(ready);
    return { ha, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
