/**
 * The text of the systemd unit `megabit service install` writes: one function, so what is
 * installed and what the tests verify with `systemd-analyze verify` are the same bytes. The
 * reasons are written into the unit as comments, for the person who opens the file later.
 */
import { GLIBC_TUNABLES } from './malloc-tunables';

/** A comment line that marks a unit as written by this command: `service remove` deletes only those. */
export const UNIT_MARKER = '# Written by "megabit service install"; "megabit service remove" deletes it.';

export interface UnitOptions {
  /** A user service (`systemctl --user`) instead of a system one. */
  user: boolean;
  /** The absolute path of the Node binary that runs the bridge. */
  node: string;
  /** The absolute path of the bridge's cli.js. */
  cli: string;
  /** `--config FILE` for the bridge, when the settings are not in the default place. */
  configFile?: string;
  /** The data dir: the one place the bridge may write. */
  dataDir: string;
  /** A system service runs as this user (never root unless asked). */
  runAs?: string;
  /** Passed as MEGABIT_DATA_DIR when the data dir was given on the command line. */
  dataDirFromOption: boolean;
}

/**
 * systemd splits ExecStart=, Environment= and ReadWritePaths= on spaces, unescapes \ and
 * expands % specifiers: quote every value so a path with a space or a % stays one path.
 */
function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%')}"`;
}

/** A comment in the unit: its lines prefixed with "# ". */
const why = (...text: string[]): string[] => text.map((line) => `# ${line}`);

export function serviceUnit(o: UnitOptions): string {
  const exec = [o.node, o.cli, ...(o.configFile ? ['--config', o.configFile] : [])].map(quote).join(' ');
  const unit = [
    '[Unit]',
    'Description=Megabit display bridge',
    ...why(
      'The LAN and an external broker are reachable only once the network is up; the bridge',
      'retries anyway, but this saves a burst of failed connections at boot.',
    ),
    'Wants=network-online.target',
    'After=network-online.target',
  ];
  if (!o.user)
    unit.push(
      ...why(
        'DeviceAllow=char-ttyACM below is looked up in /proc/devices when the service starts, and',
        'ttyACM is listed there only once the cdc_acm module is loaded: load it first, or a board',
        'plugged in after boot would be refused until a restart.',
      ),
      'Wants=modprobe@cdc_acm.service',
      'After=modprobe@cdc_acm.service',
    );
  const service = [
    '[Service]',
    ...why('The bridge does not notify systemd: it is up once it runs.'),
    'Type=simple',
    ...why('This Node and this bridge: run "megabit service install" again after moving either.'),
    `ExecStart=${exec}`,
    ...why('glibc returns the large blocks an app switch frees at once (malloc-tunables.ts in the bridge says why).'),
    `Environment=${quote(`GLIBC_TUNABLES=${GLIBC_TUNABLES}`)}`,
    ...(o.dataDirFromOption ? [...why('The data dir given to "service install" (--data-dir).'), `Environment=${quote(`MEGABIT_DATA_DIR=${o.dataDir}`)}`] : []),
    ...why('A crash or a failed start (a broker not up yet) is retried; a clean stop is not.'),
    'Restart=on-failure',
    'RestartSec=5',
    ...why('The bridge stops within 5 s of SIGTERM by itself.'),
    'TimeoutStopSec=15',
  ];
  if (!o.user)
    service.push(
      ...why('The user the bridge runs as: it needs no root.'),
      `User=${o.runAs}`,
      ...why('The serial port (/dev/ttyACM0) belongs to group dialout.'),
      'SupplementaryGroups=dialout',
      ...why('No setuid programs, no capabilities: ports 1883 and 8000 need none.'),
      'NoNewPrivileges=yes',
      'CapabilityBoundingSet=',
      ...why('The whole file system read-only, home folders included, except the data dir (also when', 'it is in a home folder); a private /tmp.'),
      'ProtectSystem=strict',
      'ProtectHome=read-only',
      `ReadWritePaths=${quote(o.dataDir)}`,
      ...why('A writable cache for the compiled code of its start (/var/cache/megabit, $CACHE_DIRECTORY).'),
      'CacheDirectory=megabit',
      'PrivateTmp=yes',
      ...why('No devices but the standard ones (/dev/null, /dev/urandom, ...) and USB serial ports.'),
      'DevicePolicy=closed',
      'DeviceAllow=char-ttyACM rw',
      ...why('No changes to the kernel, its modules, logs, cgroups, clock or host name.'),
      'ProtectKernelTunables=yes',
      'ProtectKernelModules=yes',
      'ProtectKernelLogs=yes',
      'ProtectControlGroups=yes',
      'ProtectClock=yes',
      'ProtectHostname=yes',
      ...why('No namespaces, real-time scheduling, setuid files or personality changes.'),
      'RestrictNamespaces=yes',
      'RestrictRealtime=yes',
      'RestrictSUIDSGID=yes',
      'LockPersonality=yes',
      ...why('TCP and WebSocket listeners, the journal, and netlink (the list of network addresses).'),
      'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK',
      ...why('No MemoryDenyWriteExecute=: V8 and the Wasm sandbox compile code into memory they then run.'),
    );
  else
    service.push(
      ...why(
        'A user service cannot add groups or sandbox devices: the user must be in group dialout',
        '(sudo usermod -aG dialout USER). The sandboxing of the system service would need user',
        'namespaces here, so this one keeps to what works everywhere.',
      ),
      'NoNewPrivileges=yes',
    );
  const install = ['[Install]', `WantedBy=${o.user ? 'default.target' : 'multi-user.target'}`];
  return [UNIT_MARKER, ...unit, '', ...service, '', ...install, ''].join('\n');
}
