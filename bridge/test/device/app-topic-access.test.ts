import { appMayReadTopic } from '../../src/device/app-topic-access';

describe('topics an app may read', () => {
  it.each([
    ['home/sensor/temperature', true],
    ['zigbee2mqtt/kitchen', true],
    ['megabit/megabit/state', true],
    ['megabit/hall/event/button', true],
    ['megabit/megabit/cmd/apps/weather/config', false],
    ['megabit/hall/cmd/notify', false],
    ['megabit/megabit/response/apps/install', false],
    ['megabit/group/kitchen/cmd/notify', false],
    ['megabit/group/kitchen/response/notify', false],
    ['$SYS/broker/clients/connected', false],
    // Another base topic is another system's: only this bridge's tree is known to carry app config.
    ['other/megabit/cmd/x', true],
  ])('%s: %s', (topic, allowed) => {
    expect(appMayReadTopic(topic, 'megabit')).toBe(allowed);
  });

  it('follows a custom base topic', () => {
    expect(appMayReadTopic('home/displays/hall/cmd/apps/x/config', 'home/displays')).toBe(false);
    expect(appMayReadTopic('home/displays/hall/state', 'home/displays')).toBe(true);
  });
});
