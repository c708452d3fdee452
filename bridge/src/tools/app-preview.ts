/**
 * `megabit app preview <dir>`: shows an app on the display without installing it, and rebuilds and
 * reloads it on every save. The preview ends on Ctrl-C; if this process dies instead, its MQTT
 * last will (a `cmd/apps/preview/stop`) ends it, so the display never keeps a stale preview.
 */
import { join, resolve } from 'node:path';
import mqtt from 'mqtt';
import { CMD } from '@megabit/contract';
import { readBuiltApp } from './app-folder';
import { buildApp } from './app-build';
import { pollSources } from './source-poller';
import type { Target } from './app-command';

const REBUILD_DEBOUNCE_MS = 300;

export async function previewApp(dir: string, target: Target, print: (line: string) => void): Promise<void> {
  const root = resolve(dir);
  const stopTopic = target.topics.cmd(CMD.appsPreviewStop);
  const client = await mqtt
    .connectAsync(target.url, {
      protocolVersion: 4,
      connectTimeout: 5000,
      ...target.auth,
      will: { topic: stopTopic, payload: Buffer.from('{}'), qos: 1, retain: false },
    })
    .catch((e: Error) => {
      throw new Error(`cannot reach the MQTT broker at ${target.url}: ${e.message} (is the bridge running? pass --mqtt URL)`);
    });
  const responseTopic = target.topics.response(CMD.appsPreview);
  await client.subscribeAsync(responseTopic, { qos: 1 });
  client.on('message', (topic, payload) => {
    if (topic !== responseTopic) return;
    const reply = JSON.parse(payload.toString()) as { ok: boolean; id?: string; error?: { message: string } };
    print(reply.ok ? `showing ${reply.id} on ${target.topics.prefix} (Ctrl-C ends the preview)` : `the display refused the app: ${reply.error?.message}`);
  });

  const send = (): void => {
    try {
      const app = readBuiltApp(root);
      void client.publishAsync(target.topics.cmd(CMD.appsPreview), JSON.stringify({ manifest: app.manifest, wasm: app.wasm.toString('base64') }), { qos: 1 });
    } catch (e) {
      print((e as Error).message);
    }
  };

  if (await buildApp(root, print)) send();

  let timer: NodeJS.Timeout | undefined;
  let building = false;
  const onChange = (): void => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      if (building) return onChange();
      building = true;
      print('change seen: rebuilding');
      if (await buildApp(root, print)) send();
      building = false;
    }, REBUILD_DEBOUNCE_MS);
  };
  // images/ holds the PNGs an app embeds at build time (png-to-as rewrites assembly/ only on change).
  const stopPolling = pollSources(
    ['assembly', 'manifest.json', 'images'].map((name) => join(root, name)),
    onChange,
  );

  await new Promise<void>((resolveStop) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolveStop();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  stopPolling();
  clearTimeout(timer);
  await client.publishAsync(stopTopic, '{}', { qos: 1 });
  await client.endAsync();
  print('preview ended');
}
