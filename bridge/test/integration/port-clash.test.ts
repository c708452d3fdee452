/**
 * A port clash as a user meets it: ports held busy by this test on 127.0.0.1, the real bridge
 * started on them. Every busy port is named at once with its settings key and where it was set
 * (megabit.yaml or a MEGABIT_* variable); and the start-up hint
 * gives mosquitto_pub the broker's port when it is not 1883.
 */
import { type RunningBridge, startBridge } from '../helpers/bridge-process';
import { BusyPorts, waitUntil } from '../helpers/ports';

jest.setTimeout(60_000);

const ports = new BusyPorts();
afterEach(() => ports.releaseAll());
const busyPort = (): Promise<number> => ports.take();

describe('a port clash at start', () => {
  it('names every busy port with its key, in one message', async () => {
    const [mqtt, ws, http] = [await busyPort(), await busyPort(), await busyPort()];
    const start = startBridge({ broker: { port: mqtt, ws_port: ws }, http: { port: http } });
    await expect(start).rejects.toThrow(/^bridge exited \(1\) during start/);
    const output = await start.catch((e: Error) => e.message);
    expect(output).toContain(
      `could not start: ports are already in use: broker.port ${mqtt} (MQTT on 127.0.0.1), broker.ws_port ${ws} (MQTT over WebSocket on 127.0.0.1), ` +
        `http.port ${http} (HTTP on 127.0.0.1). Another bridge or broker running? Set free ports for broker.port, broker.ws_port, http.port in megabit.yaml, ` +
        'or mqtt.url to use the broker already running.',
    );
    // One line says it all: nothing started, so no listener reported a clash of its own.
    expect(output).not.toMatch(/: port \d+ is already in use/);
  });

  it('names a single busy port as such, without the broker advice for the page', async () => {
    const http = await busyPort();
    const output = await startBridge({ http: { port: http } }).then(
      (bridge) => bridge.dispose().then(() => 'started'),
      (e: Error) => e.message,
    );
    expect(output).toContain(
      `could not start: a port is already in use: http.port ${http} (HTTP on 127.0.0.1). Another bridge or broker running? Set free ports for http.port in megabit.yaml.`,
    );
  });

  it('names the MEGABIT_* variable a busy port came from, not megabit.yaml', async () => {
    const http = await busyPort();
    const output = await startBridge({ env: { MEGABIT_HTTP_PORT: String(http) } }).then(
      (bridge) => bridge.dispose().then(() => 'started'),
      (e: Error) => e.message,
    );
    expect(output).toContain(
      `could not start: a port is already in use: http.port ${http} (HTTP on 127.0.0.1). Another bridge or broker running? Set free ports in MEGABIT_HTTP_PORT.`,
    );
  });
});

describe('the start-up hint', () => {
  let bridge: RunningBridge | undefined;
  afterEach(async () => bridge?.dispose());

  it('gives mosquitto_pub the embedded broker port when it is not 1883', async () => {
    bridge = await startBridge();
    expect(bridge.brokerPort).not.toBe(1883);
    const started = bridge;
    // The hint follows the simulator line that marks the bridge as started.
    await waitUntil(() => started.output.includes('try: '), 'the start-up hint');
    expect(bridge.output).toContain(`try: mosquitto_pub -h localhost -p ${bridge.brokerPort} -t megabit/megabit/cmd/notify -m 'Hello'`);
  });
});
