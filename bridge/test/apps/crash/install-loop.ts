/**
 * Child process of the crash test: upgrades one app over and over until it is killed.
 * argv: <dataDir> <first version number>. Prints "ready" once the store is loaded.
 */
import { AppStore } from '../../../src/apps';
import { createLogger } from '../../../src/util/logger';
import { crashyManifest, crashyWasm } from './crashy-app';

async function main(): Promise<void> {
  const [dataDir, first] = process.argv.slice(2);
  const store = new AppStore(dataDir, createLogger('error'));
  store.load();
  process.stdout.write('ready\n');
  for (let n = Number(first); ; n++) {
    await store.install(crashyManifest(n), crashyWasm(n), async () => undefined);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
