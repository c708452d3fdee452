/**
 * The port-clash message says where each busy port was set: a MEGABIT_* variable, or megabit.yaml.
 * Ports are held busy by this test on 127.0.0.1; the check probes them as the bridge would at start.
 */
import { settingsFrom } from '../../src/config';
import { checkPortsFree, PortsInUseError } from '../../src/config/busy-ports';
import { BusyPorts } from '../helpers/ports';

const ports = new BusyPorts();
afterEach(() => ports.releaseAll());
const busyPort = (): Promise<number> => ports.take();

/** The message checkPortsFree throws for these settings. */
async function clash(doc: unknown, env: NodeJS.ProcessEnv): Promise<string> {
  const error = await checkPortsFree(settingsFrom(doc, 'test.yaml', env)).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof PortsInUseError)) throw new Error(`expected a PortsInUseError, got ${String(error)}`);
  return error.message;
}

describe('a busy port', () => {
  it('names the variable that set it', async () => {
    const http = await busyPort();
    // broker.port 0: any free port, so only the page's port can clash.
    expect(await clash({ broker: { port: 0, ws_port: 0 } }, { MEGABIT_HTTP_PORT: String(http) })).toBe(
      `a port is already in use: http.port ${http} (HTTP on 127.0.0.1). Another bridge or broker running? Set free ports in MEGABIT_HTTP_PORT.`,
    );
  });

  it('names the file for ports from it and the variables for the rest, in one message', async () => {
    const [mqtt, http] = [await busyPort(), await busyPort()];
    expect(await clash({ broker: { port: mqtt, ws_port: 0 } }, { MEGABIT_HTTP_PORT: String(http) })).toBe(
      `ports are already in use: broker.port ${mqtt} (MQTT on 127.0.0.1), http.port ${http} (HTTP on 127.0.0.1). Another bridge or broker running? ` +
        'Set free ports for broker.port in megabit.yaml and in MEGABIT_HTTP_PORT, or mqtt.url to use the broker already running.',
    );
  });

  it('says megabit.yaml when no variable set any of them', async () => {
    const http = await busyPort();
    expect(await clash({ broker: { port: 0, ws_port: 0 }, http: { port: http } }, {})).toBe(
      `a port is already in use: http.port ${http} (HTTP on 127.0.0.1). Another bridge or broker running? Set free ports for http.port in megabit.yaml.`,
    );
  });
});
