/**
 * The simulator page in headless Chromium against real bridges: what it draws, what it publishes,
 * what it records, and how it follows bridges going away and coming back.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OUT } from '@megabit/contract';
import { GifReader } from 'omggif';
import type { Browser, Page } from 'playwright-core';
import { REPO_ROOT, startBridge, type RunningBridge } from '../helpers/bridge-process';
import { Mosquitto } from '../helpers/mosquitto';
import { TestClient, type Received } from '../helpers/mqtt-client';
import { waitUntil } from '../helpers/ports';
import { launchChromium } from '../helpers/simulator/chromium';
import {
  canvasFrame,
  countPixels,
  isGreen,
  isRed,
  openConnectedSimulator,
  openSimulator,
  POLL_MS,
  sameFrame,
  waitForAttribute,
  waitForText,
  waitForTexts,
} from '../helpers/simulator/page-driver';

// The build script is plain CommonJS so that it runs without a build itself.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { bundleSimulator } = require('../../scripts/build-simulator.js') as { bundleSimulator(): Promise<string> };

jest.setTimeout(90_000);

const LONG_PRESS_MS = 500;

const SCREENSHOT = join(REPO_ROOT, 'docs', 'images', 'simulator.png');
/**
 * What the screenshot shows, written beside it: the page's visible elements (ids and data-field
 * names). Pixels differ from run to run (the clock, the uptime, a port in the log); this list does
 * not, so a page that gains or loses a part fails the test until the picture is taken again.
 */
const SCREENSHOT_ELEMENTS = join(REPO_ROOT, 'docs', 'images', 'simulator.elements.json');

/** The visible elements of the page that a screenshot of it shows, sorted. */
function visibleElements(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const shown = (e: Element): boolean => e instanceof HTMLElement && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
    const ids = [...document.querySelectorAll('[id]')].filter(shown).map((e) => `#${e.id}`);
    const fields = [...document.querySelectorAll('[data-field]')].filter(shown).map((e) => `[data-field="${e.getAttribute('data-field')}"]`);
    return [...new Set([...ids, ...fields])].sort();
  });
}

function lastFrame(client: TestClient, topic: string): Uint8Array | undefined {
  return client.on(topic).at(-1)?.payload;
}

/** Waits until the canvas shows the newest frame the bridge published, and returns it. */
async function canvasShowsLatest(page: Page, client: TestClient, topic: string): Promise<Uint8Array> {
  let shown: Uint8Array = new Uint8Array(0);
  await waitUntil(
    async () => {
      const latest = lastFrame(client, topic);
      shown = await canvasFrame(page);
      return latest !== undefined && sameFrame(shown, latest);
    },
    'the canvas to show the latest published frame',
    10_000,
    POLL_MS,
  );
  return shown;
}

async function buttonEvent(client: TestClient, topic: string, since: number, act: () => Promise<void>): Promise<string> {
  await act();
  const m = await client.waitFor(topic, () => true, 10_000, since);
  return (JSON.parse(m.payload.toString()) as { action: string }).action;
}

beforeAll(async () => {
  await bundleSimulator();
});

