import {
  COMMANDS,
  MAX_CHART_VALUES,
  MAX_CONTENT_TEXT,
  MAX_DRAW_AREA,
  MAX_DRAW_COMMANDS,
  isScreenId,
  parseNotify,
  parseScreen,
  routeCommand,
  type ScreenCommand,
} from '../src';

const good = (payload: string | object): ScreenCommand => {
  const r = parseScreen(typeof payload === 'string' ? payload : JSON.stringify(payload));
  if (!r.ok) throw new Error(`refused: ${r.error.message}`);
  return r.value;
};
const refusal = (payload: string | object): string => {
  const r = parseScreen(typeof payload === 'string' ? payload : JSON.stringify(payload));
  if (r.ok) throw new Error(`accepted ${JSON.stringify(payload)}`);
  return `${r.error.code}: ${r.error.message}`;
};

describe('parseScreen', () => {
  it('is the parser of P/cmd/screens/<id>, a command with the screen id as route parameter', () => {
    expect(COMMANDS.screens.parse).toBe(parseScreen);
    expect(routeCommand('screens/power')).toEqual({ name: 'screens', params: { screenId: 'power' } });
  });

  it('takes an empty payload (or only whitespace) as removal', () => {
    expect(good('')).toEqual({ remove: true });
    expect(good(' \n')).toEqual({ remove: true });
  });

  it('keeps every content and timing field, and the transaction apart', () => {
    const screen = {
      text: { value: [{ t: '21.5', c: '#ffcc00' }, { t: ' °C' }], font: 'small', scroll: 'auto', speed: 30, repeat: 2, align: 'center' },
      icon: { name: 'sun', position: 'right' },
      progress: { value: 42.5, color: '#00ff00', background: '#101010' },
      chart: { type: 'bar', values: [1, 2, 3.5], color: '#0088ff' },
      draw: [
        { pixel: [0, 0], color: '#ffffff' },
        { line: [0, 0, 63, 31], color: '#ff0000' },
        { rect: [1, 2, 3, 4], color: '#00ff00', fill: true },
        { circle: [10, 10, 5], color: '#0000ff' },
        { text: 'hi', at: [2, 3], color: '#ffffff', font: 'regular' },
        { bitmap: [0, 0, 2, 1], pixels: ['#ff0000', null] },
      ],
      background: '#000010',
      duration_s: 7.5,
      lifetime_s: 60,
      on_expiry: 'stale',
      pos: 0,
    };
    expect(good({ ...screen, transaction: 't1' })).toEqual({ screen, transaction: 't1' });
    expect(good({ text: 'plain', progress: 30, icon: 'sun' })).toEqual({ screen: { text: 'plain', progress: 30, icon: 'sun' } });
  });

  it('lets colours and text hold templates', () => {
    expect(good({ text: "{{ states('sensor.power') }}", background: "{{ 'red' if x else '#000000' }}" })).toMatchObject({
      screen: { background: "{{ 'red' if x else '#000000' }}" },
    });
  });

  it.each([
    ['not JSON', '{"text":', /^bad_json: payload is not valid JSON/],
    ['not an object', '[1]', 'invalid_payload: payload must be a JSON object'],
    ['no content', { duration_s: 5 }, /^invalid_payload: "text" or another content field/],
    ['an unknown top-level key', { text: 'x', colour: '#ffffff' }, 'invalid_payload: unknown field "colour"'],
    ['an unknown nested key', { text: { value: 'x', size: 3 } }, 'invalid_payload: unknown field "text.size"'],
    ['a bad colour', { text: 'x', background: 'red' }, 'invalid_payload: "background" must be a colour like "#ff8800" (or a template giving one)'],
    ['a bad segment colour', { text: [{ t: 'a', c: '#12345' }] }, /^invalid_payload: "text\[0\]\.c" must be a colour/],
    ['a progress over 100', { progress: 101 }, 'invalid_payload: "progress" must be a number from 0 to 100'],
    ['a negative duration', { text: 'x', duration_s: -1 }, 'invalid_payload: "duration_s" must be a number from 1 to 86400'],
    ['a lifetime too long', { text: 'x', lifetime_s: 1e9 }, 'invalid_payload: "lifetime_s" must be a number from 1 to 604800'],
    ['a fractional pos', { text: 'x', pos: 1.5 }, 'invalid_payload: "pos" must be an integer from 0 to 10000'],
    ['an unknown on_expiry', { text: 'x', on_expiry: 'fade' }, 'invalid_payload: "on_expiry" must be one of "remove", "stale"'],
    ['a text too long', { text: 'x'.repeat(1025) }, 'invalid_payload: "text" is longer than 1024 characters'],
    ['a NaN-like speed', { text: { value: 'x', speed: 0 } }, 'invalid_payload: "text.speed" must be a number from 1 to 500'],
    ['a text object without value', { text: { color: '#ffffff' } }, 'invalid_payload: "text.value" is required'],
    ['a bad icon name', { icon: '../etc/passwd' }, /^invalid_payload: "icon" must be an icon name/],
    // The rule icons are stored by: no capitals, dots, or more than 32 characters.
    ['an icon name with capitals', { icon: 'Sun' }, 'invalid_payload: "icon" must be an icon name: 1 to 32 of a-z, 0-9, "_" and "-"'],
    ['an icon name with a dot', { icon: { name: 'sun.png' } }, 'invalid_payload: "icon.name" must be an icon name: 1 to 32 of a-z, 0-9, "_" and "-"'],
    ['an icon name too long', { icon: 'a'.repeat(33) }, 'invalid_payload: "icon" must be an icon name: 1 to 32 of a-z, 0-9, "_" and "-"'],
    ['a chart without values', { chart: { type: 'bar' } }, 'invalid_payload: "chart.values" is required'],
    [
      'too many chart values',
      { chart: { type: 'line', values: Array(MAX_CHART_VALUES + 1).fill(1) } },
      'invalid_payload: "chart.values" must have 1 to 64 items',
    ],
    [
      'too many draw commands',
      { draw: Array(MAX_DRAW_COMMANDS + 1).fill({ pixel: [0, 0], color: '#ffffff' }) },
      'invalid_payload: "draw" must have 0 to 256 items',
    ],
    [
      'a draw command of two kinds',
      { draw: [{ pixel: [0, 0], line: [0, 0, 1, 1], color: '#ffffff' }] },
      /^invalid_payload: "draw\[0\]" must have exactly one of/,
    ],
    ['a draw command without colour', { draw: [{ rect: [0, 0, 2, 2] }] }, 'invalid_payload: "draw[0].color" is required'],
    ['a negative rect width', { draw: [{ rect: [0, 0, -2, 2], color: '#ffffff' }] }, 'invalid_payload: "draw[0].rect[2]" must be an integer from 0 to 256'],
    [
      'a coordinate far off the panel',
      { draw: [{ pixel: [100000, 0], color: '#ffffff' }] },
      'invalid_payload: "draw[0].pixel[0]" must be an integer from -256 to 256',
    ],
    ['bitmap pixels not width x height', { draw: [{ bitmap: [0, 0, 2, 2], pixels: ['#ffffff'] }] }, 'invalid_payload: "draw[0].pixels" must have 4 items'],
    ['a bitmap larger than the panel', { draw: [{ bitmap: [0, 0, 100, 100], pixels: [] }] }, 'invalid_payload: "draw[0].bitmap" covers more than 2048 pixels'],
    ['a bad bitmap pixel', { draw: [{ bitmap: [0, 0, 1, 1], pixels: [7] }] }, /^invalid_payload: "draw\[0\]\.pixels\[0\]" must be a colour/],
    ['a bad transaction', { text: 'x', transaction: {} }, 'invalid_payload: "transaction" must be a string or a number'],
  ])('refuses %s, naming the field', (_what, payload, message) => {
    expect(refusal(payload)).toMatch(message);
  });

  it('refuses a payload that is not UTF-8', () => {
    expect(parseScreen(new Uint8Array([0x7b, 0xff, 0x7d]))).toEqual({ ok: false, error: { code: 'invalid_payload', message: 'payload is not valid UTF-8' } });
  });
});

