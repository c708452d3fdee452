/** Drives the simulator page in Chromium and reads back what it shows. */
import { DISPLAY_HEIGHT, DISPLAY_WIDTH, FRAME_BYTES } from '@megabit/contract';
import type { Browser, Page } from 'playwright-core';
import type { RunningBridge } from '../bridge-process';
import { TestClient } from '../mqtt-client';
import { waitUntil } from '../ports';

/** How often the page is polled by the waits below and by the tests (ms). */
export const POLL_MS = 100;

export interface OpenedPage {
  page: Page;
  /** Uncaught errors of the page: a test ends by checking there were none. */
  errors: string[];
}

export async function openSimulator(browser: Browser, url: string, deviceScaleFactor = 1): Promise<OpenedPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 760 }, deviceScaleFactor, acceptDownloads: true });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  return { page, errors };
}

/**
 * A bridge's simulator page, opened and connected to the bridge, with a client recording every
 * topic under the bridge's prefix. The client is closed again if the page fails to connect.
 */
export async function openConnectedSimulator(browser: Browser, bridge: RunningBridge): Promise<OpenedPage & { client: TestClient }> {
  const client = await TestClient.connect(bridge.mqttUrl, bridge.topics);
  try {
    await client.subscribe(`${bridge.topics.prefix}/#`);
    const opened = await openSimulator(browser, `${bridge.httpUrl}/`);
    await opened.page.locator('#bridge-status[data-level="ok"]').waitFor();
    return { ...opened, client };
  } catch (e) {
    await client.close();
    throw e;
  }
}

/** The colour at the centre of every LED of the canvas, as a 64x32 RGB888 frame. */
export async function canvasFrame(page: Page): Promise<Uint8Array> {
  const bytes = await page.evaluate(
    ({ width, height }) => {
      const canvas = document.getElementById('panel') as HTMLCanvasElement;
      const cell = canvas.width / width;
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      const out: number[] = [];
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const i = (Math.floor((y + 0.5) * cell) * canvas.width + Math.floor((x + 0.5) * cell)) * 4;
          out.push(data[i], data[i + 1], data[i + 2]);
        }
      }
      return out;
    },
    { width: DISPLAY_WIDTH, height: DISPLAY_HEIGHT },
  );
  return Uint8Array.from(bytes);
}

export function sameFrame(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === FRAME_BYTES && b.length === FRAME_BYTES && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
}

/** How many pixels of a frame satisfy `test`. */
export function countPixels(frame: Uint8Array, test: (r: number, g: number, b: number) => boolean): number {
  let n = 0;
  for (let i = 0; i + 2 < frame.length; i += 3) if (test(frame[i], frame[i + 1], frame[i + 2])) n++;
  return n;
}

export const isRed = (r: number, g: number, b: number): boolean => r > 120 && g < 60 && b < 60;
export const isGreen = (r: number, g: number, b: number): boolean => g > 120 && r < 60 && b < 60;

/** Waits until the first element matching `selector` has exactly `text` (trimmed). */
export function waitForText(page: Page, selector: string, text: string, timeoutMs = 10_000): Promise<void> {
  return waitUntil(
    async () => (await page.locator(selector).first().textContent({ timeout: timeoutMs }))?.trim() === text,
    `${selector} to read "${text}"`,
    timeoutMs,
    POLL_MS,
  );
}

export function waitForAttribute(page: Page, selector: string, name: string, value: string, timeoutMs = 10_000): Promise<void> {
  return waitUntil(
    async () => (await page.locator(selector).first().getAttribute(name, { timeout: timeoutMs })) === value,
    `${selector} to have ${name}="${value}"`,
    timeoutMs,
    POLL_MS,
  );
}

export function waitForTexts(page: Page, selector: string, texts: string[], timeoutMs = 10_000): Promise<void> {
  return waitUntil(
    async () => {
      const all = (await page.locator(selector).allTextContents()).map((t) => t.trim());
      return JSON.stringify(all) === JSON.stringify(texts);
    },
    `${selector} to read ${JSON.stringify(texts)}`,
    timeoutMs,
    POLL_MS,
  );
}
