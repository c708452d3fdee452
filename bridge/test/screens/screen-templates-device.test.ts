/**
 * Live text in screens, through the real Device (scheduler, compositor, renderer) with a
 * TemplateSource written here over a Map the test changes: each template field is watched, the
 * screen is drawn again when a value changes, an error shows on the screen and comes back in
 * the reply, and a removed screen stops watching.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { settingsFrom } from '../../src/config';
import { Device } from '../../src/device/device';
import { EventBus } from '../../src/events';
import type { TemplateResult, TemplateSource } from '../../src/templates/template-source';
import { createLogger } from '../../src/util/logger';
import { RecordingOutput, rgbAt } from '../helpers/display';

jest.setTimeout(30_000);

/** Templates are `{{name}}`; their value is what the test put under `name`, or nothing yet. */
class MapTemplates implements TemplateSource {
  private readonly values = new Map<string, TemplateResult>();
  private readonly watchers = new Map<string, Set<(r: TemplateResult) => void>>();

  isTemplate(text: string): boolean {
    return /^\{\{\w+\}\}$/.test(text);
  }

  watch(text: string, onResult: (result: TemplateResult) => void): () => void {
    const name = text.slice(2, -2);
    const set = this.watchers.get(name) ?? new Set();
    set.add(onResult);
    this.watchers.set(name, set);
    const now = this.values.get(name);
    if (now) onResult(now);
    return () => set.delete(onResult);
  }

  set(name: string, result: TemplateResult): void {
    this.values.set(name, result);
    for (const watcher of this.watchers.get(name) ?? []) watcher(result);
  }

  watching(name: string): number {
    return this.watchers.get(name)?.size ?? 0;
  }
}

const log = createLogger('error');
let dataDir: string;
let device: Device;
let output: RecordingOutput;
let templates: MapTemplates;

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
const lastIs = (x: number, y: number, rgb: [number, number, number]): boolean =>
  output.frames.length > 0 && JSON.stringify(rgbAt(output.last, x, y)) === JSON.stringify(rgb);
/** Pixels of the last frame that are not the background colour. */
const inked = (background: [number, number, number]): number => {
  let n = 0;
  for (let i = 0; i < output.last.length; i += 3) {
    if (output.last[i] !== background[0] || output.last[i + 1] !== background[1] || output.last[i + 2] !== background[2]) n++;
  }
  return n;
};

beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'megabit-screen-templates-'));
  templates = new MapTemplates();
  output = new RecordingOutput();
  const settings = settingsFrom({ data_dir: dataDir, log_level: 'error', rotation: { enabled: false } }, 'test', {});
  device = new Device({ settings, bus: new EventBus(log), exampleAppDirs: [], outputs: [output], templates }, log);
  await device.start();
});

afterEach(async () => {
  await device.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('screens with templates', () => {
  it('draws the latest value of a template colour, and again when it changes', async () => {
    templates.set('bg', { ok: true, text: '#0000ff' });
    expect(await device.publishScreen('tpl', { background: '{{bg}}' })).toEqual({ id: 'tpl' });
    await until(() => device.state().app === 'tpl' && lastIs(5, 5, [0, 0, 255]), 'the blue screen');
    templates.set('bg', { ok: true, text: '#00ff00' });
    await until(() => lastIs(5, 5, [0, 255, 0]), 'the screen redrawn green');
  });

  it('shows a template error as the field text and replies with it by field', async () => {
    templates.set('power', { ok: false, error: 'no Home Assistant' });
    const reply = await device.publishScreen('power', { text: '{{power}}', background: '#000000' });
    expect(reply).toEqual({ id: 'power', errors: [{ field: 'text', error: 'no Home Assistant' }] });
    await until(() => device.state().app === 'power' && output.frames.length > 0 && inked([0, 0, 0]) > 20, 'the error text drawn');
    // Fixed: the value shows instead, and the reply to the next publish has no errors.
    templates.set('power', { ok: true, text: '' });
    await until(() => inked([0, 0, 0]) === 0, 'the empty value drawn');
    expect(await device.publishScreen('power', { text: '{{power}}', background: '#000000', duration_s: 5 })).toEqual({ id: 'power' });
  });

  it('replies without waiting long for a template that has no value yet, and stops watching a removed screen', async () => {
    const reply = await device.publishScreen('slow', { text: '{{later}}' });
    expect(reply).toEqual({ id: 'slow' });
    expect(templates.watching('later')).toBe(1);
    expect(device.removeScreen('slow')).toBe(true);
    expect(templates.watching('later')).toBe(0);
  });

  it('watches only strings the source calls templates: plain text is drawn as it is', async () => {
    expect(await device.publishScreen('plain', { text: 'no {{ template', background: '#000000' })).toEqual({ id: 'plain' });
    await until(() => device.state().app === 'plain' && output.frames.length > 0 && inked([0, 0, 0]) > 20, 'the plain text drawn');
    expect(templates.watching(' template')).toBe(0);
  });

  it('refuses a notification whose content holds a template, naming the field; plain text with braces is fine', () => {
    expect(() => device.notify({ text: '', content: { progress: 5, text: { value: '{{power}}' } } })).toThrow(
      '"text.value" holds a template: templates are shown live in screens (cmd/screens/<id>), not in notifications',
    );
    expect(device.state().notification).toBeNull();
    expect(typeof device.notify({ text: '{{power}}' })).toBe('string');
  });
});
