/**
 * The simulator page in Chromium under its own guards: it works under the Content-Security-Policy
 * the bridge sends (no violation reported), through `http.auth_token`, and with logins it asks for
 * a user name and password, keeps them in sessionStorage only, says when the broker refuses them
 * and asks again. Logins are tried against Debian's mosquitto with a password file made by
 * mosquitto_passwd, as the bridge's external broker: the page's /mqtt is proxied to it.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startBridge, type RunningBridge } from '../helpers/bridge-process';
import { Mosquitto } from '../helpers/mosquitto';
import { launchChromium } from '../helpers/simulator/chromium';
import { waitUntil } from '../helpers/ports';
import { canvasFrame, countPixels, POLL_MS, waitForText } from '../helpers/simulator/page-driver';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { bundleSimulator } = require('../../scripts/build-simulator.js') as { bundleSimulator(): Promise<string> };

jest.setTimeout(90_000);

interface WatchedPage {
  context: BrowserContext;
  page: Page;
  /** Uncaught errors and CSP reports (console and securitypolicyviolation events). */
  problems: string[];
}

async function watchedPage(browser: Browser): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 760 } });
  // Runs through the DevTools protocol, so the page's own CSP does not block it.
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => {
    if (/Content Security Policy|CSP violation/i.test(m.text())) problems.push(m.text());
  });
  return { context, page, problems };
}

/** The canvas shows a frame with something lit (the clock app draws every second). */
function showsFrames(page: Page): Promise<void> {
  return waitUntil(async () => countPixels(await canvasFrame(page), (r, g, b) => r + g + b > 60) > 0, 'a lit frame on the canvas', 15_000, POLL_MS);
}

let browser: Browser;

