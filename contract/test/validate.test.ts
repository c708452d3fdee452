import {
  DeviceTopics,
  parseAppId,
  parseAppsOrder,
  parseButton,
  parseDismiss,
  parseDisplay,
  parseEmpty,
  parseInstall,
  parseNotify,
  transactionOf,
  validateManifest,
  deviceIdFromAvailabilityTopic,
  MAX_JSON_DEPTH,
  parseJson,
} from '../src';

const manifest = { id: 'clock', name: 'Clock', version: '1.0.0', bin: 'clock.wasm', refresh_period_ms: 1000 };

function errorOf(r: { ok: boolean; error?: { code: string; message: string } }): string {
  if (r.ok) throw new Error('expected an error');
  return `${r.error!.code}: ${r.error!.message}`;
}

describe('topics', () => {
  const t = new DeviceTopics('megabit', 'kitchen');
  it('builds command, response and output topics under the device prefix', () => {
    expect(t.cmd('notify')).toBe('megabit/kitchen/cmd/notify');
    expect(t.response('apps/clock/config')).toBe('megabit/kitchen/response/apps/clock/config');
    expect(t.out('state')).toBe('megabit/kitchen/state');
    expect(t.commandPath('megabit/kitchen/cmd/app/next')).toBe('app/next');
    expect(t.commandPath('megabit/other/cmd/app/next')).toBeUndefined();
  });
  it('finds device ids in availability topics', () => {
    expect(deviceIdFromAvailabilityTopic('megabit/hall/availability')).toBe('hall');
    expect(deviceIdFromAvailabilityTopic('megabit/hall/state')).toBeUndefined();
    expect(deviceIdFromAvailabilityTopic('home/megabit/hall/availability', 'home/megabit')).toBe('hall');
    expect(deviceIdFromAvailabilityTopic('home/megabit/a/b/availability', 'home/megabit')).toBeUndefined();
    expect(deviceIdFromAvailabilityTopic('megabit//availability')).toBeUndefined();
  });
});

describe('notify', () => {
  it('takes plain text as the text', () => {
    expect(parseNotify('Door open')).toEqual({ ok: true, value: { text: 'Door open' } });
  });
  it('takes JSON with every option', () => {
    const r = parseNotify(
      JSON.stringify({ text: 'Hi', id: 'x', color: '#00ff00', duration_ms: 3000, repeat: 2, priority: 'high', hold: true, transaction: 7 }),
    );
    expect(r).toEqual({
      ok: true,
      value: { text: 'Hi', id: 'x', color: '#00ff00', duration_ms: 3000, repeat: 2, priority: 'high', hold: true, transaction: 7 },
    });
  });
  it('names the field that is wrong', () => {
    expect(errorOf(parseNotify('{"text":"a","color":"red"}'))).toBe('invalid_payload: "color" must be a colour like "#ff8800"');
    expect(errorOf(parseNotify('{"text":"a","priority":"urgent"}'))).toMatch(/"priority" must be one of low, normal, high, critical/);
    expect(errorOf(parseNotify('{"color":"#ffffff"}'))).toMatch(/"text" is required/);
    expect(errorOf(parseNotify('{"text":"a","sound":"beep"}'))).toBe('invalid_payload: unknown field "sound"');
    expect(errorOf(parseNotify('{"text":"a","duration_ms":1.5}'))).toMatch(/"duration_ms" must be an integer/);
  });
  it('refuses broken JSON, empty text, huge text, invalid UTF-8 and deep nesting', () => {
    expect(errorOf(parseNotify('{"text":'))).toMatch(/^bad_json:/);
    expect(errorOf(parseNotify('   '))).toMatch(/empty/);
    expect(errorOf(parseNotify('x'.repeat(2000)))).toMatch(/^too_large:/);
    expect(errorOf(parseNotify(Buffer.from([0xff, 0xfe, 0x41])))).toMatch(/UTF-8/);
    const deep = `{"text":"a","x":${'['.repeat(MAX_JSON_DEPTH + 5)}${']'.repeat(MAX_JSON_DEPTH + 5)}}`;
    expect(errorOf(parseNotify(deep))).toMatch(/nested deeper/);
  });
});

describe('JSON that does not parse', () => {
  it('is answered without quoting what was sent: it may be an API key', () => {
    const secret = 'sk-live-0123456789';
    for (const payload of [`{"api_key": ${secret}}`, `{"api_key": "${secret}"`, `{"api_key":\n "${secret}",}`, `{"a": 1} ${secret}`]) {
      const error = errorOf(parseJson(payload));
      expect(error).toMatch(/^bad_json: payload is not valid JSON/);
      expect(error).not.toContain(secret);
      expect(error).not.toContain('sk-');
    }
    expect(errorOf(parseJson('{"a":'))).toBe('bad_json: payload is not valid JSON (it ends too soon)');
    expect(errorOf(parseJson('{"a": 1,\n "b" 2}'))).toBe('bad_json: payload is not valid JSON (line 2, column 6)');
  });
});

