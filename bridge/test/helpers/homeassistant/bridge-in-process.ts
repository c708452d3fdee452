/**
 * The real bridge (Controller: device core, sandbox, MQTT API, HTTP, Home Assistant parts) run
 * inside the test process against a test's broker, on a free HTTP port with a temporary data dir.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { settingsFrom, type Settings } from '../../../src/config';
import { Controller } from '../../../src/controller';
import type { Clock } from '../../../src/display/clock';
import { createLogger, type LogSink } from '../../../src/util/logger';
import { installExample } from '../bridge-process';
import { freePort } from '../ports';

export interface InProcessBridge {
  controller: Controller;
  settings: Settings;
  dataDir: string;
  stop(): Promise<void>;
}

export async function startInProcess(
  mqttUrl: string,
  options: { apps?: string[]; settings?: Record<string, unknown>; dataDir?: string; clock?: Clock; logSink?: LogSink } = {},
): Promise<InProcessBridge> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'megabit-ha-'));
  for (const id of options.apps ?? []) installExample(dataDir, id);
  const settings = settingsFrom(
    {
      data_dir: dataDir,
      log_level: 'warn',
      mqtt: { url: mqttUrl },
      http: { host: '127.0.0.1', port: await freePort() },
      ...options.settings,
    },
    'test',
    {},
  );
  const controller = new Controller({
    settings,
    log: createLogger('warn', 'megabit', options.logSink),
    exampleAppDirs: [],
    simulatorDir: dataDir,
    clock: options.clock,
  });
  await controller.start();
  return {
    controller,
    settings,
    dataDir,
    stop: async () => {
      await controller.stop();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