beforeAll(async () => {
  await bundleSimulator();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

describe('under its Content-Security-Policy', () => {
  let bridge: RunningBridge;

  beforeAll(async () => {
    bridge = await startBridge({ apps: ['clock'] });
  });

  afterAll(async () => {
    await bridge?.dispose();
  });

  it('connects, draws, sends a notification and records a GIF with no CSP violation', async () => {
    const { context, page, problems } = await watchedPage(browser);
    try {
      const response = await page.goto(`${bridge.httpUrl}/`);
      expect(response?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
      await page.locator('#bridge-status[data-level="ok"]').waitFor();
      await showsFrames(page);
      await page.fill('#notify-text', 'csp');
      await page.click('#notify-send');
      await page.click('#record');
      await page.waitForTimeout(300);
      const download = page.waitForEvent('download');
      await page.click('#record');
      expect((await download).suggestedFilename()).toMatch(/\.gif$/);
      // An inline script, as an injected one would be, is refused and reported: the check can fail.
      await page.evaluate(() => {
        const s = document.createElement('script');
        s.textContent = 'window.inlineRan = true';
        document.body.append(s);
      });
      await waitUntil(() => problems.some((p) => /script-src/.test(p)), 'the inline script to be reported', 10_000, POLL_MS);
      expect(await page.evaluate(() => (window as unknown as { inlineRan?: boolean }).inlineRan)).toBeUndefined();
      expect(problems.filter((p) => !/script-src/.test(p))).toEqual([]);
      // The console message and the event for that one script, nothing else.
      expect(problems.filter((p) => p.startsWith('CSP violation:'))).toEqual(['CSP violation: script-src-elem inline']);
    } finally {
      await context.close();
    }
  });

  it('cannot be framed by another page', async () => {
    const { context, page, problems } = await watchedPage(browser);
    try {
      await page.setContent(`<iframe id="f" src="${bridge.httpUrl}/"></iframe>`);
      await waitUntil(() => problems.some((p) => /frame-ancestors/.test(p)), 'the frame to be blocked', 10_000, POLL_MS);
      const framed = page.frames().find((f) => f.url().startsWith(bridge.httpUrl));
      expect(
        (await framed
          ?.locator('#panel')
          .count()
          .catch(() => 0)) ?? 0,
      ).toBe(0);
    } finally {
      await context.close();
    }
  });
});

describe('with http.auth_token', () => {
  const TOKEN = 'page-token-0123456789abcdef';
  let bridge: RunningBridge;

  beforeAll(async () => {
    bridge = await startBridge({ apps: ['clock'], http: { auth_token: TOKEN } });
  });

  afterAll(async () => {
    await bridge?.dispose();
  });

  it('works when opened with ?token=, passing it on to /mqtt', async () => {
    const { context, page, problems } = await watchedPage(browser);
    try {
      await page.goto(`${bridge.httpUrl}/?token=${TOKEN}`);
      await page.locator('#bridge-status[data-level="ok"]').waitFor();
      await showsFrames(page);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows only the 401 text without it', async () => {
    const { context, page } = await watchedPage(browser);
    try {
      const response = await page.goto(`${bridge.httpUrl}/`);
      expect(response?.status()).toBe(401);
      expect(await page.locator('#panel').count()).toBe(0);
    } finally {
      await context.close();
    }
  });
});

describe('with logins (mosquitto with a password file as the external broker)', () => {
  let dir: string;
  let broker: Mosquitto;
  let bridge: RunningBridge;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'megabit-page-login-'));
    const passwords = join(dir, 'passwords');
    execFileSync('mosquitto_passwd', ['-c', '-b', passwords, 'bridge', 'bridge-secret'], { stdio: 'pipe' });
    execFileSync('mosquitto_passwd', ['-b', passwords, 'viewer', 'viewer-secret'], { stdio: 'pipe' });
    // mosquitto started as root drops to its own user, which must be able to read the file.
    chmodSync(dir, 0o755);
    chmodSync(passwords, 0o644);
    broker = await Mosquitto.start({ auth: ['allow_anonymous false', `password_file ${passwords}`] });
    bridge = await startBridge({
      mqttUrl: broker.url,
      apps: ['clock'],
      settings: { mqtt: { url: broker.url, base_topic: 'megabit', username: 'bridge', password: 'bridge-secret' } },
    });
  });

  afterAll(async () => {
    await bridge?.dispose();
    await broker?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const stored = (page: Page): Promise<{ session: string | null; local: number }> =>
    page.evaluate(() => ({ session: sessionStorage.getItem('megabit-login'), local: localStorage.length }));

  it('asks for a login, says when it is refused, asks again, and shows frames with the right one', async () => {
    const { context, page, problems } = await watchedPage(browser);
    try {
      await page.goto(`${bridge.httpUrl}/`);
      await page.locator('#login-card').waitFor({ state: 'visible' });
      await waitForText(page, '#broker-status', 'broker: log in');
      await waitForText(page, '#overlay', 'Log in to see the display');

      await page.fill('#login-user', 'viewer');
      await page.fill('#login-password', 'wrong-secret');
      await page.click('#login-submit');
      await waitForText(page, '#login-error', 'Wrong user name or password: the broker refused the login.');
      await page.locator('#login-card').waitFor({ state: 'visible' });
      expect(await page.inputValue('#login-password')).toBe('');
      expect(await stored(page)).toEqual({ session: null, local: 0 });
      expect(await page.locator('#messages').textContent()).toContain('Wrong user name or password: the broker refused the login.');

      await page.fill('#login-password', 'viewer-secret');
      await page.click('#login-submit');
      await page.locator('#bridge-status[data-level="ok"]').waitFor();
      await showsFrames(page);
      expect(await page.locator('#login-card').isHidden()).toBe(true);
      expect(JSON.parse((await stored(page)).session!)).toEqual({ username: 'viewer', password: 'viewer-secret' });
      expect((await stored(page)).local).toBe(0);
      expect(page.url()).not.toContain('secret');

      // The same tab keeps the login for the session; a new session asks again.
      await page.reload();
      await page.locator('#bridge-status[data-level="ok"]').waitFor();
      expect(await page.locator('#login-card').isHidden()).toBe(true);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
    const fresh = await watchedPage(browser);
    try {
      await fresh.page.goto(`${bridge.httpUrl}/`);
      await fresh.page.locator('#login-card').waitFor({ state: 'visible' });
      expect(await stored(fresh.page)).toEqual({ session: null, local: 0 });
    } finally {
      await fresh.context.close();
    }
    // One wrong password, one refusal: the page does not retry a refused login by itself.
    expect(broker.output.match(/disconnected, not authorised/g)).toHaveLength(1);
  });
});

describe('with logins on the embedded broker (broker.password_file)', () => {
  let dir: string;
  let bridge: RunningBridge;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'megabit-page-embedded-'));
    const passwords = join(dir, 'passwords');
    execFileSync('mosquitto_passwd', ['-c', '-b', passwords, 'viewer', 'viewer-secret'], { stdio: 'pipe' });
    bridge = await startBridge({ apps: ['clock'], broker: { password_file: passwords } });
  });

  afterAll(async () => {
    await bridge?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('tells the page, which asks for the login before connecting, then shows frames', async () => {
    const served = (await (await fetch(`${bridge.httpUrl}/simulator-config.json`)).json()) as { logins: boolean };
    expect(served.logins).toBe(true);
    const { context, page, problems } = await watchedPage(browser);
    try {
      await page.goto(`${bridge.httpUrl}/`);
      await page.locator('#login-card').waitFor({ state: 'visible' });
      await waitForText(page, '#broker-status', 'broker: log in');
      await page.fill('#login-user', 'viewer');
      await page.fill('#login-password', 'viewer-secret');
      await page.click('#login-submit');
      await page.locator('#bridge-status[data-level="ok"]').waitFor();
      await showsFrames(page);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