describe('other commands', () => {
  it('display takes the JSON light schema', () => {
    expect(parseDisplay('{"state":"OFF"}')).toEqual({ ok: true, value: { state: 'OFF' } });
    expect(parseDisplay('{"brightness":10,"transaction":"a"}')).toEqual({ ok: true, value: { brightness: 10, transaction: 'a' } });
    expect(errorOf(parseDisplay('{"brightness":256}'))).toMatch(/0 to 255/);
    expect(errorOf(parseDisplay('{}'))).toMatch(/give "state", "brightness" or "flash"/);
    expect(errorOf(parseDisplay('ON'))).toMatch(/^bad_json/);
  });
  it("display takes Home Assistant's transition and flash, in seconds", () => {
    // Exactly what Home Assistant's JSON light sends.
    expect(parseDisplay('{"state":"ON","brightness":120,"transition":2}')).toEqual({ ok: true, value: { state: 'ON', brightness: 120, transition: 2 } });
    expect(parseDisplay('{"state":"OFF","transition":0.5}')).toEqual({ ok: true, value: { state: 'OFF', transition: 0.5 } });
    expect(parseDisplay('{"state":"ON","flash":2}')).toEqual({ ok: true, value: { state: 'ON', flash: 2 } });
    expect(parseDisplay('{"state":"ON","flash":10}')).toEqual({ ok: true, value: { state: 'ON', flash: 10 } });
    expect(parseDisplay('{"flash":2}')).toEqual({ ok: true, value: { flash: 2 } });
    expect(parseDisplay('{"state":"ON","transition":0}')).toEqual({ ok: true, value: { state: 'ON', transition: 0 } });
    expect(errorOf(parseDisplay('{"state":"ON","transition":-1}'))).toMatch(/"transition" must be a number of seconds from 0 to 3600/);
    expect(errorOf(parseDisplay('{"state":"ON","transition":"2"}'))).toMatch(/"transition" must be a number/);
    expect(errorOf(parseDisplay('{"state":"ON","flash":0}'))).toMatch(/"flash" must be a number of seconds above 0 up to 600/);
    expect(errorOf(parseDisplay('{"state":"ON","flash":"short"}'))).toMatch(/"flash" must be a number/);
    expect(errorOf(parseDisplay('{"state":"OFF","flash":2}'))).toMatch(/"flash" needs the display on/);
    expect(errorOf(parseDisplay('{"transition":2}'))).toMatch(/give "state", "brightness" or "flash"/);
    expect(errorOf(parseDisplay('{"state":"ON","effect":"x"}'))).toMatch(/unknown field "effect"/);
  });
  it('app takes a bare id or {"id"} and refuses path tricks', () => {
    expect(parseAppId('clock')).toEqual({ ok: true, value: { id: 'clock' } });
    expect(parseAppId('{"id":"clock","transaction":1}')).toEqual({ ok: true, value: { id: 'clock', transaction: 1 } });
    expect(errorOf(parseAppId('../../etc'))).toMatch(/^invalid_payload: app id must be/);
    expect(errorOf(parseAppId('{"id":"A B"}'))).toMatch(/"id" must be/);
  });
  it('order lists installed ids once each', () => {
    expect(parseAppsOrder('{"order":["a","b"],"disabled":["b"]}')).toEqual({ ok: true, value: { order: ['a', 'b'], disabled: ['b'] } });
    expect(errorOf(parseAppsOrder('{"order":["a","a"]}'))).toMatch(/twice/);
    expect(errorOf(parseAppsOrder('{"order":"a"}'))).toMatch(/array of app ids/);
  });
  it('button takes the hardware button actions only', () => {
    expect(parseButton('{"button":"main","action":"long_press"}')).toEqual({ ok: true, value: { button: 'main', action: 'long_press' } });
    expect(errorOf(parseButton('{"button":"main","action":"triple"}'))).toMatch(/"action" must be one of/);
  });
  it('dismiss and empty commands accept an empty payload', () => {
    expect(parseDismiss('')).toEqual({ ok: true, value: {} });
    expect(parseDismiss('{"id":"door"}')).toEqual({ ok: true, value: { id: 'door' } });
    expect(parseEmpty('')).toEqual({ ok: true, value: {} });
    expect(errorOf(parseEmpty('{"x":1}'))).toMatch(/unknown field "x"/);
  });
  it('finds a transaction to echo even in requests that fail validation', () => {
    expect(transactionOf('{"transaction":"abc","brightness":999}')).toBe('abc');
    expect(transactionOf('plain text')).toBeUndefined();
    expect(transactionOf('{broken')).toBeUndefined();
  });
});

