import type { NotifyRequest } from '@megabit/contract';
import { measureText, NotificationQueue, systemClock, type NotificationEvent } from '../../src/display';
import { recordingLog } from '../helpers/logs';

const SPEED = 30;

function makeQueue(maxQueued = 32) {
  const { log, lines } = recordingLog();
  const queue = new NotificationQueue({ defaultDurationMs: 5000, scrollSpeedPxPerS: SPEED, maxQueued, clock: systemClock, log });
  const events: string[] = [];
  queue.onEvent((e: NotificationEvent) => events.push(label(e)));
  return { queue, events, lines };
}

function label(e: NotificationEvent): string {
  return 'by' in e ? `${e.type}:${e.notification.id}>${e.by.id}` : `${e.type}:${e.notification.id}`;
}

const note = (id: string, extra: Partial<NotifyRequest> = {}): NotifyRequest => ({ text: `text ${id}`, id, ...extra });

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('NotificationQueue', () => {
  it('waits for start, then shows first come first served within a priority', () => {
    const { queue, events } = makeQueue();
    queue.notify(note('a', { duration_ms: 1000 }));
    queue.notify(note('b', { duration_ms: 1000 }));
    expect(queue.showing).toBeUndefined();
    queue.start();
    expect(queue.showing?.notification.id).toBe('a');
    expect(queue.queued.map((n) => n.id)).toEqual(['b']);
    jest.advanceTimersByTime(999);
    expect(queue.showing?.notification.id).toBe('a');
    jest.advanceTimersByTime(1);
    expect(queue.showing?.notification.id).toBe('b');
    jest.advanceTimersByTime(1000);
    expect(queue.showing).toBeUndefined();
    expect(events).toEqual(['shown:a', 'finished:a', 'shown:b', 'finished:b']);
  });

  it('uses the default duration and makes up ids when none are given', () => {
    const { queue } = makeQueue();
    queue.start();
    const first = queue.notify({ text: 'one' });
    const second = queue.notify({ text: 'two' });
    expect(first).not.toBe(second);
    expect(queue.showing?.notification.id).toBe(first);
    jest.advanceTimersByTime(4999);
    expect(queue.showing?.notification.id).toBe(first);
    jest.advanceTimersByTime(1);
    expect(queue.showing?.notification.id).toBe(second);
  });

  it('orders waiting notifications by priority, then arrival', () => {
    const { queue } = makeQueue();
    queue.start();
    queue.notify(note('showing', { priority: 'critical' }));
    queue.notify(note('low1', { priority: 'low' }));
    queue.notify(note('normal1'));
    queue.notify(note('high1', { priority: 'high' }));
    queue.notify(note('normal2', { priority: 'normal' }));
    queue.notify(note('low2', { priority: 'low' }));
    expect(queue.queued.map((n) => n.id)).toEqual(['high1', 'normal1', 'normal2', 'low1', 'low2']);
  });

  it('a higher priority preempts; the preempted one comes back afterwards and starts over', () => {
    const { queue, events } = makeQueue();
    queue.start();
    queue.notify(note('a', { duration_ms: 4000 }));
    queue.notify(note('b'));
    jest.advanceTimersByTime(3000);
    queue.notify(note('urgent', { priority: 'critical', duration_ms: 2000 }));
    expect(queue.showing?.notification.id).toBe('urgent');
    expect(queue.queued.map((n) => n.id)).toEqual(['a', 'b']);
    jest.advanceTimersByTime(2000);
    expect(queue.showing?.notification.id).toBe('a');
    // Starts over: the full 4 s again, not the 1 s it had left.
    jest.advanceTimersByTime(3999);
    expect(queue.showing?.notification.id).toBe('a');
    jest.advanceTimersByTime(1);
    expect(queue.showing?.notification.id).toBe('b');
    expect(events).toEqual(['shown:a', 'preempted:a>urgent', 'shown:urgent', 'finished:urgent', 'shown:a', 'finished:a', 'shown:b']);
  });

  it('the same or a lower priority never preempts', () => {
    const { queue, events } = makeQueue();
    queue.start();
    queue.notify(note('a', { priority: 'high' }));
    queue.notify(note('b', { priority: 'high' }));
    queue.notify(note('c', { priority: 'low' }));
    expect(queue.showing?.notification.id).toBe('a');
    expect(events).toEqual(['shown:a']);
  });

  it('a hold notification stays until dismissed, then the next one shows', () => {
    const { queue, events } = makeQueue();
    queue.start();
    queue.notify(note('door', { hold: true }));
    queue.notify(note('next'));
    expect(queue.showing?.notification.hold).toBe(true);
    jest.advanceTimersByTime(24 * 3600 * 1000);
    expect(queue.showing?.notification.id).toBe('door');
    expect(queue.dismiss()).toBe(true);
    expect(queue.showing?.notification.hold).toBe(false);
    expect(queue.showing?.notification.id).toBe('next');
    expect(events).toEqual(['shown:door', 'dismissed:door', 'shown:next']);
  });

  it('dismiss by id works for showing and queued notifications; unknown ids and an empty display give false', () => {
    const { queue, events } = makeQueue();
    queue.start();
    expect(queue.dismiss()).toBe(false);
    queue.notify(note('a'));
    queue.notify(note('b'));
    queue.notify(note('c'));
    expect(queue.dismiss('nope')).toBe(false);
    expect(queue.dismiss('b')).toBe(true);
    expect(queue.queued.map((n) => n.id)).toEqual(['c']);
    expect(queue.dismiss('a')).toBe(true);
    expect(queue.showing?.notification.id).toBe('c');
    expect(events).toEqual(['shown:a', 'dismissed:b', 'dismissed:a', 'shown:c']);
  });

  it('a request with the id of the showing notification replaces it on screen and restarts its time', () => {
    const { queue, events } = makeQueue();
    queue.start();
    queue.notify({ id: 'temp', text: '20 C' });
    jest.advanceTimersByTime(3000);
    queue.notify({ id: 'temp', text: '21 C' });
    expect(queue.showing?.notification.text).toBe('21 C');
    jest.advanceTimersByTime(4999);
    expect(queue.showing?.notification.text).toBe('21 C');
    jest.advanceTimersByTime(1);
    expect(queue.showing).toBeUndefined();
    expect(events).toEqual(['shown:temp', 'replaced:temp>temp', 'shown:temp', 'finished:temp']);
  });

  it("a replacement that lowers the showing one's priority lets a waiting higher one in", () => {
    const { queue } = makeQueue();
    queue.start();
    queue.notify(note('x', { priority: 'critical' }));
    queue.notify(note('h', { priority: 'high' }));
    queue.notify(note('x', { priority: 'low' }));
    expect(queue.showing?.notification.id).toBe('h');
    expect(queue.queued.map((n) => n.id)).toEqual(['x']);
  });

  it('a request with the id of a queued notification replaces it in its place', () => {
    const { queue } = makeQueue();
    queue.start();
    queue.notify(note('a'));
    queue.notify(note('b'));
    queue.notify(note('c'));
    queue.notify({ id: 'b', text: 'new b' });
    expect(queue.queued.map((n) => `${n.id}=${n.text}`)).toEqual(['b=new b', 'c=text c']);
  });

  it('a full queue drops the oldest of the lowest priority and reports it', () => {
    const { queue, events } = makeQueue(3);
    queue.start();
    queue.notify(note('showing', { priority: 'critical' }));
    queue.notify(note('low1', { priority: 'low' }));
    queue.notify(note('low2', { priority: 'low' }));
    queue.notify(note('normal1'));
    queue.notify(note('high1', { priority: 'high' }));
    expect(events).toEqual(['shown:showing', 'dropped:low1']);
    expect(queue.queued.map((n) => n.id)).toEqual(['high1', 'normal1', 'low2']);
    queue.notify(note('high2', { priority: 'high' }));
    queue.notify(note('low3', { priority: 'low' }));
    expect(events.slice(2)).toEqual(['dropped:low2', 'dropped:low3']);
    expect(queue.queued.map((n) => n.id)).toEqual(['high1', 'high2', 'normal1']);
  });

  it('text too wide for the panel scrolls for whole passes: at least `repeat`, at least the duration', () => {
    const { queue } = makeQueue();
    queue.start();
    const text = 'This message is much too long to fit';
    const passMs = ((64 + measureText(text)) * 1000) / SPEED;
    const twoPassesMs = Math.ceil(2 * passMs);
    expect(passMs).toBeGreaterThan(5000);
    queue.notify({ id: 'twice', text, repeat: 2 });
    jest.advanceTimersByTime(twoPassesMs - 1);
    expect(queue.showing?.notification.id).toBe('twice');
    jest.advanceTimersByTime(1);
    expect(queue.showing).toBeUndefined();

    queue.notify({ id: 'long', text, duration_ms: Math.ceil(passMs) + 1 });
    jest.advanceTimersByTime(twoPassesMs - 1);
    expect(queue.showing?.notification.id).toBe('long');
    jest.advanceTimersByTime(1);
    expect(queue.showing).toBeUndefined();
  });

  it('rejects bad requests with a clear error and leaves the queue as it was', () => {
    const { queue } = makeQueue();
    queue.start();
    queue.notify(note('a'));
    const bad: Array<[unknown, RegExp]> = [
      [{ text: '   ' }, /text is empty/],
      [{ text: 42 }, /text must be a string/],
      [{ text: 'x', color: 'red' }, /color must look like/],
      [{ text: 'x', priority: 'urgent' }, /priority must be one of/],
      [{ text: 'x', repeat: 0 }, /repeat must be an integer/],
      [{ text: 'x', duration_ms: -5 }, /duration_ms must be an integer/],
      [{ text: 'x', hold: 'yes' }, /hold must be true or false/],
      [null, /must be an object/],
      [{ text: 'x', id: '' }, /id must be 1-64 characters/],
    ];
    for (const [request, message] of bad) expect(() => queue.notify(request as NotifyRequest)).toThrow(message);
    expect(queue.showing?.notification.id).toBe('a');
    expect(queue.queued).toEqual([]);
  });

  it('collapses whitespace and applies colour and priority', () => {
    const { queue } = makeQueue();
    queue.start();
    queue.notify({ text: ' two\n lines\t', color: '#ff8800', priority: 'high' });
    expect(queue.showing?.notification).toMatchObject({ text: 'two lines', color: [255, 136, 0], priority: 'high', hold: false });
  });

  it('a listener may call back in; a throwing listener is logged and the others still hear', () => {
    const { queue, events, lines } = makeQueue();
    queue.onEvent(() => {
      throw new Error('listener bug');
    });
    queue.onEvent((e) => {
      if (e.type === 'shown' && e.notification.id === 'a') queue.dismiss('a');
    });
    queue.start();
    queue.notify(note('a'));
    expect(queue.showing).toBeUndefined();
    queue.notify(note('b'));
    expect(queue.showing?.notification.id).toBe('b');
    expect(events).toEqual(['shown:a', 'dismissed:a', 'shown:b']);
    expect(lines.filter(({ level, message: m }) => level === 'error' && m.includes('listener bug'))).toHaveLength(3);
  });

  it('stop puts the showing notification back first in line and clears its timer', () => {
    const { queue } = makeQueue();
    queue.start();
    queue.notify(note('a'));
    queue.notify(note('b'));
    queue.stop();
    expect(jest.getTimerCount()).toBe(0);
    expect(queue.showing).toBeUndefined();
    expect(queue.queued.map((n) => n.id)).toEqual(['a', 'b']);
    queue.start();
    expect(queue.showing?.notification.id).toBe('a');
  });
});