describe('isScreenId', () => {
  it('takes 1-32 characters of a-z, 0-9, "_" and "-" that start with a letter or digit', () => {
    for (const id of ['a', 'power', 'washer_2', 'x'.repeat(32), '0-9']) expect(isScreenId(id)).toBe(true);
    for (const id of ['', 'Power', '-x', '_x', 'x'.repeat(33), 'a/b', 'a+b', 'ä']) expect(isScreenId(id)).toBe(false);
  });
});

describe('parseNotify with screen content', () => {
  const notify = (payload: object) => parseNotify(JSON.stringify(payload));

  it('keeps a plain notification exactly as before: no content', () => {
    expect(notify({ text: 'Door open', color: '#ff8800' })).toEqual({ ok: true, value: { text: 'Door open', color: '#ff8800' } });
    expect(parseNotify('Door open')).toEqual({ ok: true, value: { text: 'Door open' } });
  });

  it('takes the content fields beside the notification fields, text optional', () => {
    expect(notify({ text: 'Washer', icon: 'sun', progress: 40, priority: 'high', hold: true, id: 'w' })).toEqual({
      ok: true,
      value: { text: 'Washer', content: { text: 'Washer', icon: 'sun', progress: 40 }, priority: 'high', hold: true, id: 'w' },
    });
    expect(notify({ chart: { type: 'line', values: [1, 2] } })).toEqual({
      ok: true,
      value: { text: '', content: { chart: { type: 'line', values: [1, 2] } } },
    });
    expect(notify({ text: [{ t: '21', c: '#ffcc00' }, { t: ' °C' }] })).toMatchObject({ ok: true, value: { text: '21 °C' } });
  });

  it("puts the notification's colour on the content's text, unless the text names its own", () => {
    expect(notify({ text: 'Washer', color: '#ff8800', progress: 40 })).toMatchObject({
      ok: true,
      value: { content: { text: { value: 'Washer', color: '#ff8800' }, progress: 40 } },
    });
    const segments = [{ t: '21', c: '#ffcc00' }, { t: ' °C' }];
    expect(notify({ text: segments, color: '#00ff00' })).toMatchObject({ ok: true, value: { content: { text: { value: segments, color: '#00ff00' } } } });
    expect(notify({ text: { value: 'own', color: '#0000ff' }, color: '#ff0000' })).toMatchObject({
      ok: true,
      value: { content: { text: { value: 'own', color: '#0000ff' } } },
    });
    expect(notify({ text: { value: 'x', font: 'small' }, color: '#ff0000' })).toMatchObject({
      ok: true,
      value: { content: { text: { value: 'x', font: 'small', color: '#ff0000' } } },
    });
  });

  it('checks the content by the screens rules, naming the field', () => {
    expect(notify({ text: 'x', progress: 120 })).toEqual({
      ok: false,
      error: { code: 'invalid_payload', message: '"progress" must be a number from 0 to 100' },
    });
    expect(notify({ icon: 'sun', colour: '#ffffff' })).toEqual({ ok: false, error: { code: 'invalid_payload', message: 'unknown field "colour"' } });
    expect(notify({ icon: { name: 'sun', size: 3 } })).toEqual({ ok: false, error: { code: 'invalid_payload', message: 'unknown field "icon.size"' } });
    expect(notify({ duration_s: 5, text: 'x' })).toEqual({ ok: false, error: { code: 'invalid_payload', message: 'unknown field "duration_s"' } });
  });
});

