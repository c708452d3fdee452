/** The `megabit` command: runs the bridge daemon. Loaded by cli.ts (cli-bundle.ts says how). */
// First, for its effect: the young generation is held small before the modules below load.
import { letYoungGenerationGrow } from './young-generation';
// So is the optimizing compiler: code run once while starting is not worth TurboFan's pages.
import { letOptimizerRunSoon } from './optimizer-at-start';
// Then, before mqtt.js and aedes load mqtt-packet's writer (mqtt/length-prefix-fix.ts says why).
import { lengthPrefixFix } from './mqtt/install-length-prefix-fix';
import { lengthPrefixProblems } from './mqtt/length-prefix-fix';
import { writePacketNumbersWithoutTable } from './mqtt/packet-numbers';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { shippedExampleAppDirs } from './apps/shipped-examples';
import { isLoopbackHost, loadSettings, loginsConfigured, type Settings, SettingsError } from './config';
import { checkPortsFree } from './config/busy-ports';
import { Controller } from './controller';
import { answerCountsOverIpc } from './diagnostics/ipc-diagnostics';
import { lockDataDir } from './util/data-dir-lock';
import { warnIfSecretsReadable } from './util/private-files';
import { removeDiscovery } from './homeassistant';
import { collectStartGarbage } from './start-garbage';
import { StartupTimeline } from './startup-timeline';
import { createLogger, errorMessage } from './util/logger';
import { VERSION } from './version';

const HELP = `megabit ${VERSION}: the Megabit display bridge

Usage:
  megabit [--config FILE]     run the bridge
  megabit app <command>       app author tools: new, install, preview (megabit app --help)
  megabit device <command>    check the display hardware: info, status, test-pattern; flash
                              (megabit device --help)
  megabit user add|remove NAME
                              logins for the embedded broker (megabit user --help)
  megabit service install|remove
                              run the bridge as a systemd service (megabit service --help)
  megabit backup FILE         the data dir and settings in one archive (megabit backup --help)
  megabit restore FILE        put a backup in place, here or on another machine
  megabit --remove-discovery  remove this display from Home Assistant (clears its discovery configs)
  megabit --help              this text
  megabit --version           print the version

Settings come from --config FILE, else $MEGABIT_CONFIG, else ~/.megabit/megabit.yaml when it
exists, else built-in defaults (embedded MQTT broker on 1883, simulator on http://localhost:8000).
Every setting can be overridden by an environment variable: MEGABIT_MQTT_URL, MEGABIT_HTTP_PORT,
MEGABIT_DEVICE_ID, ... (see config/megabit.example.yaml).
`;

interface Args {
  config?: string;
  removeDiscovery: boolean;
  help: boolean;
  version: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { help: false, version: false, removeDiscovery: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') args.help = true;
    else if (arg === '--version' || arg === '-v') args.version = true;
    else if (arg === '--remove-discovery') args.removeDiscovery = true;
    else if (arg === '--config' || arg === '-c') {
      const file = argv[++i];
      if (!file) throw new Error('--config needs a file name');
      args.config = file;
    } else if (arg.startsWith('--config=')) args.config = arg.slice('--config='.length);
    else throw new Error(`unknown argument "${arg}" (see megabit --help)`);
  }
  return args;
}

function configFile(args: Args): string | undefined {
  if (args.config) return resolve(args.config);
  if (process.env.MEGABIT_CONFIG) return resolve(process.env.MEGABIT_CONFIG);
  const home = join(homedir(), '.megabit', 'megabit.yaml');
  return existsSync(home) ? home : undefined;
}

/** `-h HOST [-p PORT]` for the start-up hint: mosquitto_pub assumes 1883, so any other port must be given. */
function mosquittoAddress(settings: Settings, mqttUrl: string): string {
  const host = settings.mqtt.url ? '<broker>' : 'localhost';
  let port = '';
  try {
    port = new URL(mqttUrl).port;
  } catch {
    // an external URL mqtt.js accepts but URL does not: leave the port to the user
  }
  return port && port !== '1883' ? `-h ${host} -p ${port}` : `-h ${host}`;
}