describe('simulator page served by a bridge with its embedded broker', () => {
  let browser: Browser;
  let bridge: RunningBridge;
  let client: TestClient;
  let page: Page;
  let errors: string[];
  let frameTopic: string;

  beforeAll(async () => {
    browser = await launchChromium();
    // A long press shorter than the 800 ms default: the page must use what its bridge serves.
    bridge = await startBridge({ apps: ['clock'], settings: { button: { long_press_ms: LONG_PRESS_MS } } });
    frameTopic = bridge.topics.out(OUT.frame);
    ({ page, errors, client } = await openConnectedSimulator(browser, bridge));
  });

  afterAll(async () => {
    await browser?.close();
    await client?.close();
    await bridge?.dispose();
  });

  afterEach(() => {
    expect(errors).toEqual([]);
  });

  it('draws the frame the bridge publishes, LED by LED, in both styles and at any pixel ratio', async () => {
    await client.request('notify', { id: 'known', text: 'HI', color: '#00ff00', hold: true });
    try {
      await drawsKnownFrame();
    } finally {
      await client.request('notify/dismiss', { id: 'known' });
    }
  });

  async function drawsKnownFrame(): Promise<void> {
    await client.waitFor(frameTopic, (m) => countPixels(m.payload, isGreen) > 10);
    const shown = await canvasShowsLatest(page, client, frameTopic);
    expect(countPixels(shown, isGreen)).toBeGreaterThan(10);

    // LED style leaves a dark gap at the corner of each cell; plain pixels fill the cell.
    const corner = (): Promise<number[]> =>
      page.evaluate(() => {
        const canvas = document.getElementById('panel') as HTMLCanvasElement;
        const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        const counts = [0, 0];
        const cell = canvas.width / 64;
        for (let p = 0; p < 64 * 32; p++) {
          const x = (p % 64) * cell;
          const y = Math.floor(p / 64) * cell;
          const i = (y * canvas.width + x) * 4;
          if (data[i + 1] > 120) counts[0]++;
          const half = Math.floor(cell / 2);
          const c = ((y + half) * canvas.width + x + half) * 4;
          if (data[c + 1] > 120) counts[1]++;
        }
        return counts;
      });
    const [ledCorners, ledCentres] = await corner();
    expect(ledCorners).toBe(0);
    expect(ledCentres).toBeGreaterThan(10);
    await page.check('#plain-pixels');
    const [plainCorners, plainCentres] = await corner();
    expect(plainCorners).toBe(plainCentres);
    expect(sameFrame(await canvasFrame(page), lastFrame(client, frameTopic)!)).toBe(true);
    await page.uncheck('#plain-pixels');

    // On a 2x screen the canvas has twice the pixels of its CSS size, a whole number per LED.
    const hiDpi = await openSimulator(browser, `${bridge.httpUrl}/`, 2);
    await canvasShowsLatest(hiDpi.page, client, frameTopic);
    const size = await hiDpi.page.evaluate(() => {
      const canvas = document.getElementById('panel') as HTMLCanvasElement;
      return { width: canvas.width, css: canvas.getBoundingClientRect().width };
    });
    expect(size.width % 64).toBe(0);
    expect(size.width).toBeCloseTo(size.css * 2, 5);
    expect(hiDpi.errors).toEqual([]);
    await hiDpi.page.context().close();
  }

  it('shows the device state, dims the panel with the brightness, and says when the display is off', async () => {
    await waitForText(page, '[data-field="power"]', 'ON');
    await page.locator('[data-field="app"]', { hasText: 'clock' }).waitFor();
    await waitForText(page, '#broker-status', 'broker: connected');

    await client.request('display', { brightness: 64 });
    await page.locator('[data-field="brightness"]', { hasText: '64 / 255' }).waitFor();
    expect(await page.locator('#panel').evaluate((c) => c.style.filter)).toBe('brightness(0.533)');

    await client.request('display', { state: 'OFF' });
    await page.locator('#overlay', { hasText: 'Display off' }).waitFor();
    await client.request('display', { state: 'ON', brightness: 255 });
    await page.locator('#overlay').waitFor({ state: 'hidden' });
    expect(await page.locator('#panel').evaluate((c) => c.style.filter)).toBe('');
  });

  it("draws the board's status LEDs as P/state/display reports them", async () => {
    // Without a board, the bridge reports no LEDs: both dark.
    await waitForAttribute(page, '#led-link', 'data-on', 'false');
    await waitForAttribute(page, '#led-rgb', 'data-colour', 'off');
    // What a bridge with a board publishes (the qemu end-to-end test checks the board agrees).
    const topic = bridge.topics.out(OUT.stateDisplay);
    const real = JSON.parse(client.on(topic).at(-1)!.payload.toString()) as Record<string, unknown>;
    const publish = (leds: unknown): Promise<void> =>
      client.publish(topic, JSON.stringify({ ...real, connected: true, transport: 'serial', leds }), { retain: true });
    await publish({ link: true, red: false, green: true, blue: false });
    await waitForAttribute(page, '#led-link', 'data-on', 'true');
    await waitForAttribute(page, '#led-rgb', 'data-colour', 'green');
    expect(await page.locator('#led-rgb').evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(52, 208, 88)');
    await publish({ link: true, red: true, green: false, blue: false });
    await waitForAttribute(page, '#led-rgb', 'data-colour', 'red');
    await publish(null);
    await waitForAttribute(page, '#led-link', 'data-on', 'false');
    await waitForAttribute(page, '#led-rgb', 'data-colour', 'off');
    await client.publish(topic, JSON.stringify(real), { retain: true });
  });

  it('publishes the hardware button gestures from the mouse and the space bar', async () => {
    const topic = bridge.topics.out(OUT.buttonEvent);
    const button = page.locator('#hw-button');
    let since = client.messages.length;
    expect(await buttonEvent(client, topic, since, () => button.click())).toBe('press');

    since = client.messages.length;
    expect(
      await buttonEvent(client, topic, since, async () => {
        await button.hover();
        await page.mouse.down();
        await page.waitForTimeout(800);
        await page.mouse.up();
      }),
    ).toBe('long_press');

    since = client.messages.length;
    expect(await buttonEvent(client, topic, since, () => button.dblclick())).toBe('double_press');

    since = client.messages.length;
    expect(await buttonEvent(client, topic, since, () => page.keyboard.press('Space'))).toBe('press');
    // Each gesture is one event, nothing more.
    await page.waitForTimeout(500);
    expect(client.on(topic, since)).toHaveLength(1);
  });

  it("uses the bridge's button timings: a space-bar hold is a long press while held, a double tap a double press", async () => {
    const served = (await (await fetch(`${bridge.httpUrl}/simulator-config.json`)).json()) as { button: unknown };
    expect(served.button).toEqual({ long_press_ms: LONG_PRESS_MS, double_press_ms: 400 });
    const topic = bridge.topics.out(OUT.buttonEvent);

    // Held 650 ms: a press with the default timings, a long press with the bridge's 500 ms,
    // which the page sends while the key is still down.
    let since = client.messages.length;
    await page.keyboard.down('Space');
    await page.waitForTimeout(650);
    const logWhileHeld = await page.locator('#messages').textContent();
    await page.keyboard.up('Space');
    expect(logWhileHeld).toContain('button: long press');
    const long = await client.waitFor(topic, () => true, 10_000, since);
    expect(JSON.parse(long.payload.toString())).toEqual({ button: 'main', action: 'long_press' });

    await page.waitForTimeout(600);
    since = client.messages.length;
    expect(
      await buttonEvent(client, topic, since, async () => {
        await page.keyboard.press('Space');
        await page.keyboard.press('Space');
      }),
    ).toBe('double_press');
    await page.waitForTimeout(600);
    expect(client.on(topic, since)).toHaveLength(1);
  });

  it('sends a notification typed in the page, which then appears on P/display/frame', async () => {
    const since = client.messages.length;
    await page.fill('#notify-text', 'Pizza');
    await page.fill('#notify-color', '#ff0000');
    await page.click('#notify-send');
    const request = await client.waitFor(bridge.topics.cmd('notify'), () => true, 10_000, since);
    expect(JSON.parse(request.payload.toString())).toMatchObject({ text: 'Pizza', color: '#ff0000' });
    const reply = await client.waitFor(bridge.topics.response('notify'), () => true, 10_000, since);
    expect(JSON.parse(reply.payload.toString())).toMatchObject({ ok: true });
    const frame = await client.waitFor(frameTopic, (m) => countPixels(m.payload, isRed) > 10, 10_000, since);
    expect(countPixels(frame.payload, isRed)).toBeGreaterThan(10);
    expect(await page.locator('#notify-text').inputValue()).toBe('');
    await client.request('notify/dismiss', {});
  });

  it('moves through the apps and shows the error the bridge replies with', async () => {
    await page.locator('#app-picker option[value="clock"]').waitFor({ state: 'attached' });
    let since = client.messages.length;
    await page.click('#app-next');
    await client.waitFor(bridge.topics.response('app/next'), (m) => JSON.parse(m.payload.toString()).ok === true, 10_000, since);
    since = client.messages.length;
    await page.click('#app-previous');
    await client.waitFor(bridge.topics.response('app/previous'), (m) => JSON.parse(m.payload.toString()).ok === true, 10_000, since);

    // An app list gone stale (the app was removed by someone else since): the bridge refuses.
    await page.evaluate(() => {
      const picker = document.getElementById('app-picker') as HTMLSelectElement;
      picker.add(new Option('Ghost', 'ghost'));
      picker.value = 'ghost';
      picker.dispatchEvent(new Event('change'));
    });
    await page.locator('#messages li[data-level="error"]', { hasText: 'no app "ghost" is installed' }).waitFor();
    expect(await page.locator('#messages li[data-level="error"]').first().textContent()).toContain('unknown_app');

    // Picking an installed app from the list shows it.
    since = client.messages.length;
    await page.selectOption('#app-picker', 'clock');
    const reply = await client.waitFor(bridge.topics.response('app'), () => true, 10_000, since);
    expect(JSON.parse(reply.payload.toString())).toMatchObject({ ok: true, app: 'clock' });
  });

  it('records a GIF of the frames shown, timed by their arrival', async () => {
    const since = client.messages.length;
    const outerStart = Date.now();
    await page.click('#record');
    const innerStart = Date.now();
    await client.request('notify', { text: 'GIF', color: '#ff0000' });
    await client.waitFor(frameTopic, (m) => countPixels(m.payload, isRed) > 10, 10_000, since);
    await page.waitForTimeout(600);
    await client.request('notify/dismiss', {});
    const redGone = client.messages.length;
    await client.waitFor(frameTopic, (m) => countPixels(m.payload, isRed) === 0, 10_000, redGone);
    await page.waitForTimeout(400);
    const innerEnd = Date.now();
    const download = page.waitForEvent('download');
    await page.click('#record');
    const file = await download;
    const outerEnd = Date.now();
    expect(file.suggestedFilename()).toMatch(/^megabit-megabit-\d{8}-\d{6}\.gif$/);

    const gif = new GifReader(readFileSync((await file.path())!));
    expect([gif.width, gif.height]).toEqual([512, 256]);
    const before = client.messages
      .slice(0, since)
      .filter((m) => m.topic === frameTopic)
      .at(-1);
    const published: Received[] = [...(before ? [before] : []), ...client.on(frameTopic, since)];
    const decoded: Uint8Array[] = [];
    let totalCs = 0;
    for (let i = 0; i < gif.numFrames(); i++) {
      const rgba = new Uint8Array(gif.width * gif.height * 4);
      gif.decodeAndBlitFrameRGBA(i, rgba);
      const frame = new Uint8Array(64 * 32 * 3);
      for (let p = 0; p < 64 * 32; p++) {
        const j = ((Math.floor(p / 64) * 8 + 4) * gif.width + (p % 64) * 8 + 4) * 4;
        frame.set(rgba.subarray(j, j + 3), p * 3);
      }
      decoded.push(frame);
      totalCs += gif.frameInfo(i).delay;
    }
    expect(decoded.length).toBeGreaterThanOrEqual(3);
    // Every frame shown, in order: the GIF is one unbroken run of the published frames.
    const first = published.findIndex((m) => sameFrame(decoded[0], m.payload));
    expect(first).toBeGreaterThanOrEqual(0);
    const matchesRun = decoded.map((frame, k) => published[first + k] !== undefined && sameFrame(frame, published[first + k].payload));
    expect(matchesRun).toEqual(decoded.map(() => true));
    expect(decoded.some((f) => countPixels(f, isRed) > 10)).toBe(true);
    expect(countPixels(decoded.at(-1)!, isRed)).toBe(0);
    // The GIF lasts as long as the recording did, to within the rounding of its delays.
    expect(totalCs * 10).toBeGreaterThanOrEqual(innerEnd - innerStart - 10 * decoded.length);
    expect(totalCs * 10).toBeLessThanOrEqual(outerEnd - outerStart + 10 * decoded.length);
    expect(await page.locator('#record-status').textContent()).toContain('Saved megabit-megabit-');
  });

  it('saves a PNG of the panel', async () => {
    const download = page.waitForEvent('download');
    await page.click('#save-png');
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/\.png$/);
    const png = readFileSync((await file.path())!);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
  });

  it('comes back by itself after the bridge restarts', async () => {
    const restarting = bridge.restart();
    await page.locator('#overlay', { hasText: 'Broker unreachable' }).waitFor();
    await waitForAttribute(page, '#led-link', 'data-on', 'false');
    await restarting;
    await page.locator('#broker-status[data-level="ok"]').waitFor({ timeout: 15_000 });
    await page.locator('#bridge-status[data-level="ok"]').waitFor();
    await page.locator('#overlay').waitFor({ state: 'hidden' });
    await canvasShowsLatest(page, client, frameTopic);
    await page.locator('#messages li', { hasText: 'lost the broker connection' }).waitFor();
  });

  it('looks good (screenshot for the README)', async () => {
    await client.request('display', { state: 'ON', brightness: 255 });
    await client.request('notify', { text: 'Hello!', color: '#ffb000', hold: true, id: 'shot' });
    try {
      await client.waitFor(frameTopic, (m) => countPixels(m.payload, (r, g, b) => r > 200 && g > 120 && b < 60) > 10);
      // A fresh page: the messages of the tests above are not part of the picture.
      const fresh = await openSimulator(browser, `${bridge.httpUrl}/`);
      await canvasShowsLatest(fresh.page, client, frameTopic);
      await waitForText(fresh.page, '[data-field="notification"]', 'shot');
      const png = await fresh.page.screenshot({ fullPage: true });
      const elements = await visibleElements(fresh.page);
      expect(fresh.errors).toEqual([]);
      await fresh.page.context().close();
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      // The committed screenshot is refreshed on request only, so test runs leave the tree clean.
      if (process.env.UPDATE_DOCS_IMAGES === '1') {
        mkdirSync(join(REPO_ROOT, 'docs', 'images'), { recursive: true });
        writeFileSync(SCREENSHOT, png);
        writeFileSync(SCREENSHOT_ELEMENTS, `${JSON.stringify(elements, null, 2)}\n`);
      }
      const pictured = JSON.parse(readFileSync(SCREENSHOT_ELEMENTS, 'utf8')) as string[];
      const gone = pictured.filter((e) => !elements.includes(e));
      const added = elements.filter((e) => !pictured.includes(e));
      if (gone.length + added.length > 0)
        throw new Error(
          `docs/images/simulator.png is out of date (no longer on the page: ${gone.join(' ') || 'none'}; new: ${added.join(' ') || 'none'}): ` +
            'take it again with UPDATE_DOCS_IMAGES=1 npx jest bridge/test/simulator/simulator-page.test.ts',
        );
    } finally {
      await client.request('notify/dismiss', { id: 'shot' });
    }
  });
});

