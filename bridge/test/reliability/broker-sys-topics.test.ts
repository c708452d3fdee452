/**
 * `broker.sys_topics`: with it off (the default), nothing under `$SYS` ever reaches a client, even
 * one whose ACL grants `$SYS/#` outright; with it on, that client gets aedes' `$SYS` messages.
 * The grant is explicit so that the ACL cannot be the reason for a refusal (`#` never covers `$SYS`).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startBridge, type RunningBridge } from '../helpers/bridge-process';
import { TestClient } from '../helpers/mqtt-client';
import { delay } from '../helpers/ports';
import { expectStillOnline } from '../helpers/still-online';
import { newDataDir } from '../helpers/data-dir';
import { megabitUserAdd } from '../helpers/mosquitto-tools';

jest.setTimeout(60_000);

const ADMIN = { username: 'admin', password: 'admin pass' };
const MONITOR = { username: 'monitor', password: 'monitor pass' };
const ACL = 'user admin\ntopic readwrite #\n\nuser monitor\ntopic read $SYS/#\ntopic read test/#\n';

async function bridgeWith(sysTopics: boolean): Promise<RunningBridge> {
  const dataDir = newDataDir();
  const passwordFile = join(dataDir, 'passwords');
  await megabitUserAdd(passwordFile, ADMIN.username, ADMIN.password);
  await megabitUserAdd(passwordFile, MONITOR.username, MONITOR.password);
  const aclFile = join(dataDir, 'sys.acl');
  writeFileSync(aclFile, ACL);
  return startBridge({
    dataDir,
    broker: { password_file: passwordFile, acl_file: aclFile, sys_topics: sysTopics },
    settings: { rotation: { enabled: false } },
  });
}

/**
 * The monitor subscribes to `$SYS/#` and `test/#`; another client then connects (aedes announces
 * it under `$SYS/<broker id>/new/clients`) and publishes `test/sync`. Returns the SUBACK codes of
 * `$SYS/#`, every topic the monitor got, and whether it got the newcomer's announcement.
 */
async function watchSys(bridge: RunningBridge, waitForSys: boolean): Promise<{ granted: number[] | undefined; topics: string[]; announced: boolean }> {
  const monitor = await TestClient.connect(bridge.mqttUrl, bridge.topics, { ...MONITOR, protocolVersion: 5 });
  try {
    const granted = await monitor.client.subscribeAsync('$SYS/#', { qos: 0 }).then(
      (g) => g.map((x) => x.qos),
      (e: { packet?: { granted?: number[] } }) => e.packet?.granted,
    );
    await monitor.subscribe('test/#');
    const newcomer = `sys-newcomer-${Date.now()}`;
    const other = await TestClient.connect(bridge.mqttUrl, bridge.topics, { ...ADMIN, clientId: newcomer });
    await other.publish('test/sync', 'after the connect');
    await other.close();
    await monitor.waitFor('test/sync');
    // Where $SYS is on, wait for aedes' announcement of the newcomer too, without relying on it
    // arriving before test/sync.
    const announced = (): boolean => monitor.messages.some((m) => m.topic.endsWith('/new/clients') && m.payload.toString() === newcomer);
    for (let i = 0; i < 50 && waitForSys && !announced(); i++) await delay(100);
    return { granted, topics: monitor.messages.map((m) => m.topic), announced: announced() };
  } finally {
    await monitor.close();
  }
}

describe('broker.sys_topics', () => {
  it('off: a client granted $SYS/# is refused the subscription and never gets a $SYS message', async () => {
    const bridge = await bridgeWith(false);
    try {
      const seen = await watchSys(bridge, false);
      expect(seen.granted).toEqual([0x87]);
      expect(bridge.output).toContain('refused a subscription by');
      expect(bridge.output).toContain('(broker.sys_topics is off)');
      expect(seen.topics).toContain('test/sync');
      expect(seen.announced).toBe(false);
      expect(seen.topics.filter((t) => t.startsWith('$'))).toEqual([]);
      await expectStillOnline(bridge, ADMIN);
    } finally {
      await bridge.dispose();
    }
  });

  it("on: the same client gets the subscription and aedes' $SYS messages", async () => {
    const bridge = await bridgeWith(true);
    try {
      const seen = await watchSys(bridge, true);
      expect(seen.granted).toEqual([0]);
      expect(seen.announced).toBe(true);
      expect(seen.topics.some((t) => /^\$SYS\/[^/]+\/new\/clients$/.test(t))).toBe(true);
      await expectStillOnline(bridge, ADMIN);
    } finally {
      await bridge.dispose();
    }
  });
});