describe('what one content may cost each frame', () => {
  const screen = (payload: object) => parseScreen(JSON.stringify(payload));

  it('refuses more than MAX_CONTENT_TEXT characters of text, segments and draw texts together', () => {
    const hebrew = 'ש'.repeat(1024);
    const refused = screen({ text: { value: Array.from({ length: 32 }, () => ({ t: hebrew })), speed: 500 } });
    expect(refused).toEqual({
      ok: false,
      error: { code: 'invalid_payload', message: `"text" and the draw list's texts together are longer than ${MAX_CONTENT_TEXT} characters (32768)` },
    });
    expect(screen({ text: [{ t: 'x'.repeat(1024) }, { t: 'y'.repeat(1024) }] }).ok).toBe(true);
    expect(screen({ text: 'x'.repeat(1024), draw: [{ text: 'y'.repeat(200), at: [0, 0], color: '#ffffff' }] }).ok).toBe(true);
    // Counted in code points: 1024 emoji are 2048 UTF-16 units but 1024 characters.
    expect(screen({ text: [{ t: '😀'.repeat(512) }, { t: '😀'.repeat(512) }, { t: 'x'.repeat(1024) }] }).ok).toBe(true);
    expect(screen({ text: [{ t: 'x'.repeat(1024) }, { t: 'y'.repeat(1024) }, { t: 'z' }] }).ok).toBe(false);
  });

  it('refuses a draw list that paints more than MAX_DRAW_AREA pixels a frame; clipped shapes count what is on the panel', () => {
    const circles = Array.from({ length: 256 }, () => ({ circle: [32, 16, 256], color: '#ff0000', fill: true }));
    const refused = screen({ draw: circles });
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.error.message).toContain(`"draw" paints more than ${MAX_DRAW_AREA} pixels a frame`);
    // Sixteen full-panel rectangles are allowed; a seventeenth is not.
    const full = { rect: [0, 0, 64, 32], color: '#00ff00', fill: true };
    expect(screen({ draw: Array(16).fill(full) }).ok).toBe(true);
    expect(screen({ draw: Array(17).fill(full) }).ok).toBe(false);
    // A rectangle reaching far off the panel counts only its visible part.
    expect(screen({ draw: Array(16).fill({ rect: [-100, -100, 256, 256], color: '#00ff00', fill: true }) }).ok).toBe(true);
    // Lines count their length, whatever the clipping (every point is walked).
    expect(screen({ draw: Array(256).fill({ line: [-256, -256, 256, 256], color: '#ffffff' }) }).ok).toBe(false);
    expect(screen({ draw: Array(63).fill({ line: [-256, -256, 256, 256], color: '#ffffff' }) }).ok).toBe(true);
  });

  it('holds rich notifications to the same caps', () => {
    const held = parseNotify(JSON.stringify({ text: [{ t: 'x'.repeat(1024) }, { t: 'y'.repeat(1024) }, { t: 'z' }], hold: true }));
    expect(held.ok).toBe(false);
  });
});
