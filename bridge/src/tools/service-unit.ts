/**
 * The text of the systemd unit `megabit service install` writes: one function, so what is
 * installed and what the tests verify with `systemd-analyze verify` are the same bytes. Every
 * line carries its reason in a comment, for the person who opens the file later.
 */

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

export function serviceUnit(o: UnitOptions): string {
  const exec = [o.node, o.cli, ...(o.configFile ? ['--config', o.configFile] : [])].map(quote).join(' ');
  const lines = [
    UNIT_MARKER,
    '[Unit]',
    'Description=Megabit display bridge',
    // Home Assistant's broker or the LAN may not be reachable before the network is up; the
    // bridge retries anyway, but starting after it saves a burst of failed connects at boot.
    'Wants=network-online.target',
    'After=network-online.target',
  ];
  if (!o.user) {
    lines.push(
      // DeviceAllow=char-ttyACM is resolved through /proc/devices when the service starts, and
      // cdc_acm registers ttyACM only once loaded: load it first, or a board plugged in after
      // boot would be refused until a restart.
      'Wants=modprobe@cdc_acm.service',
      'After=modprobe@cdc_acm.service',
    );
  }
  lines.push(
    '',
    '[Service]',
    // The bridge does not notify systemd: it is up once it runs.
    'Type=simple',
    `ExecStart=${exec}`,
  );
  if (o.dataDirFromOption) lines.push(`Environment=${quote(`MEGABIT_DATA_DIR=${o.dataDir}`)}`);
  lines.push(
    // A crash or a failed start (the serial port busy, a broker not up yet) is retried; a clean
    // stop (systemctl stop) is not.
    'Restart=on-failure',
    'RestartSec=5',
    // The bridge stops its parts within 5 s of SIGTERM and then exits on its own.
    'TimeoutStopSec=15',
  );
  if (!o.user) {
    lines.push(
      `User=${o.runAs}`,
      // The serial port (/dev/ttyACM0) belongs to group dialout.
      'SupplementaryGroups=dialout',
      // No setuid programs, no new privileges: the bridge needs none.
      'NoNewPrivileges=yes',
      // The whole file system read-only, except the data dir...
      'ProtectSystem=strict',
      `ReadWritePaths=${quote(o.dataDir)}`,
      // ...including home folders (ReadWritePaths= above still opens the data dir when it is in one).
      'ProtectHome=read-only',
      'PrivateTmp=yes',
      // Only the standard pseudo devices (/dev/null, /dev/urandom, ...) and USB serial ports.
      'DevicePolicy=closed',
      'DeviceAllow=char-ttyACM rw',
      'ProtectKernelTunables=yes',
      'ProtectKernelModules=yes',
      'ProtectKernelLogs=yes',
      'ProtectControlGroups=yes',
      'ProtectClock=yes',
      'ProtectHostname=yes',
      'RestrictNamespaces=yes',
      'RestrictRealtime=yes',
      'RestrictSUIDSGID=yes',
      'LockPersonality=yes',
      // Ports 1883 and 8000 need no privilege.
      'CapabilityBoundingSet=',
      // TCP and WebSocket listeners, journald's socket, and netlink for the list of addresses.
      'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK',
      // Not MemoryDenyWriteExecute=: V8 and the Wasm sandbox compile code into memory they then run.
    );
  } else {
    lines.push(
      // A user service cannot add groups or sandbox devices: the user must be in group dialout
      // (sudo usermod -aG dialout USER). The file-system sandboxing of a system service would
      // need user namespaces here; this one keeps to what works everywhere.
      'NoNewPrivileges=yes',
    );
  }
  lines.push('', '[Install]', `WantedBy=${o.user ? 'default.target' : 'multi-user.target'}`, '');
  return lines.join('\n');
}
