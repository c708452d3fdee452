/**
 * An entity's state, end to end: Home Assistant (WebSocket API server) → the real bridge →
 * the Wasm sandbox → an app's pixels on P/display/frame (mosquitto). The test app
 * (fixtures/ha-lamp) fills the screen green for light.kitchen "on", red for "off", blue when
 * the state is unavailable.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/bridge-process';
import { Mosquitto } from '../helpers/mosquitto';
import { TestClient, type Received } from '../helpers/mqtt-client';
import { startInProcess, type InProcessBridge } from '../helpers/homeassistant/bridge-in-process';
import { HomeAssistantServer } from '../helpers/homeassistant/home-assistant-server';
import { DEVICE_TOPICS as P } from '../helpers/topics';

const APP_DIR = join(__dirname, 'fixtures', 'ha-lamp');
const BUILD_SCRIPT = join(REPO_ROOT, 'apps', 'sdk', 'bin', 'build-app.js');
const TOKEN = 'e2e-token-never-logged';

type Colour = 'green' | 'red' | 'blue' | 'other';

/** The colour filling the frame (brightness scales it, so only which channel is lit counts). */
function colourOf(m: Received): Colour {
  const [r, g, b] = m.payload;
  if (m.payload.length !== 6144) return 'other';
  if (g > 0 && r === 0 && b === 0) return 'green';
  if (r > 0 && g === 0 && b === 0) return 'red';
  if (b > 0 && r === 0 && g === 0) return 'blue';
  return 'other';
}

function dataDirWithApp(): string {
  // A child process: asc is an ES module, which jest's CommonJS runtime cannot import.
  const { isStale } = require(BUILD_SCRIPT) as { isStale(dir: string): boolean };
  if (isStale(APP_DIR)) execFileSync(process.execPath, [BUILD_SCRIPT, APP_DIR], { stdio: 'pipe', timeout: 120_000 });
  const dataDir = mkdtempSync(join(tmpdir(), 'megabit-ha-app-'));
  mkdirSync(join(dataDir, 'apps'), { recursive: true });
  cpSync(join(APP_DIR, 'build'), join(dataDir, 'apps', 'ha-lamp'), { recursive: true });
  return dataDir;
}

describe('an app reading Home Assistant', () => {
  let broker: Mosquitto;
  let client: TestClient;
  let dataDir: string;

  beforeAll(async () => {
    broker = await Mosquitto.start();
    client = await TestClient.connect(broker.url, P);
    await client.subscribe(P.out('display/frame'));
  });

  afterAll(async () => {
    await client?.close();
    await broker?.dispose();
  });

  beforeEach(() => {
    dataDir = dataDirWithApp();
  });

  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  const waitForColour = (colour: Colour, since: number): Promise<Received> =>
    client.waitFor(P.out('display/frame'), (m) => colourOf(m) === colour, 20_000, since);

  it('follows the entity: off → red, on → green, removed → blue', async () => {
    const ha = await HomeAssistantServer.start(TOKEN);
    ha.setState('light.kitchen', 'off');
    let bridge: InProcessBridge | undefined;
    try {
      const since = client.messages.length;
      bridge = await startInProcess(broker.url, { dataDir, settings: { homeassistant: { url: ha.url, token: TOKEN, app_access: ['light'] } } });
      await waitForColour('red', since);
      expect(ha.entitySubscriptions()).toEqual([['light.kitchen']]);

      let mark = client.messages.length;
      ha.setState('light.kitchen', 'on', { brightness: 255 });
      await waitForColour('green', mark);

      mark = client.messages.length;
      ha.removeEntity('light.kitchen');
      await waitForColour('blue', mark);
    } finally {
      await bridge?.stop();
      await ha.stop();
    }
  });

  it('without Home Assistant configured the bridge runs as before and the app sees "unavailable"', async () => {
    const since = client.messages.length;
    const bridge = await startInProcess(broker.url, { dataDir });
    try {
      await waitForColour('blue', since);
      const reply = await client.request('notify', 'still works');
      expect(reply.ok).toBe(true);
    } finally {
      await bridge.stop();
    }
  });
});
