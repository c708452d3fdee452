/**
 * Wires the bridge together and owns start-up and shutdown order:
 * broker → device core (apps, scheduler, compositor) → MQTT API → outputs → HTTP.
 * Dependencies point one way: the MQTT layer knows the device; the device knows nothing of MQTT.
 */
import { join } from 'node:path';
import { DeviceTopics } from '@megabit/contract';
import { EmbeddedBroker } from './broker/embedded-broker';
import { TlsListeners } from './broker/tls-listeners';
import { loginsConfigured, type Settings } from './config';
import { Device } from './device/device';
import { EventBus } from './events';
import { HttpServer } from './http/http-server';
import { connectUpstream, pipeBoth } from './http/mqtt-websocket-proxy';
import { OriginPolicy } from './http/origin-policy';
import { AppTopicFeed } from './mqtt/app-topic-feed';
import { CommandRouter } from './mqtt/api/command-router';
import { loginOptions } from './mqtt/client-options';
import { MqttConnection } from './mqtt/connection';
import { EventPublisher } from './mqtt/event-publisher';
import { FramePublisher } from './mqtt/frame-publisher';
import { StatePublisher } from './mqtt/state-publisher';
import { DisplayStatePublisher } from './mqtt/display-state-publisher';
import { SerialLink } from './serial/serial-link';
import { NO_DISPLAY_LINK } from './device/display-link';
import { homeAssistantParts } from './homeassistant';
import { encodeFramePng } from './display';
import { errorMessage, type Logger } from './util/logger';
import { securePrivateDir } from './util/private-files';

export interface ControllerOptions {
  settings: Settings;
  log: Logger;
  /** Build folders of the example apps, installed on first run. */
  exampleAppDirs: string[];
  /** Folder of the built simulator page. */
  simulatorDir: string;
}

const FIRST_CONNECT_WAIT_MS = 5000;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** Something with a start and a stop, stopped in reverse order of starting. */
interface Part {
  name: string;
  stop(): Promise<void> | void;
}

export class Controller {
  readonly bus: EventBus;
  readonly topics: DeviceTopics;
  private readonly started: Part[] = [];
  private broker?: EmbeddedBroker;
  private http?: HttpServer;
  device?: Device;

  constructor(private readonly options: ControllerOptions) {
    this.bus = new EventBus(options.log.child('bus'));
    this.topics = new DeviceTopics(options.settings.mqtt.base_topic, options.settings.device_id);
  }

  get mqttUrl(): string {
    const s = this.options.settings;
    return s.mqtt.url ?? `mqtt://127.0.0.1:${this.broker!.port}`;
  }

  get clientId(): string {
    const s = this.options.settings;
    return s.mqtt.client_id ?? `megabit-${s.device_id}`;
  }

  /** Re-reads what can change without a restart: the broker's password and ACL files. */
  reload(): void {
    this.broker?.reload();
  }

  get httpPort(): number {
    return this.http!.port;
  }

