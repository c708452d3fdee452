/**
 * The flood policy in the real sandbox: an app that keeps going over its KV quota or its log rate
 * is stopped with the reason, while one that hits a limit now and then keeps running.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SandboxFault } from '../../src/sandbox';
import { INBOX_MAX_PAYLOADS } from '../../src/sandbox/host-api';
import { KV_FLOOD_REFUSALS } from '../../src/sandbox/kv-flood';
import { LOG_FLOOD_FACTOR, LOG_FLOOD_WINDOWS } from '../../src/sandbox/log-limiter';
import { command, useProbeSandbox } from '../helpers/sandbox/harness';

const { dir, startProbe } = useProbeSandbox();

/** Runs `tick` until the app faults (returned) or `maxTicks` ran without one (undefined). */
async function faultWithin(maxTicks: number, tick: () => Promise<unknown>): Promise<SandboxFault | undefined> {
  for (let i = 0; i < maxTicks; i++) {
    const error = await tick().then(
      () => undefined,
      (e: unknown) => e,
    );
    if (error !== undefined) {
      expect(error).toBeInstanceOf(SandboxFault);
      return error as SandboxFault;
    }
  }
  return undefined;
}

describe('KV flood', () => {
  it('an app that keeps writing over its quota is stopped with the reason', async () => {
    const kvFile = join(dir, 'flood-kv.json');
    // The probe logs every write's result: let those lines all through, this is about the KV store.
    const t = await startProbe({ kvQuotaBytes: 100, kvFile, limits: { logLinesPerSecond: 1_000_000 } });
    const batch = Array.from({ length: INBOX_MAX_PAYLOADS }, (_, i) => `setn|k${i}|200`);
    const ticks = Math.ceil((KV_FLOOD_REFUSALS + 1 + 1) / batch.length);
    // Every tick but the last one is answered: the fault comes with the write that tips it over.
    for (let i = 0; i < ticks - 1; i++) expect(await command(t, ...batch)).toEqual(batch.map(() => 'setn -1'));
    // The last tick also stores a value that fits, then floods on.
    const fault = await faultWithin(1, () => command(t, 'setn|keep|50', ...batch.slice(1)));
    expect(fault?.kind).toBe('abuse');
    expect(fault?.message).toMatch(
      new RegExp(
        `^KV flood: ${KV_FLOOD_REFUSALS + 1} writes refused in \\d+\\.\\d s for going over the 100-byte quota \\(limit: ${KV_FLOOD_REFUSALS} per 10 s\\)$`,
      ),
    );
    // The instance is dead: later ticks fail at once with the same reason.
    await expect(t.app.run()).rejects.toBe(fault);
    // What it stored in its last tick was saved when it was stopped, not lost with the worker.
    const saved = JSON.parse(readFileSync(kvFile, 'utf8')) as { entries: Record<string, string> };
    expect(Object.keys(saved.entries)).toEqual(['keep']);
  });

  it('an app that hits its quota once and handles it keeps running', async () => {
    const t = await startProbe({ kvQuotaBytes: 100 });
    expect(await command(t, 'setn|k|90', 'setn|big|50')).toEqual(['setn 0', 'setn -1']);
    // It makes room and writes again, then runs on for many ticks.
    expect(await command(t, 'del|k', 'setn|big|50')).toEqual(['del 0', 'setn 0']);
    expect(await faultWithin(200, () => t.app.run())).toBeUndefined();
    expect(await command(t, 'get|big')).toEqual([`get ${'x'.repeat(50)}`]);
  });
});

describe('log flood', () => {
  const limit = 1;
  // Per tick, at about 20 ticks a second: 40 times the limit (the probe never frees a line).
  const lines = 2 * LOG_FLOOD_FACTOR * limit;

  it(`an app that logs far over its limit for ${LOG_FLOOD_WINDOWS} s is stopped with the reason`, async () => {
    const t = await startProbe({ limits: { logLinesPerSecond: limit } });
    const started = Date.now();
    const fault = await faultWithin(1000, async () => {
      await command(t, `spam|${lines}`);
      await new Promise((r) => setTimeout(r, 50));
    });
    expect(fault?.kind).toBe('abuse');
    expect(fault?.message).toMatch(/^log flood: about \d+ lines a second for \d+\.\d s \(limit: 1 per second\)$/);
    expect(Date.now() - started).toBeGreaterThanOrEqual((LOG_FLOOD_WINDOWS - 1) * 1000);
    // Meanwhile only the allowed lines went out, and the drops were summed up.
    expect(t.messages().filter((m) => m.startsWith('spam ')).length).toBeLessThanOrEqual(limit * (LOG_FLOOD_WINDOWS + 2));
    expect(t.messages().some((m) => /^\d+ log lines dropped \(limit: 1 per second\)$/.test(m))).toBe(true);
  }, 30_000);
});
