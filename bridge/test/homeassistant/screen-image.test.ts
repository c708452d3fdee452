/**
 * The Screen image entity's own feed (`P/display/snapshot`), on mosquitto with the real bridge
 * and animated example apps: Home Assistant records every image there, so it must be slow while
 * the page keeps its fast `P/display/png`, yet follow app changes and notifications at once.
 */
import { Mosquitto } from '../helpers/mosquitto';
import { TestClient, type Received } from '../helpers/mqtt-client';
import { delay } from '../helpers/ports';
import { startInProcess, type InProcessBridge } from '../helpers/homeassistant/bridge-in-process';
import { DEVICE_TOPICS as P } from '../helpers/topics';

const SNAPSHOT = P.out('display/snapshot');
const PNG = P.out('display/png');
const DEVICE = 'homeassistant/device/megabit_megabit/config';

async function withBridge(intervalS: number, run: (ha: TestClient, bridge: InProcessBridge) => Promise<void>): Promise<void> {
  const broker = await Mosquitto.start();
  const ha = await TestClient.connect(broker.url, P);
  let bridge: InProcessBridge | undefined;
  try {
    await ha.subscribe([SNAPSHOT, PNG, DEVICE]);
    bridge = await startInProcess(broker.url, {
      apps: ['plasma', 'clock'],
      settings: { rotation: { enabled: false }, homeassistant: { image_interval_s: intervalS } },
    });
    await run(ha, bridge);
  } finally {
    await bridge?.stop();
    await ha.close();
    await broker.dispose();
  }
}

const isPng = (m: Received): boolean => m.payload.subarray(1, 4).toString() === 'PNG';

describe("the image entity's feed", () => {
  it('the entity reads P/display/snapshot; pictures come at most once per image_interval_s while the screen animates', async () => {
    await withBridge(5, async (ha) => {
      const config = JSON.parse((await ha.waitFor(DEVICE)).payload.toString()) as { cmps: Record<string, Record<string, unknown>> };
      expect(config.cmps.screen).toMatchObject({ p: 'image', image_topic: SNAPSHOT, content_type: 'image/png' });
      const first = await ha.waitFor(SNAPSHOT, () => true, 15_000);
      const pngSince = ha.messages.indexOf(first);
      const second = await ha.waitFor(SNAPSHOT, (m) => m !== first, 15_000);
      const gapMs = second.at - first.at;
      // Sent 5 s apart; arrival may be a little late or early on a busy machine, never seconds early.
      expect(gapMs).toBeGreaterThanOrEqual(4000);
      expect(isPng(first) && isPng(second)).toBe(true);
      // The animation changed the picture, and only changed pictures go out.
      expect(Buffer.compare(first.payload, second.payload)).not.toBe(0);
      // Meanwhile the page's fast feed went on (at most one a second, while the picture changes).
      expect(ha.on(PNG, pngSince).length).toBeGreaterThanOrEqual(3);
      expect(second.retain).toBe(false);
    });
  });

  it('an app change, a notification, its dismissal and the display going off and on each send the new picture at once; animation alone does not', async () => {
    // An hour between pictures: any picture within the test comes from an event.
    await withBridge(3600, async (ha) => {
      await ha.waitFor(SNAPSHOT, () => true, 15_000);
      // Plasma animates: with it showing, the page's feed goes on and the image's does not.
      await ha.request('app', 'plasma');
      await delay(1500);
      let since = ha.messages.length;
      await delay(2000);
      expect(ha.on(PNG, since).length).toBeGreaterThanOrEqual(1);
      expect(ha.on(SNAPSHOT, since)).toHaveLength(0);
      const plasma = ha.on(SNAPSHOT).pop()!;

      const pictureAfter = async (path: string, payload: string): Promise<Received> => {
        since = ha.messages.length;
        const reply = await ha.request(path, payload);
        expect({ path, reply }).toEqual({ path, reply: expect.objectContaining({ ok: true }) });
        const m = await ha
          .waitFor(SNAPSHOT, () => true, 10_000, since)
          .catch((e: Error) => {
            throw new Error(
              `${path}: ${e.message}; since then: ${ha.messages
                .slice(since)
                .map((x) => x.topic)
                .join(', ')}`,
            );
          });
        expect(isPng(m)).toBe(true);
        return m;
      };
      const clock = await pictureAfter('app', 'clock');
      expect(Buffer.compare(clock.payload, plasma.payload)).not.toBe(0);
      const notified = await pictureAfter('notify', '{"text":"Door open","hold":true}');
      expect(Buffer.compare(notified.payload, clock.payload)).not.toBe(0);
      const dismissed = await pictureAfter('notify/dismiss', '{}');
      // Off: the dark picture at once (an image interval later would leave a timer pending while dark).
      const dark = await pictureAfter('display', '{"state":"OFF"}');
      expect(Buffer.compare(dark.payload, dismissed.payload)).not.toBe(0);
      const on = await pictureAfter('display', '{"state":"ON"}');
      expect(Buffer.compare(on.payload, dark.payload)).not.toBe(0);
    });
  });

  it('image_interval_s is a setting with a floor', async () => {
    const { settingsFrom } = await import('../../src/config');
    expect(settingsFrom({}, 'test', {}).homeassistant.image_interval_s).toBe(30);
    expect(() => settingsFrom({ homeassistant: { image_interval_s: 1 } }, 'test', {})).toThrow(/image_interval_s/);
  });
});
