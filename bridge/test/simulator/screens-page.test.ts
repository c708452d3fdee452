/**
 * The simulator page lists a screen published over MQTT among the apps, labelled as a screen,
 * and shows it when it is picked, like any app.
 */
import { OUT } from '@megabit/contract';
import type { Browser, Page } from 'playwright-core';
import { startBridge, type RunningBridge } from '../helpers/bridge-process';
import type { TestClient } from '../helpers/mqtt-client';
import { waitUntil } from '../helpers/ports';
import { launchChromium } from '../helpers/simulator/chromium';
import { canvasFrame, countPixels, isRed, openConnectedSimulator, POLL_MS, waitForText } from '../helpers/simulator/page-driver';

// The build script is plain CommonJS so that it runs without a build itself.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { bundleSimulator } = require('../../scripts/build-simulator.js') as { bundleSimulator(): Promise<string> };

jest.setTimeout(90_000);

describe('a screen on the simulator page', () => {
  let browser: Browser;
  let bridge: RunningBridge;
  let client: TestClient;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    await bundleSimulator();
    browser = await launchChromium();
    bridge = await startBridge({ apps: ['clock'], settings: { rotation: { enabled: false } } });
    ({ page, errors, client } = await openConnectedSimulator(browser, bridge));
  });

  afterAll(async () => {
    await browser?.close();
    await client?.close();
    await bridge?.dispose();
  });

  it('lists the screen in the app picker and shows it when picked', async () => {
    expect(await client.request('screens/alarm', { background: '#ff0000', text: 'ALARM' })).toMatchObject({ ok: true, id: 'alarm' });
    await waitForText(page, '#app-picker option[value="alarm"]', 'alarm (screen)');
    await waitForText(page, '#app-picker option[value="clock"]', 'Clock (clock)');
    const since = client.messages.length;
    await page.selectOption('#app-picker', 'alarm');
    await client.waitFor(bridge.topics.out(OUT.state), (m) => JSON.parse(m.payload.toString()).app === 'alarm', 10_000, since);
    // Most of the panel red: the screen's background, drawn by the page from the bridge's frames.
    await waitUntil(async () => countPixels(await canvasFrame(page), isRed) > 64 * 32 * 0.6, 'the canvas to show the red screen', 10_000, POLL_MS);
    expect(errors).toEqual([]);
  });
});
