import { isValidBaseTopic, resolvePageConfig, servedConfigUrl, urlWithDevice } from '../../simulator/page-config';

const served = { protocol: 'http:', host: '192.168.1.20:8000', search: '' };

describe('resolvePageConfig', () => {
  it('uses the broker of the bridge that served the page and its defaults', () => {
    expect(resolvePageConfig(served, { base_topic: 'home/megabit', device_id: 'kitchen' })).toEqual({
      ok: true,
      config: { brokerUrl: 'ws://192.168.1.20:8000/mqtt', baseTopic: 'home/megabit', deviceId: 'kitchen', logins: false },
    });
  });

  it('lets URL parameters override every default', () => {
    const location = { ...served, search: '?device=hall&base=lights&broker=wss://192.168.1.20:8000/mqtt' };
    expect(resolvePageConfig(location, { base_topic: 'megabit', device_id: 'kitchen' })).toEqual({
      ok: true,
      config: { brokerUrl: 'wss://192.168.1.20:8000/mqtt', baseTopic: 'lights', deviceId: 'hall', logins: false },
    });
  });

  it('takes ?broker= to any server when opened from a file, and only to its own bridge when served by one', () => {
    const fromFile = resolvePageConfig({ protocol: 'file:', host: '', search: '?broker=wss://pi.local:9001/mqtt' }, undefined);
    expect(fromFile.ok && fromFile.config.brokerUrl).toBe('wss://pi.local:9001/mqtt');
    const elsewhere = resolvePageConfig({ ...served, search: '?broker=ws://evil.example:1884/mqtt' }, {});
    expect(!elsewhere.ok && elsewhere.message).toMatch(/another server: this page only connects to the bridge that served it/);
  });

  it('asks for a login when the bridge says so', () => {
    const result = resolvePageConfig(served, { logins: true });
    expect(result.ok && result.config.logins).toBe(true);
    expect(
      resolvePageConfig(served, { logins: 'yes' }).ok && (resolvePageConfig(served, { logins: 'yes' }) as { config: { logins: boolean } }).config.logins,
    ).toBe(false);
  });

  it("passes the page's ?token= on to its own bridge's /mqtt and config, never to another broker", () => {
    const own = resolvePageConfig({ ...served, search: '?token=a%20b%26c' }, {});
    expect(own.ok && own.config.brokerUrl).toBe('ws://192.168.1.20:8000/mqtt?token=a%20b%26c');
    const other = resolvePageConfig({ protocol: 'file:', host: '', search: '?token=secret&broker=ws://elsewhere:9001/mqtt' }, {});
    expect(other.ok && other.config.brokerUrl).toBe('ws://elsewhere:9001/mqtt');
    expect(servedConfigUrl('?token=a%20b%26c&device=x')).toBe('simulator-config.json?token=a%20b%26c');
    expect(servedConfigUrl('?device=x')).toBe('simulator-config.json');
  });

  it('falls back to megabit/megabit when the bridge gave no usable defaults', () => {
    for (const defaults of [undefined, 'nonsense', { base_topic: '#', device_id: '../x' }]) {
      const result = resolvePageConfig(served, defaults);
      expect(result.ok && result.config.baseTopic === 'megabit' && result.config.deviceId === 'megabit').toBe(true);
    }
  });

  it('uses wss:// for a page served over https', () => {
    const result = resolvePageConfig({ protocol: 'https:', host: 'megabit.example', search: '' }, {});
    expect(result.ok && result.config.brokerUrl).toBe('wss://megabit.example/mqtt');
  });

  it('rejects bad parameters with a message that names them', () => {
    const bad = (search: string): string => {
      const result = resolvePageConfig({ ...served, search }, {});
      if (result.ok) throw new Error(`${search} was accepted`);
      return result.message;
    };
    expect(bad('?device=Not%20Valid')).toMatch(/\?device=/);
    expect(bad('?base=a/%23')).toMatch(/\?base=/);
    expect(bad('?broker=http://x')).toMatch(/\?broker=/);
  });

  it('asks for ?broker= when the page was opened from a file', () => {
    const result = resolvePageConfig({ protocol: 'file:', host: '', search: '' }, undefined);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toMatch(/\?broker=ws:/);
  });
});

describe('isValidBaseTopic', () => {
  it('accepts plain and multi-level topics and refuses wildcards, blanks and outer slashes', () => {
    expect(['megabit', 'a', 'home/displays'].every(isValidBaseTopic)).toBe(true);
    expect(['', '+', 'a/#', '/a', 'a/', 'a b', 7].some(isValidBaseTopic)).toBe(false);
  });
});

describe('urlWithDevice', () => {
  it('sets ?device= and keeps the other parameters', () => {
    expect(urlWithDevice('http://h:8000/?base=x&device=a', 'b')).toBe('http://h:8000/?base=x&device=b');
  });
});
