/**
 * The Home Assistant integration in the bridge as users run it (`node bridge/dist/cli.js`,
 * built by `npm run build`): discovery on an external broker, and the token given through
 * MEGABIT_HA_TOKEN, never printed.
 */
import { startBridge, type RunningBridge } from '../helpers/bridge-process';
import { Mosquitto } from '../helpers/mosquitto';
import { TestClient } from '../helpers/mqtt-client';
import { delay } from '../helpers/ports';
import { HomeAssistantServer } from '../helpers/homeassistant/home-assistant-server';
import { deviceDiscoveryProblems } from '../helpers/homeassistant/discovery-schema';

const TOKEN = 'process-token-must-not-appear-in-output';

it('the bridge process publishes discovery and connects to Home Assistant with the token from the environment', async () => {
  const broker = await Mosquitto.start();
  const ha = await HomeAssistantServer.start(TOKEN);
  let bridge: RunningBridge | undefined;
  let client: TestClient | undefined;
  try {
    bridge = await startBridge({
      mqttUrl: broker.url,
      apps: ['clock'],
      settings: { homeassistant: { url: ha.url } },
      env: { MEGABIT_HA_TOKEN: TOKEN },
    });
    client = await TestClient.connect(broker.url, bridge.topics);
    await client.subscribe('homeassistant/device/megabit_megabit/config');
    const device = await client.waitFor('homeassistant/device/megabit_megabit/config');
    const config = JSON.parse(device.payload.toString()) as { cmps: { app: { options: string[] } } };
    expect(deviceDiscoveryProblems(device.topic, config, 'homeassistant')).toEqual([]);
    expect(config.cmps.app.options).toEqual(['clock']);

    const deadline = Date.now() + 15_000;
    while (!bridge.output.includes('connected to Home Assistant') && Date.now() < deadline) await delay(50);
    expect(bridge.output).toContain(`connected to Home Assistant 2025.11.1 at ${ha.url}`);
    expect(ha.authAttempts).toEqual([{ accepted: true }]);
    expect(bridge.output).not.toContain(TOKEN);
  } finally {
    await client?.close();
    await bridge?.dispose();
    await ha.stop();
    await broker.dispose();
  }
});
