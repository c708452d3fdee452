/**
 * What a broker restart costs the bridge's MQTT connection, counted: the soak restarts the broker
 * every cycle and watches the listeners on the mqtt.js client and the connection's handlers
 * (`MqttConnection.listenerCount()`, the soak's mqttClientListeners and mqttHandlers), the
 * process's handles, descriptors and timers. Here each restart, clean or a kill, must leave every
 * one of them as it was after the first connection.
 */
import { DeviceTopics } from '@megabit/contract';
import { MqttConnection } from '../../src/mqtt/connection';
import { createLogger } from '../../src/util/logger';
import { trackBridgeTimers } from '../helpers/bridge-timers';
import { Mosquitto } from '../helpers/mosquitto';
import { waitUntil } from '../helpers/ports';
import { restingCounts } from '../helpers/resting-counts';

jest.setTimeout(60_000);

const RESTARTS = 6;

let broker: Mosquitto;
const timers = trackBridgeTimers();

beforeAll(async () => {
  broker = await Mosquitto.start();
});

afterAll(async () => {
  timers.stop();
  await broker?.dispose();
});

it(`${RESTARTS} broker restarts (clean and killed) leave the client's listeners, the connection's handlers, handles, descriptors and timers as they were`, async () => {
  const topics = new DeviceTopics('megabit', 'listener-count');
  const connection = new MqttConnection({ url: broker.url, clientId: 'listener-count', login: {}, keepaliveS: 30 }, topics, createLogger('error'));
  let announced = 0;
  let dropped = 0;
  const removeConnect = connection.onConnect(() => announced++);
  const removeDisconnect = connection.onDisconnect(() => dropped++);
  connection.subscribe('home/#', () => undefined);
  connection.subscribe(topics.cmd('#'), () => undefined);
  try {
    await connection.start();
    const listeners = connection.listenerCount();
    expect(listeners.client).toBeGreaterThan(0);
    // Two subscriptions, one connect and one disconnect listener.
    expect(listeners.handlers).toBe(4);
    const before = await restingCounts(timers);

    for (let i = 0; i < RESTARTS; i++) {
      const announcedBefore = announced;
      await broker.restart(100, i % 2 === 0 ? 'SIGKILL' : 'SIGTERM');
      await waitUntil(() => announced > announcedBefore && connection.connected, `reconnect ${i + 1}`, 30_000);
      expect(connection.listenerCount()).toEqual(listeners);
      expect(await restingCounts(timers)).toEqual(before);
    }
    expect(dropped).toBeGreaterThanOrEqual(RESTARTS);
  } finally {
    removeConnect();
    removeDisconnect();
    await connection.stop();
  }
});
