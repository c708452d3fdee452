import { effectiveLocation, HeldBack, locationFromZone } from '../../src/schedules';

interface Note {
  id?: string;
  text: string;
}

describe('HeldBack', () => {
  it('releases what it held in arrival order, once', () => {
    const hold = new HeldBack<Note>(8, (n) => n.id);
    hold.hold({ text: 'a' });
    hold.hold({ id: 'x', text: 'b' });
    expect(hold.size).toBe(2);
    expect(hold.release().map((n) => n.text)).toEqual(['a', 'b']);
    expect(hold.release()).toEqual([]);
  });

  it('replaces a held notification by a newer one with the same id, and drops the oldest when full', () => {
    const hold = new HeldBack<Note>(2, (n) => n.id);
    hold.hold({ id: 'washer', text: 'washing' });
    hold.hold({ text: 'door' });
    expect(hold.hold({ id: 'washer', text: 'done' })).toBeUndefined();
    expect(hold.hold({ text: 'mail' })).toEqual({ text: 'door' });
    expect(hold.release().map((n) => n.text)).toEqual(['done', 'mail']);
  });

  it('forgets a dismissed notification', () => {
    const hold = new HeldBack<Note>(4, (n) => n.id);
    hold.hold({ id: 'a', text: 'a' });
    expect(hold.dismiss('a')).toBe(true);
    expect(hold.dismiss('a')).toBe(false);
    expect(hold.size).toBe(0);
    expect(() => new HeldBack<Note>(0, (n) => n.id)).toThrow('capacity must be a whole number from 1, not 0');
  });
});

describe('location', () => {
  it("reads Home Assistant's zone.home attributes, and refuses what is not a place", () => {
    expect(locationFromZone({ latitude: 52.52, longitude: 13.405, radius: 100, friendly_name: 'Home' })).toEqual({ latitude: 52.52, longitude: 13.405 });
    expect(locationFromZone({ latitude: '52.5', longitude: '13.4' })).toEqual({ latitude: 52.5, longitude: 13.4 });
    expect(locationFromZone({ latitude: 95, longitude: 13 })).toBeUndefined();
    expect(locationFromZone({ latitude: 52 })).toBeUndefined();
    expect(locationFromZone(undefined)).toBeUndefined();
  });

  it("prefers megabit.yaml's location to Home Assistant's", () => {
    const configured = { latitude: 1, longitude: 2 };
    const zone = { latitude: 3, longitude: 4 };
    expect(effectiveLocation(configured, zone)).toBe(configured);
    expect(effectiveLocation(undefined, zone)).toBe(zone);
    expect(effectiveLocation(undefined, undefined)).toBeUndefined();
  });
});
