/**
 * The SDK's drawing, fonts, colours, JSON, KV, randomness, time and host reads, checked through a
 * probe app (test/probe) running in the bridge's real sandbox.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type Icon, loadBuiltInIcons, SandboxFault } from 'megabit-bridge';
import { picture, pixel } from '../test-support/frame';
import { ensureBuilt, startTestApp, type TestApp } from '../test-support/apps';
import { measure, textPicture } from '../test-support/text-oracle';

const PROBE = join(__dirname, 'probe');

describe('SDK (probe app in the real sandbox)', () => {
  // A stale probe is built here, with the build's time, not inside the first test's 30 s.
  beforeAll(() => ensureBuilt(PROBE), 120_000);
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  async function scene(name: string, extra: Record<string, unknown> = {}): Promise<{ frame: Uint8Array | null; logs: string[] }> {
    t = await startTestApp(PROBE, { config: { scene: name, ...extra } });
    const frame = await t.app.run();
    return { frame: frame ? frame.slice() : null, logs: t.logs.map((l) => l.message) };
  }

  it('draws pixels, rectangles, circles and lines, clipped to the display', async () => {
    const { frame, logs } = await scene('shapes');
    const f = frame!;
    const pic = picture(f);
    expect(pixel(f, 0, 0)).toBe(0xff0000);
    // Outline rect (2,2) 10x6: edges lit, inside dark.
    expect(pic[2].slice(2, 12)).toBe('#'.repeat(10));
    expect(pic[7].slice(2, 12)).toBe('#'.repeat(10));
    expect(pic[4].slice(2, 12)).toBe('#........#');
    expect(pixel(f, 2, 4)).toBe(0x0000ff);
    // Filled rect (20,2) 5x4.
    for (let y = 2; y < 6; y++) expect(pic[y].slice(19, 26)).toBe('.#####.');
    // Circle r=5 around (40,16): the four extreme points lit, the centre dark.
    for (const [x, y] of [
      [45, 16],
      [35, 16],
      [40, 11],
      [40, 21],
    ])
      expect(pixel(f, x, y)).toBe(0xffff00);
    expect(pixel(f, 40, 16)).toBe(0);
    // Filled circle r=3 around (55,24).
    expect(pic[24].slice(51, 60)).toBe('.#######.');
    expect(pic[21].slice(51, 60)).toBe('....#....');
    // Line (0,31)-(30,16): both ends lit, one pixel per column.
    expect(pixel(f, 0, 31)).toBe(0x00ff00);
    expect(pixel(f, 30, 16)).toBe(0x00ff00);
    for (let x = 0; x <= 30; x++) expect(pic.filter((row, y) => y >= 16 && row[x] === '#' && pixel(f, x, y) === 0x00ff00)).toHaveLength(1);
    expect(logs).toContain('size 64x32 get #ffffff');
  });

  it('renders the 5x7 and 3x5 fonts (monospaced, proportional, scaled) as drawn in fonts/*.txt, a box for what they lack; FONT_SMALL by default', async () => {
    const { frame, logs } = await scene('text');
    const pic = picture(frame!);
    expect(pic.slice(0, 7).map((r) => r.slice(0, 40))).toEqual(
      textPicture('Hi!', 1, 0, { font: '5x7' })
        .slice(0, 7)
        .map((r) => r.slice(0, 40)),
    );
    expect(pic.slice(8, 13)).toEqual(textPicture('wide 1', 0, 8, { font: '3x5', proportional: true }).slice(8, 13));
    // Outside ASCII: one missing-glyph box per character, also for a surrogate pair.
    expect(pic.slice(0, 5).map((r) => r.slice(40))).toEqual(
      textPicture('é😀', 40, 0, { font: '3x5' })
        .slice(0, 5)
        .map((r) => r.slice(40)),
    );
    expect(pic.slice(16, 30).map((r) => r.slice(0, 40))).toEqual(
      textPicture('7', 0, 16, { font: '5x7', scale: 2 })
        .slice(16, 30)
        .map((r) => r.slice(0, 40)),
    );
    // Without a font argument, text and Scroller use FONT_SMALL: é and € are glyphs, not boxes.
    expect(pic.slice(16, 30).map((r) => r.slice(40))).toEqual(
      textPicture('é€', 40, 16, { font: 'small' })
        .slice(16, 30)
        .map((r) => r.slice(40)),
    );
    expect(logs).toContain(`end 18 measure 29 15 0 scroller ${64 + measure('Hé', { font: 'small' })}`);
  });

  it('draws RGB and indexed images with transparency, clipped at the edges', async () => {
    const { frame } = await scene('images');
    const f = frame!;
    expect([pixel(f, 0, 0), pixel(f, 1, 0), pixel(f, 0, 1), pixel(f, 1, 1)]).toEqual([0xff0000, 0x00ff00, 0x0000ff, 0xffffff]);
    // Indexed 3x3 at (10,10): index 0 is transparent (background stays), 1 magenta, 2 cyan.
    expect([pixel(f, 10, 10), pixel(f, 11, 10), pixel(f, 11, 11), pixel(f, 12, 12)]).toEqual([0xff00ff, 0x303030, 0x00ffff, 0xff00ff]);
    // RGB image with white transparent, at (62,30): its white pixel (63,31) is not drawn.
    expect([pixel(f, 62, 30), pixel(f, 63, 30), pixel(f, 62, 31), pixel(f, 63, 31)]).toEqual([0xff0000, 0x00ff00, 0x0000ff, 0x303030]);
  });

  it('draws stored icons by name with icon(), transparent pixels left alone, clipped at the edges', async () => {
    const builtIns = loadBuiltInIcons();
    const icons = new Map<string, Icon>(builtIns);
    t = await startTestApp(PROBE, { config: { scene: 'icons' }, icons });
    const f = (await t.app.run())!.slice();
    const sun = builtIns.get('sun')!;
    /** What the sun puts at (x, y) of its own: its colour, or the blue background where it is transparent. */
    const sunAt = (x: number, y: number): number => {
      const i = (y * sun.width + x) * 4;
      const rgba = sun.frames[0]!.rgba;
      return rgba[i + 3]! >= 128 ? (rgba[i]! << 16) | (rgba[i + 1]! << 8) | rgba[i + 2]! : 0x0000ff;
    };
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 8; x++) {
        expect(pixel(f, 10 + x, y)).toBe(sunAt(x, y));
        if (x >= 4) expect(pixel(f, x - 4, y)).toBe(sunAt(x, y));
      }
    }
    // Unknown (and over-long) names draw nothing: the background stays.
    for (let x = 30; x < 38; x++) expect(pixel(f, x, 0)).toBe(0x0000ff);
    expect(t.logs.map((l) => l.message)).toEqual(['icon sun true true', 'icon nothing false false']);
    // An upload replacing the icon shows from the next tick on.
    icons.set('sun', { name: 'sun', width: 1, height: 1, frames: [{ rgba: Uint8Array.from([255, 0, 0, 255]), delayMs: 0 }] });
    const next = (await t.app.run())!;
    expect([pixel(next, 10, 0), pixel(next, 11, 0)]).toEqual([0xff0000, 0x0000ff]);
  });

  it('converts colours: HSV, hex, names, mixing, clamping', async () => {
    const { logs } = await scene('colors');
    expect(logs).toContain('#ff0000 #00ff00 #000080 #ff00ff #808080 #ff1700 #abff00 #aa00ff #123456 #aabbcc #ff8000 #010203 #804020 #ff0080');
  });

  it('parses and writes JSON, rejecting invalid text', async () => {
    const { logs } = await scene('json');
    expect(logs).toEqual(
      expect.arrayContaining(['{"a":[1,2.5,-300,true,null],"s":"q\\"é\\n","o":{"k":"v"}}', 'v 2.5 5', 'invalid rejected 7/7', '{"n":7,"list":["x",false]}']),
    );
  });

  it('keeps strings (UTF-8), numbers and JSON in KV, with quota and key errors', async () => {
    t = await startTestApp(PROBE, { config: { scene: 'kv', step: 1 } });
    await t.app.run();
    t.app.setConfig({ scene: 'kv', step: 2 });
    await t.app.run();
    const logs = t.logs.map((l) => l.message);
    expect(logs).toEqual(['set 0,0,0,-2,-1', 'ok 0 quota -1 key -2', 'get Grüße ✓ 41.5 {"x":1} nobig', 'removed yes fallback 9.0']);
  });

  it('gives reproducible seeded sequences and a host-seeded shared generator within range', async () => {
    const { logs } = await scene('random');
    expect(logs).toContain('same true differs true inRange true');
  });

  it('reads permitted MQTT values and Home Assistant states, with clear errors otherwise', async () => {
    t = await startTestApp(PROBE, { config: { scene: 'sources' } });
    t.app.setMqttValue('probe/allowed', new TextEncoder().encode('21.5'));
    await t.app.run();
    t.app.setHomeAssistantState('sensor.probe', { state: 'on', attributes: { unit_of_measurement: '°C' } });
    await t.app.run();
    const logs = t.logs.map((l) => l.message);
    expect(logs.slice(0, 3)).toEqual(['mqtt true 21.5  - 21.5', 'denied false true denied: probe/other is not in permissions.mqtt', 'ha false   unavailable']);
    expect(logs[5]).toBe('ha true on °C ');
  });

  it('makes HTTP requests to the hosts permissions.network grants', async () => {
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        if (req.url === '/json') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ seen: req.headers['x-probe'] }));
        else if (req.url === '/echo') res.writeHead(201).end(`${req.method} ${body}`);
        else res.writeHead(404).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      t = await startTestApp(PROBE, { config: { scene: 'http', base } });
      await t.app.run();
      expect(t.logs.map((l) => l.message)).toEqual(['get 200 true sdk', 'post 201 POST ping', 'missing 404 false']);
    } finally {
      await t?.close();
      t = undefined;
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('splits timestamps into calendar fields', async () => {
    const { logs } = await scene('time');
    expect(logs).toEqual([
      '1970-1-1 0:0:0.0 Thursday January 12am',
      '2000-2-29 0:0:0.0 Tuesday February 12am',
      '1969-12-31 23:59:59.999 Wednesday December 11pm',
      '2100-1-1 0:0:0.0 Friday January 12am',
      '2023-11-14 22:13:20.123 Tuesday November 10pm',
    ]);
  });

  it('delivers button events and data payloads before run()', async () => {
    t = await startTestApp(PROBE, { config: { scene: 'idle' } });
    t.app.pushButton({ button: 'main', action: 'long_press' });
    t.app.pushData(new TextEncoder().encode('{"x":1}'));
    t.app.pushData(new TextEncoder().encode('plain ✓'));
    t.app.pushData(new Uint8Array([0xff, 0x41, 0xe2, 0x9c, 0x42, 0xf0, 0x9f, 0x98, 0x80, 0xc3]));
    expect(await t.app.run()).toBeNull();
    const logs = t.logs.map((l) => l.message);
    expect(logs.slice(0, 3)).toEqual(['button main long_press long', 'data 7 json {"x":1}', 'data 9 text plain ✓']);
    // Bytes that are not UTF-8 arrive too: each bad sequence reads as U+FFFD, the rest intact.
    expect(logs[3]).toBe('data 10 text \uFFFDA\uFFFDB😀\uFFFD');
  });

  it('turns an abort into a trap with the message logged as an error', async () => {
    t = await startTestApp(PROBE, { config: { scene: 'abort' } });
    await expect(t.app.run()).rejects.toBeInstanceOf(SandboxFault);
    expect(t.logs).toContainEqual({ level: 'error', message: expect.stringMatching(/^abort: probe abort at .*index\.ts:\d+:\d+$/) });
  });
});
