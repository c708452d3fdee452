'use strict';
/** Debian's mosquitto on a free loopback port, configured for low latency (see docs/performance.md). */
const { existsSync, mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { connect } = require('node:net');
const { delay, freePort, start, stop } = require('./processes');

const MOSQUITTO = '/usr/sbin/mosquitto';

function canConnect(port) {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function startMosquitto() {
  if (!existsSync(MOSQUITTO)) throw new Error(`${MOSQUITTO} is missing: install Debian's mosquitto (apt-get install mosquitto)`);
  const dir = mkdtempSync(join(tmpdir(), 'megabit-bench-mosquitto-'));
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  // set_tcp_nodelay: without it every QoS 1 hop can stall ~40 ms on a delayed ACK (Nagle).
  writeFileSync(conf, [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', 'set_tcp_nodelay true', ''].join('\n'));
  const proc = start(MOSQUITTO, ['-c', conf]);
  const deadline = Date.now() + 10_000;
  while (!(await canConnect(port))) {
    if (proc.child.exitCode !== null || Date.now() > deadline) throw new Error(`mosquitto did not start: ${proc.output()}`);
    await delay(50);
  }
  return {
    url: `mqtt://127.0.0.1:${port}`,
    async dispose() {
      await stop(proc.child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

module.exports = { startMosquitto };
