/**
 * The real bridge killed with SIGKILL 50 times while it upgrades an app over MQTT or installs one
 * that was absent (taking turns), writes an app's config, the device settings, the rotation order
 * and an app's KV store. Half the kills come at a random moment, half right after the store starts
 * writing an app folder, and enough of them must land inside an install for the test to pass.
 * After each kill the data dir must be consistent: every JSON file parses, the app store (with its
 * recovery, on a copy) finds every app complete in its old or its new version and the new app
 * complete or absent, and each stored value is one that was written, never older than what the
 * previous cycle found. The bridge starts on it again and agrees, after the last kill too.
 */
import { cpSync, readFileSync, readdirSync, rmSync, statSync, watch } from 'node:fs';
import { join } from 'node:path';
import type { AppStatus, DeviceState } from '@megabit/contract';
import { AppStore } from '../../src/apps';
import { createLogger } from '../../src/util/logger';
import { startBridge, type RunningBridge } from '../helpers/bridge-process';
import { TestClient } from '../helpers/mqtt-client';
import { delay } from '../helpers/ports';
import { newDataDir, writeApp } from './support/data-dir';
import { buildProbeApp, installRequest, probeManifest, tagOf, tagged } from './support/fault-apps';

jest.setTimeout(240_000);

const CYCLES = 50;
/** Kills land this long after the first command of a cycle, at most: past the install's swap. */
const MAX_KILL_AFTER_MS = 500;
/** A large module takes a while to write and fsync, so kills also land while it is staged. */
const MODULE_PADDING_BYTES = 4 * 1024 * 1024;
/** Kills aimed at an install land this long after its staging folder appears, at most. */
const MAX_KILL_AFTER_STAGING_MS = 8;
/** How long a kill aimed at an install waits for one to start writing before it kills anyway. */
const STAGING_WAIT_MS = 5000;
/** Installed for the first time in every cycle: absent before it. */
const NEWCOMER = 'newcomer';

const newcomerManifest = (n: number): ReturnType<typeof probeManifest> => probeManifest(NEWCOMER, { version: `2.0.${n}` });

const victimManifest = (n: number): ReturnType<typeof probeManifest> => probeManifest('victim', {
  version: `1.0.${n}`,
  config: { type: 'object', properties: { n: { type: 'integer' } }, additionalProperties: false },
});

/** Every file under `dir` whose name ends in `suffix`. */
function filesEndingIn(dir: string, suffix: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return filesEndingIn(path, suffix);
    return name.endsWith(suffix) ? [path] : [];
  });
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

