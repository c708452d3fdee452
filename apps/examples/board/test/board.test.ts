import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { colours, picture } from '../../../sdk/test-support/frame';
import { startTestApp, type TestApp } from '../../../sdk/test-support/apps';
import { centeredPicture, measure, textPicture, type TextStyle } from '../../../sdk/test-support/text-oracle';

const APP = join(__dirname, '..');
const BODY: TextStyle = { font: 'small' };
/** FONT_SMALL's line: two lines fit under the header. */
const LINE = 13;
const SMALL: TextStyle = { font: '3x5' };
const enc = (s: string) => new TextEncoder().encode(s);
const union = (...pics: string[][]) => pics[0].map((row, y) => [...row].map((_, x) => (pics.some((p) => p[y][x] === '#') ? '#' : '.')).join(''));

/** What the board shows for message `lines` (already wrapped), position text and sender. */
function board(lines: string[], position: string, from = ''): string[] {
  return union(
    textPicture(position, 64 - measure(position, SMALL), 0, SMALL),
    textPicture(from, 0, 0, SMALL),
    ...lines.map((line, i) => centeredPicture(line, 5 + i * LINE, BODY)),
  );
}

/** Greedy wrap at spaces into lines of at most 64 pixels (no word here is wider). */
function wrapped(text: string): string[] {
  const lines: string[] = [];
  for (const word of text.split(' ')) {
    const last = lines.length - 1;
    if (last >= 0 && measure(`${lines[last]} ${word}`, BODY) <= 64) lines[last] += ` ${word}`;
    else lines.push(word);
  }
  return lines;
}

describe('board app', () => {
  const open: TestApp[] = [];
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'megabit-board-test-'));
  });
  afterEach(async () => {
    for (const t of open.splice(0)) await t.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const start = async (config: Record<string, unknown> = {}) => {
    const t = await startTestApp(APP, { config, kvFile: join(dir, 'kv.json') });
    open.push(t);
    return t;
  };

  it('says so when there are no messages', async () => {
    const t = await start();
    expect(picture(await t.frame())).toEqual(centeredPicture('No messages', (32 - LINE) >> 1, BODY));
  });

  it('shows a pushed text message, and a JSON one in its colour with its sender, newest first', async () => {
    const t = await start();
    t.app.pushData(enc('Hello'));
    expect(picture(await t.frame())).toEqual(board(['Hello'], '1/1'));
    t.app.pushData(enc('{"text": "Tea is ready", "color": "#00ff00", "from": "Kim"}'));
    const frame = await t.frame();
    expect(picture(frame)).toEqual(board(['Tea is ready'], '2/2', 'Kim'));
    expect(colours(frame, 0, 8, 64, 8)).toEqual(new Set([0x00ff00]));
  });

  it('wraps long messages into lines, two to a page', async () => {
    const t = await start();
    t.app.pushData(enc('The quick brown fox jumps over the lazy dog and keeps running'));
    const lines = wrapped('The quick brown fox jumps over the lazy dog and keeps running');
    expect(lines.length).toBeGreaterThan(2);
    expect(picture(await t.frame())).toEqual(board(lines.slice(0, 2), '1/1 p1'));
    for (let i = 0; i < 19; i++) await t.frame();
    expect(picture(await t.frame())).toEqual(board(lines.slice(2, 4), '1/1 p2'));
  });

  it('steps through messages with the button and clears them with a long press', async () => {
    const t = await start();
    t.app.pushData(enc('one'));
    t.app.pushData(enc('two'));
    expect(picture(await t.frame())).toEqual(board(['two'], '2/2'));
    t.app.pushButton({ button: 'main', action: 'press' });
    expect(picture(await t.frame())).toEqual(board(['one'], '1/2'));
    t.app.pushButton({ button: 'main', action: 'long_press' });
    expect(picture(await t.frame())).toEqual(centeredPicture('No messages', (32 - LINE) >> 1, BODY));
  });

  it('keeps messages across a restart, up to max_messages', async () => {
    const first = await start({ max_messages: 2 });
    for (const m of ['a', 'b', 'c']) first.app.pushData(enc(m));
    await first.frame();
    await first.close();
    open.splice(0);
    const second = await start({ max_messages: 2 });
    expect(picture(await second.frame())).toEqual(board(['b'], '1/2'));
  });

  it('draws accented and non-Latin letters as their glyphs, not boxes', async () => {
    const t = await start();
    t.app.pushData(enc('Café crème'));
    expect(picture(await t.frame())).toEqual(board(['Café crème'], '1/1'));
    t.app.pushData(enc('Привет, Ωμέγα שלום'));
    const lines = wrapped('Привет, Ωμέγα שלום');
    expect(lines.length).toBe(2);
    expect(picture(await t.frame())).toEqual(board(lines, '2/2'));
  });

  it('treats a {"clear": true} payload as a command and broken JSON as text', async () => {
    const t = await start();
    t.app.pushData(enc('kept?'));
    t.app.pushData(enc('{"clear": true}'));
    t.app.pushData(enc('{oops'));
    expect(picture(await t.frame())).toEqual(board(['{oops'], '1/1'));
  });
});
