/** screens.json: atomic writes, no write for an identical publish, the cap, and files damaged by hand. */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_SCREENS } from '@megabit/contract';
import { LimitReachedError } from '../../src/errors';
import { ScreenStore } from '../../src/screens/screen-store';
import { createLogger } from '../../src/util/logger';

let dir: string;
let warnings: string[];
const store = (): ScreenStore =>
  new ScreenStore(
    join(dir, 'screens.json'),
    createLogger('debug', 'screens', (level, _c, message) => {
      if (level === 'warn') warnings.push(message);
    }),
  );

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'megabit-screen-store-'));
  warnings = [];
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('ScreenStore', () => {
  it('keeps what was published, without its transaction, private to the user, and reads it back', () => {
    const s = store();
    expect(s.put('power', { text: '1 kW', duration_s: 5, transaction: 't1' })).toBe('added');
    expect(statSync(join(dir, 'screens.json')).mode & 0o777).toBe(0o600);
    const again = store();
    expect(again.load()).toEqual([{ id: 'power', request: { text: '1 kW', duration_s: 5 } }]);
  });

  it('writes nothing for an identical publish (the transaction aside), and updates a changed one', () => {
    const s = store();
    s.put('power', { text: '1 kW' });
    const before = statSync(join(dir, 'screens.json'));
    expect(s.put('power', { text: '1 kW', transaction: 'other' })).toBe('unchanged');
    const after = statSync(join(dir, 'screens.json'));
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
    expect(s.put('power', { text: '2 kW' })).toBe('updated');
    expect(JSON.parse(readFileSync(join(dir, 'screens.json'), 'utf8'))).toEqual({ screens: { power: { text: '2 kW' } } });
    // Compact JSON: one line.
    expect(readFileSync(join(dir, 'screens.json'), 'utf8')).toBe('{"screens":{"power":{"text":"2 kW"}}}\n');
  });

  it(`refuses screen ${MAX_SCREENS + 1} with LimitReachedError and keeps the others; an update at the cap still works`, () => {
    const s = store();
    for (let i = 0; i < MAX_SCREENS; i++) s.put(`s${i}`, { text: String(i) });
    expect(() => s.put('one-more', { text: 'x' })).toThrow(LimitReachedError);
    expect(s.list()).toHaveLength(MAX_SCREENS);
    expect(s.put('s0', { text: 'changed' })).toBe('updated');
    expect(s.remove('s1')).toBe(true);
    expect(s.remove('s1')).toBe(false);
    expect(s.put('one-more', { text: 'x' })).toBe('added');
  });

  it('starts without screens from a file that is not JSON or not the right shape, with a warning', () => {
    for (const content of ['{"screens":', '[]', '{"screens":[1]}', 'null']) {
      writeFileSync(join(dir, 'screens.json'), content);
      warnings = [];
      expect(store().load()).toEqual([]);
      expect(warnings).toHaveLength(1);
    }
  });

  it('drops a screen edited into something the contract refuses, and keeps the rest', () => {
    writeFileSync(
      join(dir, 'screens.json'),
      JSON.stringify({ screens: { good: { text: 'ok' }, bad: { text: 'x', colour: '#ffffff' }, 'Bad-Id': { text: 'x' }, empty: {} } }),
    );
    expect(store().load()).toEqual([{ id: 'good', request: { text: 'ok' } }]);
    expect(warnings.join('\n')).toMatch(/dropping screen "bad": unknown field "colour"/);
    expect(warnings.join('\n')).toMatch(/dropping screen "Bad-Id"/);
    expect(warnings).toHaveLength(3);
  });

  it('keeps memory as the disk has it when a write fails', () => {
    const s = store();
    s.put('a', { text: 'a' });
    // A file where the data folder should be: every write fails.
    rmSync(dir, { recursive: true, force: true });
    writeFileSync(dir, 'not a folder');
    expect(() => s.put('b', { text: 'b' })).toThrow();
    expect(s.has('b')).toBe(false);
    expect(() => s.put('a', { text: 'changed' })).toThrow();
    expect(s.get('a')?.request).toEqual({ text: 'a' });
    rmSync(dir, { force: true });
  });
});