/**
 * The subcommands are loaded when asked for: a bridge start would otherwise load what only they
 * use (the device tool's serial port, the backup's tar and YAML).
 */
const tools = {
  app: () => require('./tools/app-command') as typeof import('./tools/app-command'),
  backup: () => require('./tools/backup-command') as typeof import('./tools/backup-command'),
  device: () => require('./tools/device-command') as typeof import('./tools/device-command'),
  service: () => require('./tools/service-command') as typeof import('./tools/service-command'),
  user: () => require('./tools/user-command') as typeof import('./tools/user-command'),
};

/** The subcommands: they start no bridge, so nothing holds V8's start-up settings for them. */
const TOOL_COMMANDS: ReadonlySet<string> = new Set(['app', 'device', 'user', 'backup', 'restore', 'service']);

async function main(): Promise<number> {
  // Every import above has run: what came before this is Node's start and loading the modules.
  const modulesLoadedAt = performance.now();
  const argv = process.argv.slice(2);
  if (TOOL_COMMANDS.has(argv[0] ?? '')) {
    // A tool may run for long (an app preview, until stopped): V8's own settings from the start.
    letYoungGenerationGrow();
    void letOptimizerRunSoon(0);
  }
  if (argv[0] === 'app') {
    try {
      return await tools.app().runAppCommand(argv.slice(1));
    } catch (e) {
      process.stderr.write(`megabit app: ${errorMessage(e)}\n`);
      return 1;
    }
  }
  if (argv[0] === 'device') {
    try {
      return await tools.device().runDeviceCommand(argv.slice(1), { out: (line) => process.stdout.write(`${line}\n`) });
    } catch (e) {
      process.stderr.write(`megabit device: ${errorMessage(e)}\n`);
      return 1;
    }
  }
  if (argv[0] === 'user') {
    try {
      return await tools.user().runUserCommand(argv.slice(1), {
        stdin: process.stdin,
        stderr: process.stderr,
        out: (line) => process.stdout.write(`${line}\n`),
        settings: (config) => loadSettings(config ? resolve(config) : configFile({ help: false, version: false, removeDiscovery: false })),
      });
    } catch (e) {
      process.stderr.write(`megabit user: ${errorMessage(e)}\n`);
      return 1;
    }
  }
  if (argv[0] === 'backup' || argv[0] === 'restore') {
    try {
      return await tools.backup().runBackupCommand(argv[0], argv.slice(1), { out: (line) => process.stdout.write(`${line}\n`) });
    } catch (e) {
      process.stderr.write(`megabit ${argv[0]}: ${errorMessage(e)}\n`);
      return 1;
    }
  }
  if (argv[0] === 'service') {
    try {
      return tools.service().runServiceCommand(argv.slice(1), { out: (line) => process.stdout.write(`${line}\n`), env: process.env });
    } catch (e) {
      process.stderr.write(`megabit service: ${errorMessage(e)}\n`);
      return 1;
    }
  }
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`megabit: ${errorMessage(e)}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (args.version) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const file = configFile(args);
  let settings: Settings;
  try {
    settings = loadSettings(file);
  } catch (e) {
    process.stderr.write(`megabit: ${e instanceof SettingsError ? e.message : errorMessage(e)}\n`);
    return 2;
  }
  const log = createLogger(settings.log_level);
  const timeline = new StartupTimeline(log, modulesLoadedAt);
  timeline.recordPhase('settings', modulesLoadedAt);
  if (args.removeDiscovery) {
    try {
      process.stdout.write(`${await removeDiscovery(settings)}\n`);
      return 0;
    } catch (e) {
      log.error(errorMessage(e));
      return 1;
    }
  }
  log.info(`megabit ${VERSION} starting (${file ? `settings from ${file}` : 'default settings'}, data in ${settings.data_dir})`);
  if (file) warnIfSecretsReadable(file, log);
  // The probe below is the process's first packet: without the switch it would build the number table.
  writePacketNumbersWithoutTable();
  for (const problem of lengthPrefixProblems(lengthPrefixFix)) log.warn(`MQTT packet sizes may pin memory for good: ${problem}`);
  // One bridge per data dir; the lock goes with this process however it ends (short of SIGKILL).
  try {
    const lock = lockDataDir(settings.data_dir, log);
    process.on('exit', () => lock.release());
  } catch (e) {
    log.error(`could not start: ${errorMessage(e)}`);
    return 1;
  }
  const controller = new Controller({ settings, log, exampleAppDirs: shippedExampleAppDirs(), simulatorDir: Controller.defaultSimulatorDir(), timeline });

  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: shutting down`);
    const force = setTimeout(() => {
      log.error('shutdown took longer than 5 s; exiting');
      process.exit(1);
    }, 5000);
    await controller.stop();
    clearTimeout(force);
    process.exit(0);
  };
  // A promise someone forgot to catch is a bug to log, not a reason to take the display down.
  process.on('unhandledRejection', (reason) => log.error(`unhandled rejection: ${(reason as Error)?.stack ?? String(reason)}`));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  // As mosquitto does: SIGHUP re-reads the password and ACL files.
  process.on('SIGHUP', () => {
    log.info("SIGHUP: reloading the broker's password and ACL files");
    controller.reload();
  });

  try {
    // Every busy port in one message, before the first listener would report only its own.
    await timeline.phase('port check', () => checkPortsFree(settings));
    await controller.start();
  } catch (e) {
    log.error(`could not start: ${errorMessage(e)}`);
    await controller.stop();
    return 1;
  }
  // The start's survivors are in the old generation now: from here V8 may size the nursery for the load.
  letYoungGenerationGrow();
  // Soon after (once the first frame's PNG is out), code that gets hot under load is optimized as before.
  flagsAtDefaults = letOptimizerRunSoon();
  // Then what the start left on the heap goes. A memory saving only: it may fail, never the bridge.
  void flagsAtDefaults.then(() => {
    const began = performance.now();
    try {
      if (collectStartGarbage()) log.debug(`collected what the start left on the heap in ${Math.round(performance.now() - began)} ms`);
    } catch (e) {
      log.debug(`could not collect what the start left on the heap: ${errorMessage(e)}`);
    }
  });
  // Only for a parent that spawned the bridge with an IPC channel (the leak test, the soak run).
  answerCountsOverIpc(controller.countSources);
  const host = settings.http.host === '0.0.0.0' || settings.http.host === '127.0.0.1' ? 'localhost' : settings.http.host;
  log.info(`simulator: ${settings.http.tls ? 'https' : 'http'}://${host}:${controller.httpPort}/${settings.http.auth_token ? '?token=<http.auth_token>' : ''}`);
  log.info(
    `MQTT: ${settings.mqtt.url ? `external broker ${controller.mqttUrl.replace(/\/\/[^@/]*@/, '//***@')}` : `embedded broker ${controller.mqttUrl}`}, topics under ${controller.topics.prefix}/`,
  );
  log.info(`try: mosquitto_pub ${mosquittoAddress(settings, controller.mqttUrl)} -t ${controller.topics.cmd('notify')} -m 'Hello'`);
  if (!loginsConfigured(settings) && isLoopbackHost(settings.http.host)) {
    log.info(
      'reachable from this machine only: to open it to the LAN, add a login ("megabit user add NAME", then broker.password_file in megabit.yaml); see docs/security.md',
    );
  }
  return -1;
}

/**
 * Settled once V8's flags are as Node set them again: the start changes two for a while (above),
 * and V8 rejects a code cache made under other flags than the ones it is read under.
 */
let flagsAtDefaults: Promise<void> = Promise.resolve();

/**
 * Settles with -1 once the bridge has started and runs with V8's flags back at their defaults,
 * else with the command's exit code: the launcher saves its code cache on -1 (cli-bundle.ts).
 */
export const finished: Promise<number> = main().then(
  async (code) => {
    if (code >= 0) process.exit(code);
    await flagsAtDefaults;
    return code;
  },
  (e) => {
    process.stderr.write(`megabit: ${(e as Error).stack ?? String(e)}\n`);
    return process.exit(1);
  },
);