  async start(): Promise<void> {
    const { settings, log } = this.options;
    // Before anything writes there: app config (API keys) and KV stores are the user's alone.
    securePrivateDir(settings.data_dir, log);
    // One rule for every WebSocket server (/mqtt, ws_port, tls.ws_port): which web pages may open them.
    const origins = new OriginPolicy(settings.http.allowed_origins);
    if (!settings.mqtt.url) {
      const b = settings.broker;
      this.broker = new EmbeddedBroker({
        host: b.host,
        port: b.port,
        wsPort: b.ws_port,
        maxPacketBytes: b.max_packet_bytes,
        retained: { maxMessages: b.max_retained_messages, maxBytes: b.max_retained_bytes },
        sysTopics: b.sys_topics,
        access: { passwordFile: b.password_file, aclFile: b.acl_file, allowAnonymous: b.allow_anonymous },
        bridgeClientId: this.clientId,
        verifyWebSocket: (req) => origins.check(req, 'http').ok,
      }, log.child('broker'));
      await this.broker.start();
      this.started.push({ name: 'broker', stop: () => this.broker!.stop() });
      const tls = settings.broker.tls;
      if (tls) {
        const broker = this.broker;
        const listeners = new TlsListeners({
          host: settings.broker.host, port: tls.port, wsPort: tls.ws_port, cert: tls.cert, key: tls.key, ca: tls.ca,
          requireCertificate: tls.require_certificate, maxPacketBytes: settings.broker.max_packet_bytes,
          verifyWebSocket: (req) => origins.check(req, 'https').ok,
        }, log.child('broker'));
        this.started.push({ name: 'broker TLS listeners', stop: () => listeners.stop() });
        await listeners.start((stream) => broker.handleWebSocketStream(stream));
      }
    }

    const device = new Device({ settings, bus: this.bus, exampleAppDirs: this.options.exampleAppDirs }, log.child('device'));
    this.device = device;

    const broker = this.broker;
    const mqtt = new MqttConnection({
      url: this.mqttUrl,
      clientId: this.clientId,
      // The embedded broker is reached in-process: no login to configure, none to steal.
      login: broker ? {} : loginOptions(settings.mqtt),
      keepaliveS: settings.mqtt.keepalive_s,
      connectInProcess: broker ? () => broker.connectInProcess() : undefined,
      protocolVersion: broker ? 5 : 4,
    }, this.topics, log.child('mqtt'));

    const frames = new FramePublisher(mqtt, this.topics, settings.display.frame_publish_max_fps, (f) => encodeFramePng(f));
    device.addOutput(frames);

    // The display hardware, when there is one: a second output, its buttons, its link state.
    const serial = settings.serial.path === undefined ? undefined : new SerialLink({
      path: settings.serial.path,
      button: { longPressMs: settings.button.long_press_ms, doublePressMs: settings.button.double_press_ms },
      onButton: (event) => device.pressButton(event),
      log: log.child('serial'),
      bus: this.bus,
    });
    if (serial) {
      // The device core starts and stops its outputs; the link runs while its output does.
      device.addOutput(serial.display);
      device.setDisplayLink(serial.reporter);
    }
    await device.start();
    this.started.push({ name: 'device', stop: () => device.stop() });

    log.info(`connecting to MQTT broker ${settings.mqtt.url ? this.mqttUrl.replace(/\/\/[^@/]*@/, '//***@') : '(embedded)'}`);
    // Normally connected within milliseconds; a broker that is down or refuses the login must not
    // keep the display, the apps and the simulator page from starting: it keeps retrying.
    const connected = await Promise.race([mqtt.start().then(() => true), delay(FIRST_CONNECT_WAIT_MS).then(() => false)]);
    if (!connected) log.warn(`no MQTT connection after ${FIRST_CONNECT_WAIT_MS / 1000} s; starting anyway and retrying in the background`);
    this.started.push({ name: 'mqtt', stop: () => mqtt.stop() });

    if (serial) {
      // The RGB status LED shows whether the bridge can be reached over MQTT.
      mqtt.onConnect(() => serial.setBrokerConnected(true));
      mqtt.onDisconnect(() => serial.setBrokerConnected(false));
      serial.setBrokerConnected(mqtt.connected);
    }
    const statePublisher = new StatePublisher(mqtt, this.topics, device, this.bus);
    const parts = [
      new CommandRouter(mqtt, this.topics, { device, publishScreen: () => frames.publishPng() }, log.child('api')),
      statePublisher,
      new EventPublisher(mqtt, this.topics, this.bus),
      new AppTopicFeed(mqtt, device, this.bus),
      new DisplayStatePublisher(mqtt, this.topics, serial?.reporter ?? NO_DISPLAY_LINK, this.bus),
    ];
    for (const part of parts) {
      part.start();
      this.started.push({ name: part.constructor.name, stop: () => part.stop() });
    }

    const upstreamTls = loginOptions(settings.mqtt);
    this.http = new HttpServer({
      host: settings.http.host,
      port: settings.http.port,
      staticDir: this.options.simulatorDir,
      pageConfig: { base_topic: settings.mqtt.base_topic, device_id: settings.device_id, button: settings.button, logins: loginsConfigured(settings) },
      tls: settings.http.tls,
      authToken: settings.http.auth_token,
      origins,
      maxConnections: settings.http.max_connections,
      maxMessageBytes: settings.broker.max_packet_bytes,
      handleMqttStream: (stream) => {
        if (this.broker) this.broker.handleWebSocketStream(stream);
        // The browser's own CONNECT (with its login) goes through; TLS to the broker as the bridge's own connection.
        else pipeBoth(stream, connectUpstream(settings.mqtt.url!, upstreamTls));
      },
    }, log.child('http'));
    await this.http.start();
    this.started.push({ name: 'http', stop: () => this.http!.stop() });

    const republish = (): void => {
      statePublisher.publishAll();
      frames.publishPng();
    };
    for (const part of homeAssistantParts({ settings, mqtt, topics: this.topics, device, bus: this.bus, httpPort: this.http.port, frames, republish }, log)) {
      part.start();
      this.started.push(part);
    }
  }

  /** Stops everything in reverse order; one part failing to stop does not keep the others running. */
  async stop(): Promise<void> {
    while (this.started.length > 0) {
      const part = this.started.pop()!;
      this.options.log.debug(`stopping ${part.name}`);
      try {
        await part.stop();
      } catch (e) {
        this.options.log.warn(`stopping ${part.name} failed: ${errorMessage(e)}`);
      }
    }
  }

  static defaultSimulatorDir(): string {
    return join(__dirname, 'simulator');
  }
}
