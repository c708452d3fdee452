import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { picture, pixel } from '../../../sdk/test-support/frame';
import { startTestApp, type TestApp } from '../../../sdk/test-support/apps';
import { textPicture, type TextStyle } from '../../../sdk/test-support/text-oracle';

const APP = join(__dirname, '..');
const VALUE: TextStyle = { font: '5x7', proportional: true, scale: 2 };
const enc = (s: string) => new TextEncoder().encode(s);

/** Columns x0..x1-1 of rows y0..y1-1 of a picture. */
const crop = (pic: string[], x0: number, y0: number, x1: number, y1: number) => pic.slice(y0, y1).map((r) => r.slice(x0, x1));

/** Pixels lit in any of the pictures. */
const union = (...pics: string[][]) => pics[0].map((row, y) => [...row].map((_, x) => (pics.some((p) => p[y][x] === '#') ? '#' : '.')).join(''));

/** The 3x3 ring the app draws for "°". */
function ring(x: number, y: number): string[] {
  const pic = textPicture('', 0, 0, { font: '3x5' }).map((r) => [...r]);
  for (let dy = 0; dy < 3; dy++) for (let dx = 0; dx < 3; dx++) if (dx !== 1 || dy !== 1) pic[y + dy][x + dx] = '#';
  return pic.map((r) => r.join(''));
}

/** The icon PNG's opaque pixels must appear in their colours, centred in the 12-pixel column. */
function expectIcon(frame: Uint8Array, name: string): void {
  const png = PNG.sync.read(readFileSync(join(APP, 'images', `${name}.png`)));
  const x0 = Math.trunc((12 - png.width) / 2),
    y0 = Math.trunc((32 - png.height) / 2);
  for (let y = 0; y < png.height; y++)
    for (let x = 0; x < png.width; x++) {
      const o = (y * png.width + x) * 4;
      const want = png.data[o + 3] < 128 ? 0 : (png.data[o] << 16) | (png.data[o + 1] << 8) | png.data[o + 2];
      expect(pixel(frame, x0 + x, y0 + y)).toBe(want);
    }
}

describe('sensor app', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('shows a Home Assistant state large, with its unit, friendly name and icon', async () => {
    t = await startTestApp(APP);
    t.app.setHomeAssistantState('sensor.outdoor_temperature', { state: '21.5', attributes: { unit_of_measurement: '°C', friendly_name: 'Garden' } });
    const frame = await t.frame();
    // "21.5" is 36 pixels wide at x=14; the unit follows 2 pixels after it.
    const text = union(
      textPicture('Garden', 14, 1, { font: '3x5' }),
      textPicture('21.5', 14, 10, VALUE),
      ring(52, 19),
      textPicture('C', 56, 19, { font: '3x5' }),
    );
    expect(crop(picture(frame), 12, 0, 64, 32)).toEqual(crop(text, 12, 0, 64, 32));
    expectIcon(frame, 'thermometer');
  });

  it('reads an MQTT topic, picks a JSON field and rounds it, with the configured icon and unit', async () => {
    t = await startTestApp(APP, { config: { source: 'mqtt', json_field: 'humidity', decimals: 0, unit: '%', icon: 'drop', label: 'Bath' } });
    t.app.setMqttValue('home/sensor/temperature', enc('{"humidity": 56.7, "battery": 90}'));
    const frame = await t.frame();
    const text = union(textPicture('Bath', 14, 1, { font: '3x5' }), textPicture('57', 14, 10, VALUE), textPicture('%', 38, 19, { font: '3x5' }));
    expect(crop(picture(frame), 12, 0, 64, 32)).toEqual(crop(text, 12, 0, 64, 32));
    expectIcon(frame, 'drop');
  });

  it('says NO DATA while the value is unavailable', async () => {
    t = await startTestApp(APP);
    const pic = picture(await t.frame());
    expect(crop(pic, 14, 14, 64, 21)).toEqual(crop(textPicture('NO DATA', 14, 14, { font: '5x7' }), 14, 14, 64, 21));
  });

  it('says DENIED for a topic the manifest does not permit', async () => {
    t = await startTestApp(APP, { config: { source: 'mqtt', topic: 'home/other' } });
    t.app.setMqttValue('home/other', enc('1'));
    const frame = await t.frame();
    expect(crop(picture(frame), 14, 14, 64, 21)).toEqual(crop(textPicture('DENIED', 14, 14, { font: '5x7' }), 14, 14, 64, 21));
    expect(pixel(frame, 14, 14 + 0)).toBe(0xff0000);
  });

  it('declares what it reads in its manifest permissions', () => {
    const manifest = JSON.parse(readFileSync(join(APP, 'build', 'manifest.json'), 'utf8'));
    expect(manifest.permissions).toEqual({ mqtt: ['home/sensor/temperature'], homeassistant: ['sensor.outdoor_temperature'] });
  });
});