describe('simulator page with several bridges on one mosquitto', () => {
  let browser: Browser;
  let mosquitto: Mosquitto;
  let alpha: RunningBridge;
  let beta: RunningBridge;
  let client: TestClient;

  beforeAll(async () => {
    browser = await launchChromium();
    mosquitto = await Mosquitto.start();
    // A base topic of two levels: the page learns it from the bridge that served it.
    alpha = await startBridge({ mqttUrl: mosquitto.url, deviceId: 'alpha', baseTopic: 'home/megabit' });
    beta = await startBridge({ mqttUrl: mosquitto.url, deviceId: 'beta', baseTopic: 'home/megabit' });
    client = await TestClient.connect(mosquitto.url, alpha.topics);
    await client.subscribe('home/megabit/#');
  });

  afterAll(async () => {
    await browser?.close();
    await client?.close();
    await alpha?.dispose();
    await beta?.dispose();
    await mosquitto?.dispose();
  });

  it('lists the bridges, follows ?device= and the picker, through the bridge it was served by', async () => {
    const { page, errors } = await openSimulator(browser, `${alpha.httpUrl}/?device=beta`);
    await waitForText(page, '#bridge-status', 'bridge: beta online');
    await waitForTexts(page, '#device-picker option', ['alpha (online)', 'beta (online)']);
    await canvasShowsLatest(page, client, beta.topics.out(OUT.frame));

    await page.selectOption('#device-picker', 'alpha');
    await waitForText(page, '#bridge-status', 'bridge: alpha online');
    expect(new URL(page.url()).searchParams.get('device')).toBe('alpha');
    await client.request('notify', { text: 'A', color: '#00ff00', hold: true });
    const alphaFrame = alpha.topics.out(OUT.frame);
    await client.waitFor(alphaFrame, (m) => countPixels(m.payload, isGreen) > 3);
    await canvasShowsLatest(page, client, alphaFrame);

    const since = client.messages.length;
    await page.locator('#hw-button').click();
    await client.waitFor(alpha.topics.out(OUT.buttonEvent), () => true, 10_000, since);
    expect(client.on(beta.topics.out(OUT.buttonEvent), since)).toHaveLength(0);
    expect(errors).toEqual([]);
  });

  it('shows a bridge going offline and coming back while the broker stays up', async () => {
    // Through alpha's /mqtt, which stays up while beta goes away.
    const { page, errors } = await openSimulator(browser, `${alpha.httpUrl}/?device=beta`);
    await waitForText(page, '#bridge-status', 'bridge: beta online');

    await beta.kill();
    await page.locator('#overlay', { hasText: 'Bridge "beta" is offline' }).waitFor();
    await waitForText(page, '#broker-status', 'broker: connected');
    await waitForText(page, '#device-picker option[value="beta"]', 'beta (offline)');
    expect(await page.title()).toBe('beta · Megabit simulator');

    // Nobody would answer, and QoS 0 keeps nothing: the page refuses instead of losing the press.
    const since = client.messages.length;
    await page.locator('#hw-button').click();
    await page.locator('#messages li[data-level="error"]', { hasText: 'not sent: bridge "beta" is offline' }).waitFor();
    expect(client.on(beta.topics.cmd('button'), since)).toHaveLength(0);

    await beta.relaunch();
    await waitForText(page, '#bridge-status', 'bridge: beta online', 15_000);
    await page.locator('#overlay').waitFor({ state: 'hidden' });
    await canvasShowsLatest(page, client, beta.topics.out(OUT.frame));
    expect(errors).toEqual([]);
  });
});
