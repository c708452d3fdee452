/**
 * The link session against the TypeScript protocol peer over an in-memory cable: handshake,
 * the send window, go-back-N after loss, duplicates, reliable button events, restarts.
 */
import { type DeviceInfo, LinkSession, type LinkSessionHandlers } from '../../src/serial/link-session';
import { ButtonEvent, decodeMessage, encodeMessage, HELLO_RETRY_MS, type Message, type MessageOf, PacketParser } from '../../src/serial/protocol';
import { FakeDevice, type FakeDeviceOptions } from '../helpers/serial/fake-device';
import { type MemoryEnd, memoryChannelPair } from '../helpers/serial/memory-channel';
import { delay, waitUntil } from '../helpers/ports';

interface Rig {
  host: MemoryEnd;
  dev: MemoryEnd;
  device: FakeDevice;
  session: LinkSession;
  opened: DeviceInfo[];
  lost: string[];
  buttons: Array<MessageOf<'BUTTON'>>;
  incompatible: string[];
}

const rigs: Rig[] = [];

function rig(deviceOptions: FakeDeviceOptions = {}, handlers: LinkSessionHandlers = {}, major?: number): Rig {
  const [host, dev] = memoryChannelPair();
  const device = new FakeDevice(dev, deviceOptions);
  const r: Rig = { host, dev, device, opened: [], lost: [], buttons: [], incompatible: [], session: undefined as never };
  r.session = new LinkSession(host, {
    major,
    handlers: {
      ...handlers,
      open: (info) => r.opened.push(info),
      lost: (reason) => r.lost.push(reason),
      button: (m) => r.buttons.push(m),
      incompatible: (m) => r.incompatible.push(m),
    },
  });
  rigs.push(r);
  r.session.start();
  return r;
}

afterEach(() => {
  for (const r of rigs.splice(0)) {
    r.session.close();
    r.device.close();
    r.host.close();
  }
});

/** Decodes what passes through a channel end's filter, for counting packets on the wire. */
function tap(end: MemoryEnd, seen: Message[]): void {
  const parser = new PacketParser();
  const previous = end.filter;
  end.filter = (chunk) => {
    for (const e of parser.push(chunk)) {
      if (e.kind !== 'packet') continue;
      const d = decodeMessage(e.packet);
      if (d.ok) seen.push(d.message);
    }
    return previous ? previous(chunk) : chunk;
  };
}

const status = (n: number): Message[] => Array.from({ length: n }, () => ({ name: 'GET_STATUS', seq: 0 }) as Message);
const brightness = (levels: number[]): Message[] => levels.map((level) => ({ name: 'SET_BRIGHTNESS', seq: 0, level }) as Message);

describe('handshake', () => {
  it('repeats HELLO until the device answers, then opens a session', async () => {
    const r = rig();
    r.device.silent = true;
    await delay(1150);
    r.device.silent = false;
    await waitUntil(() => r.opened.length === 1, 'the session to open');
    expect(r.device.hellos).toBeGreaterThanOrEqual(1);
    expect(r.opened[0]).toMatchObject({ board: 'ts-peer', firmwareVersion: '9.8.7', protocolVersion: '1.0', window: 8, maxPacket: 1024, bootId: 0x1000 });
    expect(r.session.isOpen).toBe(true);
  });

  it('repeats HELLO every HELLO_RETRY_MS while nobody answers', async () => {
    const r = rig();
    const seen: Message[] = [];
    tap(r.host, seen);
    r.device.silent = true;
    await delay(HELLO_RETRY_MS * 2.5);
    // The first HELLO went out before the tap; two more follow, one per interval.
    expect(seen.filter((m) => m.name === 'HELLO')).toHaveLength(2);
    expect(r.session.isOpen).toBe(false);
  });

  it('refuses a device of another major version with a clear message and sends nothing sequenced', async () => {
    const r = rig({ major: 2 });
    await waitUntil(() => r.incompatible.length === 1, 'the refusal');
    expect(r.incompatible[0]).toBe('device speaks protocol 2.0, host speaks 1.3: update the firmware or the bridge');
    expect(r.session.send({ name: 'GET_STATUS', seq: 0 })).toBe(false);
    await delay(700);
    expect(r.device.counters.noSession).toBe(0);
    expect(r.device.hellos).toBe(1);
    expect(r.opened).toHaveLength(0);
  });
});

describe('after a refusal', () => {
  it('asks again when the refusing device restarts (new firmware)', async () => {
    const options: FakeDeviceOptions = { major: 2 };
    const r = rig(options);
    await waitUntil(() => r.incompatible.length === 1, 'the refusal');
    options.major = 1;
    r.device.reboot();
    await waitUntil(() => r.opened.length === 1, 'a session with the new firmware', 4000);
    expect(r.opened[0].bootId).toBe(r.device.bootId);
  });
});

