/** `P/cmd/night`: the words Home Assistant's switch and select send, the JSON form, and each refusal naming its field. */
import { parseNight } from '../src/night';

describe('parseNight', () => {
  it('takes ON, OFF and AUTO in any case, and mode and brightness in JSON', () => {
    expect(parseNight('ON')).toEqual({ ok: true, value: { mode: 'on' } });
    expect(parseNight(' off\n')).toEqual({ ok: true, value: { mode: 'off' } });
    expect(parseNight('Auto')).toEqual({ ok: true, value: { mode: 'auto' } });
    expect(parseNight('{"brightness":0}')).toEqual({ ok: true, value: { brightness: 0 } });
    expect(parseNight('{"mode":"on","brightness":255,"transaction":7}')).toEqual({ ok: true, value: { mode: 'on', brightness: 255, transaction: 7 } });
  });

  it('refuses anything else with invalid_payload or bad_json and a message that names the problem', () => {
    const refusals: Array<[string, string, RegExp]> = [
      ['', 'invalid_payload', /ON, OFF, AUTO/],
      ['night', 'invalid_payload', /ON, OFF, AUTO/],
      ['{"mode":"ON"}', 'invalid_payload', /"mode" must be "auto", "on" or "off"/],
      ['{"mode":1}', 'invalid_payload', /"mode"/],
      ['{"brightness":-1}', 'invalid_payload', /"brightness" must be an integer from 0 to 255/],
      ['{"brightness":"8"}', 'invalid_payload', /"brightness"/],
      ['{"transaction":1}', 'invalid_payload', /give "mode", "brightness" or both/],
      ['{"mode":"on","app":"clock"}', 'invalid_payload', /unknown field "app"/],
      ['{"mode":', 'bad_json', /./],
      ['[1]', 'invalid_payload', /JSON object|ON, OFF, AUTO/],
    ];
    for (const [payload, code, message] of refusals) {
      const result = parseNight(payload);
      expect({ payload, ok: result.ok }).toEqual({ payload, ok: false });
      if (!result.ok) {
        expect({ payload, code: result.error.code }).toEqual({ payload, code });
        expect(result.error.message).toMatch(message);
      }
    }
  });
});
