/**
 * The image feed leaves no timer pending once the display is off (issue 21): its throttle timer
 * used to wait out `image_interval_s` after the display went dark, so the leak test's count of
 * timers at rest depended on how long a cycle had taken. Counted on jest's fake timers; the
 * feed's picture logic on a real broker is screen-image.test.ts.
 */
import { DeviceTopics, FRAME_BYTES } from '@megabit/contract';
import { EventBus } from '../../src/events';
import { ScreenSnapshotFeed } from '../../src/homeassistant/screen-feed';
import type { FrameSource } from '../../src/mqtt/frame-publisher';
import type { MqttConnection } from '../../src/mqtt/connection';
import { recordingLog } from '../helpers/logs';

const filled = (value: number): Uint8Array => new Uint8Array(FRAME_BYTES).fill(value);

describe('the image feed at rest', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('a display switched off while a throttled picture waits sends its dark picture at once and leaves no timer', () => {
    const published: string[] = [];
    // Only publish is used by the feed: it records the topics.
    const mqtt = { publish: (topic: string) => published.push(topic) } as unknown as MqttConnection;
    let listener: ((frame: Uint8Array) => void) | undefined;
    let latest: Uint8Array | undefined;
    const frames: FrameSource = {
      latestFrame: () => latest,
      onFrame: (l) => {
        listener = l;
        return () => {
          listener = undefined;
        };
      },
      encodePng: (f) => Buffer.from(f.subarray(0, 4)),
    };
    let power: 'ON' | 'OFF' = 'ON';
    const device = { state: () => ({ state: power, app: 'plasma', notification: null }) };
    const bus = new EventBus(recordingLog());
    const feed = new ScreenSnapshotFeed(mqtt, new DeviceTopics('megabit', 'megabit'), frames, device, bus, 30);
    const show = (frame: Uint8Array): void => {
      latest = frame;
      listener?.(frame);
    };
    feed.start();
    show(filled(1));
    expect(published).toHaveLength(1);
    // The animation goes on: the next picture waits out the 30 s interval.
    show(filled(2));
    expect(jest.getTimerCount()).toBe(1);
    // The display goes off and its frame goes dark.
    power = 'OFF';
    bus.emit('stateChanged');
    show(filled(0));
    expect(published).toHaveLength(2);
    expect(latest).toEqual(filled(0));
    expect(jest.getTimerCount()).toBe(0);
    feed.stop();
  });
});
