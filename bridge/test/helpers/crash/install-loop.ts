/**
 * Child process of the crash test: installs one app over and over until it is killed.
 * argv: <dataDir> <first version number> <mode>. Mode `upgrade` installs each version over the
 * previous one; mode `fresh` removes the app after each install, so every install is a first one.
 * Prints "ready" once the store is loaded.
 */
import { AppStore } from '../../../src/apps';
import { createLogger } from '../../../src/util/logger';
import { crashyManifest, crashyWasm } from './crashy-app';

async function main(): Promise<void> {
  const [dataDir, first, mode] = process.argv.slice(2);
  if (mode !== 'upgrade' && mode !== 'fresh') throw new Error(`unknown mode "${mode}"`);
  const store = new AppStore(dataDir, createLogger('error'));
  store.load();
  process.stdout.write('ready\n');
  for (let n = Number(first); ; n++) {
    await store.install(crashyManifest(n), crashyWasm(n), async () => undefined);
    if (mode === 'fresh') store.remove('crashy');
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
