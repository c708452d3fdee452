/**
 * The real bridge killed with SIGKILL while it upgrades an app over MQTT or installs one that was
 * absent (taking turns), writes an app's config, the device settings, the rotation order and an
 * app's KV store. Where each kill lands is chosen, not left to luck, in three kinds of cycle:
 * - settled: after every command was answered, so the data dir must hold exactly what was sent;
 * - at a step: the bridge is frozen just before the n-th file-system step of the install
 *   (helpers/pause-point.js: staging folder made, each file renamed in, the old version moved
 *   aside, the new one moved in, the old one deleted) and killed there;
 * - at a moment: a seeded random delay after the first command.
 * After each kill the data dir must be consistent: every JSON file parses, the app store (with its
 * recovery, on a copy) finds every app complete in its old or its new version and the new app
 * complete or absent, and each stored value is one that was written, never older than what the
 * previous cycle found. The bridge starts on it again and agrees, after the last kill too.
 */
import { cpSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { AppStatus, DeviceState } from '@megabit/contract';
import { AppStore } from '../../src/apps';
import { createLogger } from '../../src/util/logger';
import { startBridge, type RunningBridge } from '../helpers/bridge-process';
import { TestClient } from '../helpers/mqtt-client';
import { PAUSED, pausePointEnv } from '../helpers/pause-point-env';
import { delay } from '../helpers/ports';
import { seededRandom } from '../helpers/seeded-random';
import { newDataDir, writeApp } from '../helpers/data-dir';
import { buildProbeApp, installRequest, probeManifest, tagOf, tagged } from '../helpers/fault-apps';

jest.setTimeout(240_000);

const CYCLES = 42;
type KillMode = 'settled' | 'step' | 'moment';
const KILL_MODES: readonly KillMode[] = ['settled', 'step', 'moment'];
/**
 * Step cycles pause before step 1..STEP_SPAN of the install, in turn. An upgrade takes up to 7:
 * the staging folder, manifest, module, config and KV renamed in, the old version aside, the new
 * one in, the old one deleted. Odd, so that upgrades and first installs (alternate cycles) each
 * meet every step.
 */
const STEP_SPAN = 7;
/** Every install makes its staging folder and renames its manifest and module in: steps 1-3 always come. */
const STEPS_EVERY_INSTALL_TAKES = 3;
/** The one step after which an upgrade has taken effect: deleting the old version moved aside. */
const AFTER_THE_SWAP = /^rm(Sync)? \S*[/\\]\.aside-/;
/** Moment kills land this long after the first command of a cycle, at most: past the install's swap. */
const MAX_KILL_AFTER_MS = 500;
/** A large module takes a while to write and fsync. */
const MODULE_PADDING_BYTES = 4 * 1024 * 1024;
/** Installed for the first time in every cycle: absent before it. */
const NEWCOMER = 'newcomer';
const SEED = 13;

const newcomerManifest = (n: number): ReturnType<typeof probeManifest> => probeManifest(NEWCOMER, { version: `2.0.${n}` });

const victimManifest = (n: number): ReturnType<typeof probeManifest> =>
  probeManifest('victim', {
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
  let bridge: RunningBridge;
  let probe: Uint8Array;
  let dataDir: string;
  const P = (path: string): string => `megabit/megabit/${path}`;

  beforeAll(async () => {
    probe = await buildProbeApp();
    dataDir = newDataDir();
    writeApp(dataDir, probeManifest('writer'), probe);
    writeApp(dataDir, victimManifest(0), tagged(probe, '1.0.0', MODULE_PADDING_BYTES));
    // Started once to fix its ports; every cycle relaunches it with that cycle's environment.
    bridge = await startBridge({ dataDir, settings: { log_level: 'info', rotation: { enabled: false }, homeassistant: { enabled: false } } });
    await bridge.kill('SIGKILL');
  });

  afterAll(async () => {
    await bridge?.dispose();
  });

  it(`leaves a consistent data dir after each of ${CYCLES} kills, and the bridge agrees after the last`, async () => {
    const random = seededRandom(SEED);
    const seen = { version: 0, config: -1, kv: -1, brightness: -1 };
    let counter = 0;
    const kills: string[] = [];
    /** What each cycle's kill left, by kind of cycle: the new data or the old. */
    const outcomes: Record<KillMode, { updated: number; kept: number }> = {
      settled: { updated: 0, kept: 0 },
      step: { updated: 0, kept: 0 },
      moment: { updated: 0, kept: 0 },
    };
    let newcomerInstalled = false;
    const leftovers: string[] = [];

    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      // Cycles take turns: the victim's upgrade or the newcomer's first install, each killed in
      // each of the three ways (2 and 3 are coprime: every pairing comes every 6 cycles).
      const upgrade = cycle % 2 === 0;
      const mode = KILL_MODES[cycle % KILL_MODES.length];
      const step = mode === 'step' ? 1 + (Math.floor(cycle / KILL_MODES.length) % STEP_SPAN) : 0;
      // The newcomer is absent before every cycle, so each of its installs is a first one: the
      // user deletes it while the bridge is down (its rotation entry is left for the store to drop).
      rmSync(join(dataDir, 'apps', NEWCOMER), { recursive: true, force: true });
      const outputFrom = bridge.output.length;
      await bridge.relaunch(step > 0 ? pausePointEnv(step) : {});
      const client = await TestClient.connect(bridge.mqttUrl, undefined, { reconnectPeriod: 0 });
      await client.subscribe([P('state/apps'), P('response/#')]);
      // The bridge's own view after the previous kill: both apps there, the victim in the version found on disk.
      const apps = JSON.parse((await client.waitFor(P('state/apps'))).payload.toString()) as AppStatus[];
      const view = apps.map((a) => `${a.id} ${a.version} ${a.status}`).sort();
      // The whole status (with any error) in the message: a mismatch here needs it to be understood.
      if (JSON.stringify(view) !== JSON.stringify([`victim 1.0.${seen.version} ok`, 'writer 1.0.0 ok'])) {
        throw new Error(`cycle ${cycle}: after the restart the bridge lists ${JSON.stringify(apps)}`);
      }

      const install = upgrade
        ? installRequest(victimManifest(cycle), tagged(probe, `1.0.${cycle}`, MODULE_PADDING_BYTES))
        : installRequest(newcomerManifest(cycle), tagged(probe, `2.0.${cycle}`, MODULE_PADDING_BYTES));
      const commands: Array<[string, string]> = [
        ['apps/install', JSON.stringify(install)],
        ['apps/victim/config', JSON.stringify({ n: cycle })],
        ['display', JSON.stringify({ brightness: cycle })],
        ['apps/order', JSON.stringify({ order: cycle % 2 ? ['victim', 'writer'] : ['writer', 'victim'] })],
      ];
      const startedAt = Date.now();
      let where: string;
      /** The operation (and its paths) the bridge was frozen before, in a step cycle. */
      let pausedBefore: string | undefined;
      if (mode === 'settled') {
        for (const [path, payload] of commands) {
          const reply = await client.request(path, payload, 60_000);
          if (reply.ok !== true) throw new Error(`cycle ${cycle}: ${path} answered ${JSON.stringify(reply)}`);
        }
        // The writer stores the value on its next tick: the kill waits until it is on disk.
        const value = ++counter;
        expect(await client.request('app', 'writer')).toMatchObject({ ok: true, app: 'writer' });
        expect(await client.request('apps/writer/data', `set|n|${value}`)).toMatchObject({ ok: true });
        const kvFile = join(dataDir, 'apps', 'writer', 'kv.json');
        const stored = (): string | undefined => {
          try {
            return Buffer.from(readJson<{ entries: Record<string, string> }>(kvFile).entries.n, 'base64').toString();
          } catch {
            return undefined;
          }
        };
        for (let i = 0; i < 250 && stored() !== String(value); i++) await delay(20);
        if (stored() !== String(value)) throw new Error(`cycle ${cycle}: KV n=${value} never reached ${kvFile} (found ${stored()})`);
        where = 'after every reply';
      } else {
        // Fire everything without waiting for replies, and keep the KV writes coming until the kill.
        const send = (path: string, payload: string): void => void client.publish(P(`cmd/${path}`), payload, { qos: 0 }).catch(() => undefined);
        for (const [path, payload] of commands) send(path, payload);
        const killAt = mode === 'moment' ? startedAt + Math.floor(random() * MAX_KILL_AFTER_MS) : Infinity;
        const paused = (): RegExpExecArray | null => PAUSED.exec(bridge.output.slice(outputFrom));
        const installAnswered = (): boolean => client.on(P('response/apps/install')).length > 0;
        while (Date.now() < killAt && bridge.running && !paused() && !installAnswered()) {
          if (Date.now() - startedAt > 60_000) throw new Error(`cycle ${cycle}: the install neither reached step ${step} nor was answered in 60 s`);
          send('apps/writer/data', `set|n|${++counter}`);
          await delay(5);
        }
        const pause = paused();
        if (mode === 'step' && step <= STEPS_EVERY_INSTALL_TAKES && !pause) throw new Error(`cycle ${cycle}: the install never reached step ${step}`);
        pausedBefore = pause ? `${pause[2]} ${pause[3]}` : undefined;
        where = pause
          ? `before step ${pause[1]} (${pause[2]} ${pause[3].replace(dataDir, '')})`
          : mode === 'step'
            ? `after the install, which has fewer than ${step} steps`
            : `${Date.now() - startedAt} ms in`;
      }
      await bridge.kill('SIGKILL');
      kills.push(where);
      await client.close();

      const label = `cycle ${cycle} (${upgrade ? 'upgrade' : 'first install'}, killed ${where})`;
      const left = readdirSync(join(dataDir, 'apps'))
        .filter((name) => name.startsWith('.'))
        .map((name) => name.replace(/-[0-9a-f]{12}$/, ''));
      leftovers.push(...left);
      // Temp files of atomic writes end in .tmp: only finished files carry the real name.
      for (const file of filesEndingIn(dataDir, '.json')) {
        try {
          readJson(file);
        } catch (e) {
          throw new Error(`${label}: ${file} does not parse: ${(e as Error).message}`);
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
        if (newcomerInstalled && upgrade) throw new Error(`${label}: the newcomer is there, but it was not installed`);
        const expected = newcomerInstalled ? [NEWCOMER, 'victim', 'writer'] : ['victim', 'writer'];
        expect(listed.map((a) => [a.id, a.status]).sort()).toEqual(expected.map((id) => [id, 'ok']));
        expect(readdirSync(join(copy, 'apps')).sort()).toEqual(expected);
        if (newcomerInstalled) {
          const app = store.get(NEWCOMER)!;
          expect(app.manifest).toEqual(newcomerManifest(cycle));
          expect(tagOf(store.readWasm(NEWCOMER))).toBe(`2.0.${cycle}`);
        }

        const victim = store.get('victim')!;
        const version = Number(victim.version.split('.')[2]);
        if (!(version >= seen.version && version <= cycle && (version === seen.version || upgrade)))
          throw new Error(`${label}: victim version ${victim.version} after ${seen.version}`);
        // The module on disk is the one of that version.
        expect(tagOf(store.readWasm('victim'))).toBe(victim.version);
        const installed = upgrade ? version === cycle : newcomerInstalled;
        outcomes[mode][installed ? 'updated' : 'kept']++;
        // Frozen before a step, the install took effect exactly when that step comes after the
        // new folder was renamed in (only the old version's deletion does).
        if (pausedBefore !== undefined && installed !== AFTER_THE_SWAP.test(pausedBefore)) {
          throw new Error(`${label}: the install ${installed ? 'took effect' : 'did not take effect'}`);
        }
        seen.version = version;

        const config = store.getConfig('victim');
        const n = typeof config.n === 'number' ? config.n : -1;
        if (!(n >= seen.config && n <= cycle)) throw new Error(`${label}: victim config ${JSON.stringify(config)} after ${seen.config}`);
        seen.config = n;

        const kvFile = join(copy, 'apps', 'writer', 'kv.json');
        const kv = readdirSync(join(copy, 'apps', 'writer')).includes('kv.json')
          ? readJson<{ format: string; entries: Record<string, string> }>(kvFile)
          : undefined;
        if (kv) {
          expect(kv.format).toBe('megabit-kv/1');
          const value = Number(Buffer.from(kv.entries.n, 'base64').toString());
          if (!(Number.isInteger(value) && value >= seen.kv && value <= counter))
            throw new Error(`${label}: KV n=${value} after ${seen.kv}, last sent ${counter}`);
          seen.kv = value;
        }

        const device = readdirSync(copy).includes('device.json') ? readJson<{ brightness: number }>(join(copy, 'device.json')) : undefined;
        if (device) {
          if (!(device.brightness >= seen.brightness && device.brightness <= cycle))
            throw new Error(`${label}: brightness ${device.brightness} after ${seen.brightness}`);
          seen.brightness = device.brightness;
        }
        // Every command was answered before this kill: all of it is on disk.
        if (mode === 'settled') {
          expect({ installed, config: n, brightness: device?.brightness, kv: seen.kv }).toEqual({
            installed: true,
            config: cycle,
            brightness: cycle,
            kv: counter,
          });
        }
      } finally {
        rmSync(copy, { recursive: true, force: true });
      }
    }
    process.stdout.write(
      `crash safety: ${CYCLES} kills: ${kills.join('; ')}\n` +
        `crash safety: the install took effect / not: ${Object.entries(outcomes)
          .map(([mode, o]) => `${mode} ${o.updated}/${o.kept}`)
          .join(', ')}; ` +
        `leftovers recovered: ${[...new Set(leftovers)].join(', ') || 'none'}; temp files left: ${filesEndingIn(dataDir, '.tmp').length}; ` +
        `reached victim ${seen.version}, config ${seen.config}, KV ${seen.kv}, brightness ${seen.brightness}\n`,
    );

    // After the last kill the bridge starts again on the data dir as the kill left it, recovers
    // it and serves what the check found.
    await bridge.relaunch();
    const client = await TestClient.connect(bridge.mqttUrl);
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
