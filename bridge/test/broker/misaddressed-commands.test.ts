/** Which published topics count as a command to a display that is not there, and how often that is said. */
import { MisaddressedCommands, WARN_EVERY_MS } from '../../src/broker/misaddressed-commands';
import { recordingLog } from '../helpers/logs';

function notice(base = 'megabit', deviceId = 'megabit') {
  const log = recordingLog();
  let now = 1_000_000;
  const commands = new MisaddressedCommands(base, deviceId, log, () => now);
  return { log, commands, advance: (ms: number) => (now += ms) };
}

describe('MisaddressedCommands', () => {
  it('names the topic, the unknown id and where this display listens', () => {
    const { log, commands } = notice();
    commands.published('megabit/megabti/cmd/notify');
    expect(log.lines).toEqual([
      {
        level: 'warn',
        message:
          'a command on "megabit/megabti/cmd/notify" reached no display: no display here has device id "megabti". This one\'s commands go to "megabit/megabit/cmd/notify"',
      },
    ]);
  });

  it('works under a base topic of several levels', () => {
    const { log, commands } = notice('home/displays', 'hall');
    commands.published('home/displays/hal/cmd/apps/board/data');
    commands.published('home/displays/hall/cmd/notify');
    commands.published('home/other/hal/cmd/notify');
    expect(log.count(/This one's commands go to "home\/displays\/hall\/cmd\/apps\/board\/data"$/)).toBe(1);
    expect(log.lines).toHaveLength(1);
  });

  it('says nothing of its own commands, other topics, or displays that announced themselves', () => {
    const { log, commands } = notice();
    commands.published('megabit/megabit/cmd/notify');
    commands.published('megabit/kitchen/availability');
    commands.published('megabit/kitchen/cmd/notify');
    commands.published('megabit/other/state');
    commands.published('megabit/other/cmd');
    commands.published('elsewhere/x/cmd/notify');
    expect(log.lines).toEqual([]);
  });

  it('warns once a minute per wrong id, whatever the flood', () => {
    const { log, commands, advance } = notice();
    for (let i = 0; i < 100; i++) commands.published('megabit/typo/cmd/notify');
    commands.published('megabit/other-typo/cmd/notify');
    expect(log.count(/"typo"/)).toBe(1);
    expect(log.count(/"other-typo"/)).toBe(1);
    advance(WARN_EVERY_MS - 1);
    commands.published('megabit/typo/cmd/notify');
    expect(log.count(/"typo"/)).toBe(1);
    advance(1);
    commands.published('megabit/typo/cmd/notify');
    expect(log.count(/"typo"/)).toBe(2);
  });
});