describe('SIGKILL during writes', () => {
  let bridge: RunningBridge | undefined;
  let probe: Uint8Array;
  let dataDir: string;
  const P = (path: string): string => `megabit/megabit/${path}`;

  beforeAll(async () => {
    probe = await buildProbeApp();
    dataDir = newDataDir();
    writeApp(dataDir, probeManifest('writer'), probe);
    writeApp(dataDir, victimManifest(0), tagged(probe, '1.0.0', MODULE_PADDING_BYTES));
  });

  afterAll(async () => {
    await bridge?.dispose();
  });

  /**
   * Kills the bridge `killDelayMs()` after the store starts writing an app folder (a staging folder
   * appears), or after `timeoutMs` if it never does; resolves with whether it saw one. The kill is
   * sent from the watcher's callback: a polling loop would come too late for a quick swap.
   */
  function killOnStaging(running: RunningBridge, killDelayMs: () => number, timeoutMs: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const watcher = watch(join(dataDir, 'apps'), (_event, name) => {
        if (name?.startsWith('.staging-')) finish(true);
      });
      const timer = setTimeout(() => finish(false), timeoutMs);
      let finished = false;
      function finish(saw: boolean): void {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        watcher.close();
        const kill = (): void => void running.kill('SIGKILL');
        const after = saw ? killDelayMs() : 0;
        if (after === 0) kill();
        else setTimeout(kill, after);
        resolve(saw);
      }
    });
  }

  it(`leaves a consistent data dir after each of ${CYCLES} kills, and the bridge agrees after the last`, async () => {
    const seen = { version: 0, config: -1, kv: -1, brightness: -1 };
    let counter = 0;
    const kills: number[] = [];
    /** Cycles whose kill left a staging or set-aside folder: it landed while an app folder was written or swapped. */
    let midInstall = 0;
    /** Upgrade cycles whose kill came before the victim's upgrade completed. */
    let upgradesCut = 0;
    const newcomer = { present: 0, absent: 0 };
    let newcomerInstalled = false;
    /** Kills aimed at an install that never saw one start. */
    let missedStaging = 0;
    const leftovers: string[] = [];

    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      // The newcomer is absent before every cycle, so each of its installs is a first one: the
      // user deletes it while the bridge is down (its rotation entry is left for the store to drop).
      rmSync(join(dataDir, 'apps', NEWCOMER), { recursive: true, force: true });
      if (!bridge) {
        bridge = await startBridge({ dataDir, settings: { log_level: 'info', rotation: { enabled: false }, homeassistant: { enabled: false } } });
      } else {
        await bridge.relaunch();
      }
      const client = await TestClient.connect(bridge.mqttUrl, undefined, { reconnectPeriod: 0 });
      await client.subscribe(P('state/apps'));
      // The bridge's own view after the previous kill: both apps there, the victim in the version found on disk.
      const apps = JSON.parse((await client.waitFor(P('state/apps'))).payload.toString()) as AppStatus[];
      const view = apps.map((a) => `${a.id} ${a.version} ${a.status}`).sort();
      // The whole status (with any error) in the message: a mismatch here needs it to be understood.
      if (JSON.stringify(view) !== JSON.stringify([`victim 1.0.${seen.version} ok`, 'writer 1.0.0 ok'])) {
        throw new Error(`cycle ${cycle}: after the restart the bridge lists ${JSON.stringify(apps)}`);
      }

      // Fire everything without waiting for replies, and keep the KV writes coming until the kill.
      // Cycles take turns: the victim's upgrade or the newcomer's first install, each killed at a
      // random moment or right after the store starts writing the app's folder.
      const send = (path: string, payload: string): void => void client.publish(P(`cmd/${path}`), payload, { qos: 0 }).catch(() => undefined);
      const upgrade = cycle % 4 < 2;
      const onStaging = cycle % 2 === 1;
      const install = upgrade
        ? installRequest(victimManifest(cycle), tagged(probe, `1.0.${cycle}`, MODULE_PADDING_BYTES))
        : installRequest(newcomerManifest(cycle), tagged(probe, `2.0.${cycle}`, MODULE_PADDING_BYTES));
      const staging = onStaging ? killOnStaging(bridge, () => Math.floor(Math.random() * MAX_KILL_AFTER_STAGING_MS), STAGING_WAIT_MS) : undefined;
      const startedAt = Date.now();
      send('apps/install', JSON.stringify(install));
      send('apps/victim/config', JSON.stringify({ n: cycle }));
      send('display', JSON.stringify({ brightness: cycle }));
      send('apps/order', JSON.stringify({ order: cycle % 2 ? ['victim', 'writer'] : ['writer', 'victim'] }));
      const killAt = onStaging ? Infinity : startedAt + Math.floor(Math.random() * MAX_KILL_AFTER_MS);
      while (Date.now() < killAt && bridge.running) {
        send('apps/writer/data', `set|n|${++counter}`);
        await delay(5);
      }
      if (staging && !(await staging)) missedStaging++;
      await bridge.kill('SIGKILL');
      const killAfter = Date.now() - startedAt;
      kills.push(killAfter);
      await client.close();

      const where = `cycle ${cycle} (killed ${killAfter} ms in${onStaging ? ', on staging' : ''})`;
      const left = readdirSync(join(dataDir, 'apps')).filter((name) => name.startsWith('.')).map((name) => name.replace(/-[0-9a-f]{12}$/, ''));
      if (left.some((name) => name === '.staging' || name.startsWith('.aside-'))) midInstall++;
      leftovers.push(...left);
      // Temp files of atomic writes end in .tmp: only finished files carry the real name.
      for (const file of filesEndingIn(dataDir, '.json')) {
        try {
          readJson(file);
        } catch (e) {
          throw new Error(`${where}: ${file} does not parse: ${(e as Error).message}`);
        }
      }

      // The store's rules, recovery included, on a copy: the bridge recovers the original itself.
      const copy = `${dataDir}-check`;
      rmSync(copy, { recursive: true, force: true });
      cpSync(dataDir, copy, { recursive: true });
      try {
        const store = new AppStore(copy, createLogger('error'));
        const listed = store.load();
        // The newcomer is there complete, in this cycle's version, or not at all.
        newcomerInstalled = listed.some((a) => a.id === NEWCOMER);
        if (newcomerInstalled && upgrade) throw new Error(`${where}: the newcomer is there, but it was not installed`);
        const expected = newcomerInstalled ? [NEWCOMER, 'victim', 'writer'] : ['victim', 'writer'];
        expect(listed.map((a) => [a.id, a.status]).sort()).toEqual(expected.map((id) => [id, 'ok']));
        expect(readdirSync(join(copy, 'apps')).sort()).toEqual(expected);
        if (newcomerInstalled) {
          const app = store.get(NEWCOMER)!;
          expect(app.manifest).toEqual(newcomerManifest(cycle));
          expect(tagOf(store.readWasm(NEWCOMER))).toBe(`2.0.${cycle}`);
          newcomer.present++;
        } else if (!upgrade) {
          newcomer.absent++;
        }

        const victim = store.get('victim')!;
        const version = Number(victim.version.split('.')[2]);
        if (!(version >= seen.version && version <= cycle && (version === seen.version || upgrade))) throw new Error(`${where}: victim version ${victim.version} after ${seen.version}`);
        if (upgrade && version < cycle) upgradesCut++;
        // The module on disk is the one of that version.
        expect(tagOf(store.readWasm('victim'))).toBe(victim.version);
        seen.version = version;

        const config = store.getConfig('victim');
        const n = typeof config.n === 'number' ? config.n : -1;
        if (!(n >= seen.config && n <= cycle)) throw new Error(`${where}: victim config ${JSON.stringify(config)} after ${seen.config}`);
        seen.config = n;

        const kvFile = join(copy, 'apps', 'writer', 'kv.json');
        const kv = readdirSync(join(copy, 'apps', 'writer')).includes('kv.json')
          ? readJson<{ format: string; entries: Record<string, string> }>(kvFile)
          : undefined;
        if (kv) {
          expect(kv.format).toBe('megabit-kv/1');
          const value = Number(Buffer.from(kv.entries.n, 'base64').toString());
          if (!(Number.isInteger(value) && value >= seen.kv && value <= counter)) throw new Error(`${where}: KV n=${value} after ${seen.kv}, last sent ${counter}`);
          seen.kv = value;
        }

        const device = readdirSync(copy).includes('device.json') ? readJson<{ brightness: number }>(join(copy, 'device.json')) : undefined;
        if (device) {
          if (!(device.brightness >= seen.brightness && device.brightness <= cycle)) throw new Error(`${where}: brightness ${device.brightness} after ${seen.brightness}`);
          seen.brightness = device.brightness;
        }
      } finally {
        rmSync(copy, { recursive: true, force: true });
      }
    }
    process.stdout.write(`crash safety: ${CYCLES} kills at ${Math.min(...kills)}-${Math.max(...kills)} ms; ${midInstall} while an app folder was written or swapped, `
      + `${upgradesCut} before the victim's upgrade completed, ${missedStaging} aimed kills saw no install start; newcomer installed ${newcomer.present} times, absent ${newcomer.absent} times; `
      + `leftovers recovered: ${[...new Set(leftovers)].join(', ') || 'none'}; temp files left: ${filesEndingIn(dataDir, '.tmp').length}; `
      + `reached victim ${seen.version}, config ${seen.config}, KV ${seen.kv}, brightness ${seen.brightness}\n`);
    // The kills did land inside installs, not all before or after them, and after writes had happened.
    expect(midInstall).toBeGreaterThanOrEqual(CYCLES / 4);
    expect(newcomer.present).toBeGreaterThan(0);
    expect(newcomer.absent).toBeGreaterThan(0);
    expect(seen.version).toBeGreaterThan(0);
    expect(seen.config).toBeGreaterThan(0);
    expect(seen.kv).toBeGreaterThan(0);

    // After the last kill the bridge starts again on the data dir as the kill left it, recovers
    // it and serves what the check found.
    await bridge!.relaunch();
    const client = await TestClient.connect(bridge!.mqttUrl);
    try {
      await client.subscribe([P('state'), P('state/apps'), P('event/apps/writer/log')]);
      const apps = JSON.parse((await client.waitFor(P('state/apps'))).payload.toString()) as AppStatus[];
      const ids = newcomerInstalled ? [NEWCOMER, 'victim', 'writer'] : ['victim', 'writer'];
      expect(apps.map((a) => [a.id, a.status]).sort()).toEqual(ids.map((id) => [id, 'ok']));
      expect(apps.find((a) => a.id === 'victim')!.version).toBe(`1.0.${seen.version}`);
      if (newcomerInstalled) expect(apps.find((a) => a.id === NEWCOMER)!.version).toBe(`2.0.${CYCLES}`);
      expect(readdirSync(join(dataDir, 'apps')).sort()).toEqual(ids);
      if (seen.brightness >= 0) {
        expect((JSON.parse((await client.waitFor(P('state'))).payload.toString()) as DeviceState).brightness).toBe(seen.brightness);
      }
      // The writer reads back the KV value found on disk.
      expect(await client.request('app', 'writer')).toMatchObject({ ok: true, app: 'writer' });
      const message = (m: { payload: Buffer }): string => (JSON.parse(m.payload.toString()) as { message: string }).message;
      let answer: string | undefined;
      for (let i = 0; i < 50 && answer === undefined; i++) {
        const since = client.messages.length;
        await client.request('apps/writer/data', 'get|n');
        answer = await client.waitFor(P('event/apps/writer/log'), (m) => message(m).startsWith('get '), 300, since).then(message, () => undefined);
      }
      expect(answer).toBe(`get ${seen.kv}`);
    } finally {
      await client.close();
    }
  });
});
