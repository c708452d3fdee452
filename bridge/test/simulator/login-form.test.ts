import { LOGIN_REFUSED, forgetCredentials, loginRefusal, saveCredentials, savedCredentials } from '../../simulator/login-form';

/** sessionStorage's interface over a Map: what the page's storage functions see. */
function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: (key) => items.get(key) ?? null,
    key: (i) => [...items.keys()][i] ?? null,
    removeItem: (key) => void items.delete(key),
    setItem: (key, value) => void items.set(key, String(value)),
  };
}

describe('login storage', () => {
  it('keeps, reads back and forgets a login', () => {
    const storage = memoryStorage();
    expect(savedCredentials(storage)).toBeUndefined();
    saveCredentials(storage, { username: 'viewer', password: 'p w"d' });
    expect(savedCredentials(storage)).toEqual({ username: 'viewer', password: 'p w"d' });
    forgetCredentials(storage);
    expect(storage.length).toBe(0);
  });

  it('ignores anything else stored under its key', () => {
    const storage = memoryStorage();
    for (const junk of ['not json', 'null', '{"username":1,"password":"x"}', '{"username":"x"}']) {
      storage.setItem('megabit-login', junk);
      expect(savedCredentials(storage)).toBeUndefined();
    }
  });
});

describe('loginRefusal', () => {
  it("reads CONNACK 4 and 5 (and MQTT 5's 134 and 135) as a refused login, nothing else", () => {
    for (const code of [4, 5, 134, 135]) expect(loginRefusal(code)).toBe(LOGIN_REFUSED);
    for (const code of [undefined, 0, 1, 2, 3, 128, 'ECONNREFUSED']) expect(loginRefusal(code)).toBeUndefined();
  });
});
