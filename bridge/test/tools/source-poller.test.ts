/**
 * The preview's eye on an app's sources, on real files: every save is seen, including an editor's
 * rename-replace save (write a temporary file, rename it over the source) again and again.
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pollSources } from '../../src/tools/source-poller';
import { waitUntil } from '../helpers/ports';

const dir = mkdtempSync(join(tmpdir(), 'megabit-poller-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** As vim, VS Code and most editors save: the new content in a temporary file renamed over the old. */
function saveByRename(file: string, content: string): void {
  const temp = `${file}.swp`;
  writeFileSync(temp, content);
  renameSync(temp, file);
}

describe('pollSources', () => {
  let stop: (() => void) | undefined;
  afterEach(() => stop?.());

  it('sees every rename-replace save, not only the first', async () => {
    const app = join(dir, 'rename');
    mkdirSync(join(app, 'assembly'), { recursive: true });
    const source = join(app, 'assembly', 'index.ts');
    writeFileSync(source, 'v0');
    let changes = 0;
    stop = pollSources([join(app, 'assembly'), join(app, 'manifest.json')], () => changes++, 20);
    for (let save = 1; save <= 5; save++) {
      saveByRename(source, `v${save}`);
      await waitUntil(() => changes === save, `save ${save} to be seen`);
    }
    expect(changes).toBe(5);
  });

  it('sees saves in place, new files, deleted files and a manifest that appears', async () => {
    const app = join(dir, 'kinds');
    mkdirSync(join(app, 'assembly'), { recursive: true });
    writeFileSync(join(app, 'assembly', 'index.ts'), 'a');
    let changes = 0;
    stop = pollSources([join(app, 'assembly'), join(app, 'manifest.json')], () => changes++, 20);
    writeFileSync(join(app, 'assembly', 'index.ts'), 'longer content');
    await waitUntil(() => changes === 1, 'an in-place save');
    writeFileSync(join(app, 'assembly', 'util.ts'), 'new');
    await waitUntil(() => changes === 2, 'a new file');
    unlinkSync(join(app, 'assembly', 'util.ts'));
    await waitUntil(() => changes === 3, 'a deleted file');
    writeFileSync(join(app, 'manifest.json'), '{}');
    await waitUntil(() => changes === 4, 'the manifest');
  });

  it('stays quiet while nothing changes, and after it is stopped', async () => {
    const app = join(dir, 'quiet');
    mkdirSync(app);
    writeFileSync(join(app, 'manifest.json'), '{}');
    let changes = 0;
    let looks = 0;
    // Counts intervals of the same length, so the poller has had many chances to report.
    const ticker = setInterval(() => looks++, 10);
    stop = pollSources([join(app, 'manifest.json')], () => changes++, 10);
    try {
      await waitUntil(() => looks >= 20, 'twenty looks');
      expect(changes).toBe(0);
      stop();
      saveByRename(join(app, 'manifest.json'), '{"id":"x"}');
      const after = looks;
      await waitUntil(() => looks >= after + 20, 'twenty more looks');
      expect(changes).toBe(0);
    } finally {
      clearInterval(ticker);
    }
  });
});
