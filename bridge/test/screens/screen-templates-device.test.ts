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
import { contentTextLength, MAX_CONTENT_TEXT, type ScreenContent } from '@megabit/contract';
import { MAX_SCREEN_TEMPLATES } from '../../src/screens/screen-templates';
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
    expect(device.notify({ text: '{{power}}' })).toEqual({ id: expect.any(String) });
  });

  it('reports a colour template whose result is not a colour, by field; a colour result is no problem', async () => {
    templates.set('bg', { ok: true, text: 'red-ish' });
    expect(await device.publishScreen('badcolour', { background: '{{bg}}' })).toEqual({
      id: 'badcolour',
      errors: [{ field: 'background', error: 'the template gave "red-ish", not a colour like "#ff8800"' }],
    });
    templates.set('fg', { ok: true, text: '#00ff00' });
    expect(await device.publishScreen('goodcolour', { text: { value: 'x', color: '{{fg}}' } })).toEqual({ id: 'goodcolour' });
  });

  it('refuses a screen holding more than MAX_SCREEN_TEMPLATES different templates, watching none', async () => {
    const draw = Array.from({ length: MAX_SCREEN_TEMPLATES + 1 }, (_, i) => ({ pixel: [i, 0] as [number, number], color: `{{c${i}}}` }));
    await expect(device.publishScreen('many', { draw })).rejects.toThrow(
      `a screen may hold at most ${MAX_SCREEN_TEMPLATES} different templates (this one holds ${MAX_SCREEN_TEMPLATES + 1})`,
    );
    expect(templates.watching('c0')).toBe(0);
    expect(device.state().app).not.toBe('many');
    // At the cap it is fine.
    expect(await device.publishScreen('enough', { draw: draw.slice(0, MAX_SCREEN_TEMPLATES) })).toEqual({ id: 'enough' });
    expect(templates.watching('c0')).toBe(1);
  });

  it("cuts template results so the content's text stays within MAX_CONTENT_TEXT", async () => {
    const screens = (device as unknown as { screens: { view(id: string): { content: ScreenContent } | undefined } }).screens;
    templates.set('a', { ok: true, text: 'a'.repeat(MAX_CONTENT_TEXT) });
    templates.set('b', { ok: true, text: 'b'.repeat(MAX_CONTENT_TEXT) });
    await device.publishScreen('cut', { text: [{ t: 'fixed' }, { t: '{{a}}' }, { t: '{{b}}' }] });
    const shown = screens.view('cut')!.content;
    expect(contentTextLength(shown)).toBe(MAX_CONTENT_TEXT);
    // The fixed text keeps its room; the first template gets the rest.
    expect(shown.text).toEqual([{ t: 'fixed' }, { t: 'a'.repeat(MAX_CONTENT_TEXT - 5) }, { t: '' }]);
  });

  it('replies to an unchanged re-delivery at once, without waiting for templates that have no value', async () => {
    const screens = (device as unknown as { screens: { publish: (...a: unknown[]) => Promise<{ put: string }> } }).screens;
    const first = await screens.publish('waits', { text: '{{never}}' });
    expect(first.put).toBe('added');
    // A first result never comes; an unchanged publish settles before any timer can run.
    let settled = false;
    const again = screens.publish('waits', { text: '{{never}}' }).then((r) => {
      settled = true;
      return r;
    });
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(true);
    expect((await again).put).toBe('unchanged');
  });
});