describe('manifests and installs', () => {
  it('accepts a minimal manifest and one with permissions and a config schema', () => {
    expect(validateManifest(manifest).ok).toBe(true);
    expect(
      validateManifest({
        ...manifest,
        duration_ms: 10000,
        permissions: { kv_bytes: 1024, mqtt: ['home/temp'], homeassistant: ['sensor.t'] },
        config: { type: 'object' },
      }).ok,
    ).toBe(true);
  });
  it('refuses path tricks in id and bin, wildcards and unknown fields', () => {
    expect(errorOf(validateManifest({ ...manifest, id: '../x' }))).toMatch(/"id"/);
    expect(errorOf(validateManifest({ ...manifest, bin: '../../x.wasm' }))).toMatch(/"bin"/);
    expect(errorOf(validateManifest({ ...manifest, permissions: { mqtt: ['home/#'] } }))).toMatch(/wildcards/);
    expect(errorOf(validateManifest({ ...manifest, network: true }))).toMatch(/unknown field "network"/);
    expect(errorOf(validateManifest({ ...manifest, refresh_period_ms: undefined }))).toMatch(/refresh_period_ms/);
  });
  it('grants network access to named hosts only', () => {
    const grant = (network: unknown) => validateManifest({ ...manifest, permissions: { network } });
    expect(grant(['api.example.com', '*.example.org', '192.168.1.20', '[::1]', 'localhost']).ok).toBe(true);
    expect(grant([]).ok).toBe(true);
    for (const bad of [
      '*',
      'http://api.example.com',
      'api.example.com:8080',
      'api.example.com/x',
      'API.example.com',
      '*.',
      'a..b',
      '',
      'a b',
      'a.*.com',
      '*.com',
      '10.1',
      '0x7f.1',
      '192.168.001.020',
      '[0:0::1]',
      7,
    ]) {
      expect(errorOf(grant([bad]))).toMatch(/permissions\.network lists host names/);
    }
    expect(errorOf(grant('api.example.com'))).toMatch(/permissions\.network must be an array/);
    expect(errorOf(validateManifest({ ...manifest, permissions: { files: '../..' } }))).toMatch(/unknown permission "files"/);
  });
  it('install needs a valid manifest and base64 wasm', () => {
    expect(parseInstall(JSON.stringify({ manifest, wasm: 'AGFzbQEAAAA=' })).ok).toBe(true);
    expect(errorOf(parseInstall(JSON.stringify({ manifest, wasm: 'not base64!' })))).toMatch(/base64/);
    expect(errorOf(parseInstall(JSON.stringify({ manifest: { ...manifest, id: 'X' }, wasm: 'AA==' })))).toMatch(/manifest: "id"/);
  });

  it('takes "replace" as a boolean, and leaves it out when false', () => {
    const install = (replace: unknown): unknown => parseInstall(JSON.stringify({ manifest, wasm: 'AGFzbQEAAAA=', replace }));
    expect(install(true)).toMatchObject({ ok: true, value: { replace: true } });
    expect((install(false) as { value: object }).value).not.toHaveProperty('replace');
    expect(errorOf(install('yes') as never)).toBe('invalid_payload: "replace" must be true or false');
  });
});

describe('rotation', () => {
  it('takes ON/OFF as Home Assistant switches send, or JSON', () => {
    const { parseRotation } = jest.requireActual('../src') as typeof import('../src');
    expect(parseRotation('ON')).toEqual({ ok: true, value: { enabled: true } });
    expect(parseRotation('{"enabled":false,"transaction":2}')).toEqual({ ok: true, value: { enabled: false, transaction: 2 } });
    expect(errorOf(parseRotation('maybe'))).toMatch(/ON, OFF/);
  });
});

describe('topicMatches', () => {
  it('matches + as one level and # as the rest, like a broker', () => {
    const { topicMatches } = jest.requireActual('../src') as typeof import('../src');
    expect(topicMatches('megabit/+/availability', 'megabit/hall/availability')).toBe(true);
    expect(topicMatches('megabit/+/availability', 'megabit/hall/state')).toBe(false);
    expect(topicMatches('megabit/hall/cmd/#', 'megabit/hall/cmd/apps/x/data')).toBe(true);
    expect(topicMatches('megabit/hall/cmd/#', 'megabit/hall/cmd')).toBe(true);
    expect(topicMatches('a/b', 'a/b/c')).toBe(false);
    expect(topicMatches('a/b/c', 'a/b')).toBe(false);
  });
});
