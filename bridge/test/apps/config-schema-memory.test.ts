/**
 * App config schemas are compiled by Ajv, which keeps every schema it compiled (and the code it
 * generated) for as long as the Ajv instance lives, `removeSchema` or not. ConfigSchemas renews
 * its instance after DROPPED_BEFORE_RENEWAL dropped schemas, so an app installed, changed or
 * removed again and again keeps a bounded number of compiled validators alive. Counted here: the
 * compiled validators still reachable (WeakRefs, after a full collection) after 300 schema
 * changes, and what Ajv by itself keeps for the same.
 */
import type { AppManifest } from '@megabit/contract';
import Ajv, { type ValidateFunction } from 'ajv';
import { ConfigSchemas, DROPPED_BEFORE_RENEWAL } from '../../src/apps/app-config';
import { garbageCollector } from '../helpers/gc';

const gc = garbageCollector();

const CHANGES = 300;

/** The app's manifest at its n-th version: a schema of its own each time (a changed default). */
function manifest(n: number): AppManifest {
  const config = { type: 'object', properties: { text: { type: 'string', default: `v${n}` }, size: { type: 'integer', minimum: 1 } } };
  return { id: 'board', name: 'Board', version: `1.0.${n}`, bin: 'app.wasm', refresh_period_ms: 100, config };
}

/** Validators still reachable after a full collection (WeakRefs hold their targets until the job ends: a turn first). */
async function alive(refs: Array<WeakRef<object>>): Promise<number> {
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  return refs.filter((r) => r.deref() !== undefined).length;
}

describe('compiled config schemas over many changes', () => {
  it(`keeps at most ${DROPPED_BEFORE_RENEWAL} dropped validators alive after ${CHANGES} schema changes, and each version still validates`, async () => {
    const schemas = new ConfigSchemas();
    const refs: Array<WeakRef<object>> = [];
    for (let n = 0; n < CHANGES; n++) {
      expect(schemas.resolve('board', manifest(n), {})).toEqual({ config: { text: `v${n}` } });
      refs.push(new WeakRef(schemas['compiled'].get('board')!.validate));
      // Every tenth version the app is removed too, as the soak does.
      if (n % 10 === 9) schemas.forget('board');
    }
    // The one in use, and fewer than a renewal's worth of dropped ones.
    expect(await alive(refs)).toBeLessThanOrEqual(1 + DROPPED_BEFORE_RENEWAL);
    expect(schemas.resolve('board', manifest(CHANGES), { size: 0 })).toEqual({ error: 'config.size must be >= 1' });
  });

  it('Ajv alone keeps every one of them, removeSchema or not (why ConfigSchemas renews it)', async () => {
    const ajv = new Ajv({ useDefaults: true, strict: false, addUsedSchema: false });
    const refs: Array<WeakRef<ValidateFunction>> = [];
    for (let n = 0; n < CHANGES; n++) {
      const schema = structuredClone(manifest(n).config!);
      refs.push(new WeakRef(ajv.compile(schema)));
      ajv.removeSchema(schema);
    }
    expect(await alive(refs)).toBe(CHANGES);
  });

  it('other apps keep their schemas across a renewal', () => {
    const schemas = new ConfigSchemas();
    const other: AppManifest = { ...manifest(0), id: 'clock', config: { type: 'object', properties: { hours: { enum: [12, 24], default: 24 } } } };
    expect(schemas.resolve('clock', other, {})).toEqual({ config: { hours: 24 } });
    for (let n = 0; n <= 2 * DROPPED_BEFORE_RENEWAL; n++) schemas.resolve('board', manifest(n), {});
    expect(schemas.resolve('clock', other, { hours: 13 })).toEqual({ error: 'config.hours must be one of 12, 24' });
    expect(schemas.resolve('clock', other, {})).toEqual({ config: { hours: 24 } });
  });
});