describe('reliable delivery to the device', () => {
  it('never has more than `window` packets unacknowledged and delivers all in order', async () => {
    const r = rig({ window: 3 });
    await waitUntil(() => r.session.isOpen, 'session');
    r.host.bytesPerTick = 40; // a slow wire: ACKs come back late
    const levels = Array.from({ length: 20 }, (_, i) => i + 1);
    for (const m of brightness(levels)) expect(r.session.send(m)).toBe(true);
    let most = 0;
    await waitUntil(
      () => {
        most = Math.max(most, r.session.unacknowledged);
        return r.device.processed.length === 20 && r.session.unacknowledged === 0;
      },
      'all packets acknowledged',
      10000,
    );
    expect(most).toBe(3);
    expect(r.device.processed.map((m) => (m as MessageOf<'SET_BRIGHTNESS'>).level)).toEqual(levels);
  });

  it('resends from the lost packet on NACK (go-back-N) and processes each packet once', async () => {
    let lost = false;
    const r = rig({
      loseIncoming: (m) => {
        if (lost || m.name !== 'SET_BRIGHTNESS' || m.level !== 3) return false;
        lost = true;
        return true;
      },
    });
    await waitUntil(() => r.session.isOpen, 'session');
    const levels = [1, 2, 3, 4, 5, 6];
    for (const m of brightness(levels)) r.session.send(m);
    await waitUntil(() => r.device.processed.length === 6 && r.session.unacknowledged === 0, 'delivery');
    expect(r.device.processed.map((m) => (m as MessageOf<'SET_BRIGHTNESS'>).level)).toEqual(levels);
    expect(r.device.counters.rxGaps).toBeGreaterThanOrEqual(1);
    expect(r.session.retransmits).toBeGreaterThanOrEqual(4);
  });

  it('resends after 300 ms of silence when the last packet is lost (no NACK can come)', async () => {
    let lost = false;
    const r = rig({
      loseIncoming: (m) => {
        if (lost || m.name !== 'SET_BRIGHTNESS') return false;
        lost = true;
        return true;
      },
    });
    await waitUntil(() => r.session.isOpen, 'session');
    r.session.send({ name: 'SET_BRIGHTNESS', seq: 0, level: 77 });
    await delay(150);
    expect(r.device.processed).toHaveLength(0);
    await waitUntil(() => r.device.processed.length === 1, 'the resend');
    expect(r.session.retransmits).toBe(1);
  });

  it('ignores duplicates the device receives when its ACKs are lost', async () => {
    const r = rig();
    await waitUntil(() => r.session.isOpen, 'session');
    let dropAcks = true;
    const parser = new PacketParser();
    r.dev.filter = (chunk) => {
      const isAck = parser.push(chunk).some((e) => e.kind === 'packet' && e.packet.type === 0x83);
      return dropAcks && isAck ? new Uint8Array() : chunk;
    };
    for (const m of brightness([10, 20, 30])) r.session.send(m);
    await waitUntil(() => r.session.retransmits >= 3, 'a resend');
    dropAcks = false;
    await waitUntil(() => r.session.unacknowledged === 0, 'acknowledgement');
    expect(r.device.processed.map((m) => (m as MessageOf<'SET_BRIGHTNESS'>).level)).toEqual([10, 20, 30]);
    expect(r.device.counters.rxDuplicates).toBeGreaterThanOrEqual(3);
  });

  it('bounds the queue: refuses messages beyond maxQueued', async () => {
    const [host, dev] = memoryChannelPair();
    const device = new FakeDevice(dev);
    const session = new LinkSession(host, { handlers: {}, maxQueued: 4 });
    session.start();
    try {
      await waitUntil(() => session.isOpen, 'session');
      device.silent = true; // nothing is acknowledged: 8 in flight, then the queue fills
      const accepted = status(20)
        .map((m) => session.send(m))
        .filter(Boolean).length;
      expect(accepted).toBe(8 + 4);
      expect(session.queued).toBe(4);
    } finally {
      session.close();
      device.close();
      host.close();
    }
  });
});

describe('restarting a session', () => {
  it('lets no packet of the old session follow the new HELLO, even when restarted from a resend', async () => {
    let restarted = false;
    const handlers: LinkSessionHandlers = {
      resent: () => {
        if (restarted) return;
        restarted = true;
        r.session.restart('stalled');
      },
    };
    const r = rig({ loseIncoming: () => !restarted }, handlers);
    await waitUntil(() => r.opened.length === 1, 'session');
    for (const m of brightness([1, 2, 3, 4])) r.session.send(m);
    await waitUntil(() => r.opened.length === 2, 'the new session', 3000);
    r.session.send({ name: 'SET_BRIGHTNESS', seq: 0, level: 100 });
    await waitUntil(() => r.session.unacknowledged === 0, 'the new packet acknowledged');
    const levels = r.device.processed.map((m) => (m as MessageOf<'SET_BRIGHTNESS'>).level);
    expect(levels[levels.length - 1]).toBe(100);
    expect(r.lost).toEqual(['stalled']);
  });
});

