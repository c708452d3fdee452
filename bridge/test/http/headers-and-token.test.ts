/**
 * The security headers on every answer, and `http.auth_token` guarding the page, its files and
 * /mqtt, checked with curl against the real bridge.
 */
import { startBridge, type RunningBridge } from '../helpers/bridge-process';
import { curlWithHeaders as curl } from '../helpers/curl';
import { expectStillOnline } from '../helpers/still-online';
import { closeSocket, handshake } from '../helpers/ws-handshake';

jest.setTimeout(60_000);

describe('security headers', () => {
  let bridge: RunningBridge;

  beforeAll(async () => {
    bridge = await startBridge();
  });

  afterAll(async () => {
    await bridge?.dispose();
  });

  it.each([
    ['/', 200],
    ['/app.js', 200],
    ['/style.css', 200],
    ['/simulator-config.json', 200],
    ['/missing', 404],
    ['/%E0%A4%A', 400],
  ])('%s (%d) carries CSP, nosniff and no-referrer', async (path, status) => {
    const answer = await curl(`${bridge.httpUrl}${path}`);
    expect(answer.status).toBe(status);
    const csp = answer.headers['content-security-policy'];
    expect(csp.split('; ')).toEqual(
      expect.arrayContaining([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
        `connect-src 'self' ws://127.0.0.1:${bridge.httpPort}`,
      ]),
    );
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(answer.headers['referrer-policy']).toBe('no-referrer');
    expect(answer.headers['x-frame-options']).toBe('DENY');
  });

  it('names the WebSocket of the host the page was loaded by, and no other', async () => {
    const answer = await curl(`${bridge.httpUrl}/`, '-H', 'Host: megabit.lan:8000');
    expect(answer.headers['content-security-policy']).toContain("connect-src 'self' ws://megabit.lan:8000;");
  });

  it('the page has no inline script or style for the CSP to block', async () => {
    const html = (await curl(`${bridge.httpUrl}/`)).body;
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
  });
});

describe('http.auth_token', () => {
  const TOKEN = 'correct-horse-battery-staple-42';
  let bridge: RunningBridge;

  beforeAll(async () => {
    bridge = await startBridge({ http: { auth_token: TOKEN } });
  });

  afterAll(async () => {
    await bridge?.dispose();
  });

  it.each(['/', '/app.js', '/style.css', '/simulator-config.json', '/missing'])('%s without the token is a 401 with a short text', async (path) => {
    const answer = await curl(`${bridge.httpUrl}${path}`);
    expect(answer.status).toBe(401);
    expect(answer.headers['www-authenticate']).toBe('Bearer realm="megabit"');
    expect(answer.headers['set-cookie']).toBeUndefined();
    expect(answer.body).toMatch(/^this page needs its access token: open it as \/\?token=/);
    expect(answer.body.length).toBeLessThan(200);
    expect(answer.body).not.toContain(TOKEN);
  });

  it.each([
    ['a wrong bearer token', ['-H', `Authorization: Bearer ${TOKEN}x`], ''],
    ['a wrong ?token=', [], `?token=${TOKEN.slice(0, -1)}`],
    ['a token prefix', [], `?token=${TOKEN.slice(0, 8)}`],
    ['a wrong cookie', ['-H', 'Cookie: megabit_token=nope'], ''],
    ['Basic instead of Bearer', ['-u', `user:${TOKEN}`], ''],
  ])('%s is a 401', async (_name, args, query) => {
    expect((await curl(`${bridge.httpUrl}/${query}`, ...args)).status).toBe(401);
  });

  it('accepts Authorization: Bearer', async () => {
    const answer = await curl(`${bridge.httpUrl}/simulator-config.json`, '-H', `Authorization: Bearer ${TOKEN}`);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ device_id: bridge.deviceId, logins: false });
  });

  it("accepts ?token= and sets an HttpOnly, same-site cookie that then lets the page's own files through", async () => {
    const page = await curl(`${bridge.httpUrl}/?token=${encodeURIComponent(TOKEN)}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>');
    const cookie = page.headers['set-cookie'];
    expect(cookie).toMatch(/^megabit_token=[^;]+; Path=\/; HttpOnly; SameSite=Strict$/);
    const script = await curl(`${bridge.httpUrl}/app.js`, '-H', `Cookie: ${cookie.split(';')[0]}`);
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
  });

  it('guards /mqtt: refused without the token, open with ?token= or a bearer header', async () => {
    const url = bridge.wsUrl;
    expect((await handshake(url)).status).toBe(401);
    expect((await handshake(`${url}?token=wrong`)).status).toBe(401);
    for (const attempt of [handshake(`${url}?token=${TOKEN}`), handshake(url, { headers: { Authorization: `Bearer ${TOKEN}` } })]) {
      const result = await attempt;
      expect(result.status).toBe(101);
      await closeSocket(result.socket);
    }
  });

  it('never logs the token', async () => {
    await expectStillOnline(bridge);
    expect(bridge.output).not.toContain(TOKEN);
  });
});
