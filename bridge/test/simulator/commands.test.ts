import { DeviceTopics } from '@megabit/contract';
import { Commands } from '../../simulator/commands';

const topics = new DeviceTopics('megabit', 'desk');
const enc = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v));

function setup(): { commands: Commands; sent: Array<{ topic: string; body: Record<string, unknown> }>; clock: { now: number } } {
  const sent: Array<{ topic: string; body: Record<string, unknown> }> = [];
  const clock = { now: 0 };
  const commands = new Commands(
    (topic, payload) => sent.push({ topic, body: JSON.parse(payload) }),
    () => clock.now,
  );
  return { commands, sent, clock };
}

describe('Commands', () => {
  it('publishes each command on its topic with a fresh transaction id', () => {
    const { commands, sent } = setup();
    commands.button(topics, 'long_press');
    commands.nextApp(topics);
    commands.previousApp(topics);
    commands.showApp(topics, 'clock');
    expect(sent.map((s) => s.topic)).toEqual(['megabit/desk/cmd/button', 'megabit/desk/cmd/app/next', 'megabit/desk/cmd/app/previous', 'megabit/desk/cmd/app']);
    expect(sent[0].body).toMatchObject({ button: 'main', action: 'long_press' });
    expect(sent[3].body).toMatchObject({ id: 'clock' });
    expect(new Set(sent.map((s) => s.body.transaction)).size).toBe(4);
  });

  it('checks a notification with the contract before sending it', () => {
    const { commands, sent } = setup();
    expect(commands.notify(topics, { text: 'hi', color: 'red' })?.message).toMatch(/color/);
    expect(commands.notify(topics, { text: '   ' })?.code).toBe('invalid_payload');
    expect(sent).toHaveLength(0);
    expect(commands.notify(topics, { text: 'Dinner!', color: '#ff8800' })).toBeUndefined();
    expect(sent[0]).toMatchObject({ topic: 'megabit/desk/cmd/notify', body: { text: 'Dinner!', color: '#ff8800' } });
  });

  it('reports a failed reply to its own command, once', () => {
    const { commands, sent } = setup();
    commands.showApp(topics, 'nope');
    const transaction = sent[0].body.transaction;
    const reply = enc({ ok: false, error: { code: 'unknown_app', message: 'no app "nope"' }, transaction });
    expect(commands.reply(topics, 'megabit/desk/response/app', reply)).toEqual({
      command: 'app',
      error: { code: 'unknown_app', message: 'no app "nope"' },
    });
    expect(commands.reply(topics, 'megabit/desk/response/app', reply)).toBeUndefined();
  });

  it('ignores successes, replies to other clients, other devices and garbage', () => {
    const { commands, sent } = setup();
    commands.nextApp(topics);
    const transaction = sent[0].body.transaction;
    const failure = { ok: false, error: { code: 'busy', message: 'x' } };
    expect(commands.reply(topics, 'megabit/desk/response/app/next', enc({ ...failure, transaction: 'someone-else' }))).toBeUndefined();
    expect(commands.reply(topics, 'megabit/hall/response/app/next', enc({ ...failure, transaction }))).toBeUndefined();
    expect(commands.reply(topics, 'megabit/desk/response/app/next', new TextEncoder().encode('{oops'))).toBeUndefined();
    expect(commands.reply(topics, 'megabit/desk/response/app/next', enc({ ok: true, transaction }))).toBeUndefined();
  });

  it('stops waiting for replies after a minute', () => {
    const { commands, sent, clock } = setup();
    commands.nextApp(topics);
    const transaction = sent[0].body.transaction;
    clock.now = 61_000;
    commands.previousApp(topics);
    const late = enc({ ok: false, error: { code: 'busy', message: 'late' }, transaction });
    expect(commands.reply(topics, 'megabit/desk/response/app/next', late)).toBeUndefined();
  });
});