describe('events from the device', () => {
  it('delivers each BUTTON once, in order, even when ACKs are lost and events resent', async () => {
    const r = rig();
    await waitUntil(() => r.session.isOpen, 'session');
    let drop = 2;
    const parser = new PacketParser();
    r.host.filter = (chunk) => {
      const isAck = parser.push(chunk).some((e) => e.kind === 'packet' && e.packet.type === 0x03);
      return isAck && drop-- > 0 ? new Uint8Array() : chunk; // the host's first ACKs are lost
    };
    r.device.button(ButtonEvent.DOWN, 100);
    r.device.button(ButtonEvent.UP, 180);
    r.device.button(ButtonEvent.DOWN, 260);
    await waitUntil(() => r.buttons.length === 3, 'three events');
    await delay(600);
    expect(r.buttons.map((b) => [b.event, b.timeMs])).toEqual([
      [ButtonEvent.DOWN, 100],
      [ButtonEvent.UP, 180],
      [ButtonEvent.DOWN, 260],
    ]);
  });

  it('NACKs a gap so the device resends from the missing event', async () => {
    const r = rig();
    await waitUntil(() => r.session.isOpen, 'session');
    let dropped = false;
    const parser = new PacketParser();
    r.dev.filter = (chunk) => {
      const events = parser.push(chunk);
      const isFirstButton = events.some((e) => e.kind === 'packet' && e.packet.type === 0x90 && e.packet.seq === 0);
      if (isFirstButton && !dropped) {
        dropped = true;
        return new Uint8Array();
      }
      return chunk;
    };
    const seen: Message[] = [];
    tap(r.host, seen);
    r.device.button(ButtonEvent.DOWN, 1);
    r.device.button(ButtonEvent.UP, 2);
    await waitUntil(() => r.buttons.length === 2, 'both events');
    expect(r.buttons.map((b) => b.timeMs)).toEqual([1, 2]);
    expect(seen.some((m) => m.name === 'NACK' && m.next === 0)).toBe(true);
  });
});

describe('liveness and restarts', () => {
  it('notices a device restart from its heartbeat and opens a new session', async () => {
    const r = rig();
    await waitUntil(() => r.opened.length === 1, 'session');
    r.device.reboot();
    await waitUntil(() => r.opened.length === 2, 'a new session', 4000);
    expect(r.lost).toEqual(['the device has no session (did it restart?)']);
    expect(r.opened[1].bootId).toBe(r.opened[0].bootId + 1);
  });

  it('reports the link lost after 3 s without a valid packet and handshakes again', async () => {
    const r = rig();
    await waitUntil(() => r.opened.length === 1, 'session');
    r.device.silent = true;
    await waitUntil(() => r.lost.length === 1, 'the loss', 5000);
    expect(r.lost[0]).toBe('no answer from the device for 3 s');
    expect(r.session.isOpen).toBe(false);
    r.device.silent = false;
    await waitUntil(() => r.opened.length === 2, 'the new session');
  });

  it('sends a HEARTBEAT after 1 s of having nothing to send', async () => {
    const r = rig();
    await waitUntil(() => r.session.isOpen, 'session');
    const seen: Message[] = [];
    tap(r.host, seen);
    await delay(2200);
    const beats = seen.filter((m): m is MessageOf<'HEARTBEAT'> => m.name === 'HEARTBEAT');
    expect(beats.length).toBeGreaterThanOrEqual(1);
    expect(beats.every((b) => b.session === 1)).toBe(true);
  });
});

describe('messages the device sends unasked (protocol 1.1)', () => {
  it('passes on a STATUS the device pushes when a frame is shown, and the FAULT of its last boot', async () => {
    const statuses: Array<MessageOf<'STATUS'>> = [];
    const faults: Array<MessageOf<'FAULT'>> = [];
    const r = rig({}, { status: (m) => statuses.push(m), fault: (m) => faults.push(m) });
    await waitUntil(() => r.opened.length === 1, 'the session to open');
    r.dev.write(encodeMessage({ name: 'FAULT', seq: 0, kind: 1, pc: 0x112a4, lr: 0x10f6b, cfsr: 0x20000 }));
    r.dev.write(encodeMessage({ name: 'STATUS', seq: 0, frameId: 7, frameCrc: 1, refreshHz: 0, uptimeMs: 5, brightness: 255, power: 1, counters: [] }));
    await waitUntil(() => statuses.length === 1 && faults.length === 1, 'the pushed STATUS and the FAULT');
    expect(statuses[0].frameId).toBe(7);
    expect(faults[0]).toMatchObject({ kind: 1, pc: 0x112a4, lr: 0x10f6b, cfsr: 0x20000 });
    expect(r.lost).toEqual([]);
  });
});
