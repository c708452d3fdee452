/**
 * Data the host hands an app (its config, KV values, MQTT values, Home Assistant states, icons,
 * the display info) lands in Extism blocks outside the app's linear memory. An app that keeps asking
 * for it without end used to take the bridge from 111 MiB to 1.5 GiB; every block now counts
 * against the app's memory cap (the blocks of one call together, beside the linear memory), and
 * the app that passes it is stopped with the reason.
 */
import type { Icon } from '../../src/icons/icon';
import { MQTT_VALUE_MAX_BYTES } from '../../src/sandbox/mqtt-permission';
import { command, encode, manifest, useProbeSandbox } from '../helpers/sandbox/harness';
import { peakRssBytes } from '../helpers/process-memory';

const { startProbe } = useProbeSandbox();
const MiB = 1024 * 1024;
const MEMORY_BYTES = 8 * MiB;

/** 32x32, the largest icon: 4 KiB a frame handed over. */
function fullSizeIcon(): Icon {
  return { name: 'big', width: 32, height: 32, frames: [{ rgba: new Uint8Array(32 * 32 * 4).fill(200), delayMs: 0 }] };
}

const OUT_OF_MEMORY = /^ran out of memory \(8 MiB cap\): \d+ more bytes of host data or Extism blocks would pass it in this call \(\d+\.\d+ MiB in use\)$/;

describe.each([
  ['mb_config', 'hoard|config', {}],
  ['mb_kv_get', 'hoard|kv|big', { kvQuotaBytes: MiB }],
  ['mb_mqtt_get', 'hoard|mqtt|home/big', {}],
  ['mb_ha_state', 'hoard|ha|sensor.big', {}],
  ['mb_display_info', 'hoard|info', {}],
  ['mb_icon', 'hoard|icon|big', { icons: new Map([['big', fullSizeIcon()]]) }],
])('an app calling %s without end', (_fn, hoard, extra) => {
  it('is stopped when its memory plus the data handed to it passes its cap; the process stays bounded', async () => {
    const big = 'x'.repeat(60 * 1024);
    const t = await startProbe({
      ...extra,
      config: { blob: big },
      manifest: manifest({ permissions: { mqtt: ['home/big'], homeassistant: ['sensor.big'] } }),
      limits: { memoryBytes: MEMORY_BYTES },
    });
    t.app.setMqttValue('home/big', encode(big));
    t.app.setHomeAssistantState('sensor.big', { state: 'on', attributes: { blob: big } });
    if (hoard.includes('|kv|')) expect(await command(t, `setn|big|${60 * 1024}`)).toEqual(['setn 0']);
    const before = peakRssBytes('self');
    const fault = await command(t, hoard).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(fault).toMatchObject({ kind: 'memory', message: expect.stringMatching(OUT_OF_MEMORY) });
    // Without the charge this grows until the process dies; with it, by about the cap.
    expect(peakRssBytes('self') - before).toBeLessThan(8 * MEMORY_BYTES);
  });
});

it('an app that takes host data every tick keeps running far past its cap in total', async () => {
  const t = await startProbe({ config: { blob: 'x'.repeat(60 * 1024) }, limits: { memoryBytes: MEMORY_BYTES } });
  // 20 configs of 60 KiB a tick for 100 ticks: about 120 MiB handed over, 15 times the cap;
  // the blocks are freed after each call, and so is their charge.
  for (let i = 0; i < 100; i++) expect(await command(t, 'fetch|20')).toEqual(['fetched 20']);
});

it(`an MQTT value over ${MQTT_VALUE_MAX_BYTES} bytes is not handed to the app: it reads "too large"`, async () => {
  const t = await startProbe({ manifest: manifest({ permissions: { mqtt: ['home/big'] } }) });
  t.app.setMqttValue('home/big', new Uint8Array(MQTT_VALUE_MAX_BYTES + 1));
  expect(await command(t, 'mqtt|home/big')).toEqual([
    `mqtt {"ok":false,"error":"too large: ${MQTT_VALUE_MAX_BYTES + 1} bytes (apps get values up to ${MQTT_VALUE_MAX_BYTES} bytes)"}`,
  ]);
  t.app.setMqttValue('home/big', encode('small again'));
  expect(await command(t, 'mqtt|home/big')).toEqual(['mqtt {"ok":true,"value":"small again"}']);
});
