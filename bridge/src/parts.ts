/**
 * Every part of the bridge, built from one context, in the order the controller starts them
 * (it stops them in reverse). A part's class lives with its layer (broker/, mqtt/, serial/,
 * http/, homeassistant/); its factory is here, one small function each, so adding a part is
 * one function and one line in `bridgeParts`.
 */
import { join } from 'node:path';
import { DeviceTopics } from '@megabit/contract';
import { EmbeddedBroker } from './broker/embedded-broker';
import { MisaddressedCommands } from './broker/misaddressed-commands';
import { loginsConfigured, type Settings } from './config';
import { Device } from './device/device';
import { NO_DISPLAY_LINK } from './device/display-link';
import { encodeFramePng } from './display';
import { type Clock, systemWallClock } from './display/clock';
import { EventBus } from './events';
import { groupParts } from './groups';
import { homeAssistantParts } from './homeassistant';
import { HomeAssistantTemplates } from './homeassistant/template-renderer';
import { loadBuiltInIcons } from './icons/builtin-icons';
import { IconStore } from './icons/icon-store';
import { HttpServer } from './http/http-server';
import { connectUpstream, pipeBoth } from './http/mqtt-websocket-proxy';
import { OriginPolicy } from './http/origin-policy';
import { CommandRouter } from './mqtt/api/command-router';
import { AppTopicFeed } from './mqtt/app-topic-feed';
import { loginOptions } from './mqtt/client-options';
import { MqttConnection } from './mqtt/connection';
import { DisplayStatePublisher } from './mqtt/display-state-publisher';
import { EventPublisher } from './mqtt/event-publisher';
import { FramePublisher } from './mqtt/frame-publisher';
import { IconStatePublisher } from './mqtt/icon-state-publisher';
import { LuxTopicFeed } from './mqtt/lux-topic-feed';
import { StatePublisher } from './mqtt/state-publisher';
import { TemplateTopics } from './mqtt/template-topics';
import { NightModePart } from './night/night-mode-part';
import type { Part } from './part';
import type { SerialLink } from './serial/serial-link';
import { frameMilestones, type StartupTimeline } from './startup-timeline';
import { LiveTemplates, TEMPLATE_LIMITS } from './templates/live-templates';
import type { Logger } from './util/logger';

/** What every part is built from. Built once per start; nothing in it runs until its part starts. */
export interface PartContext {
  readonly settings: Settings;
  readonly log: Logger;
  readonly bus: EventBus;
  readonly topics: DeviceTopics;
  /** One rule for every WebSocket server (/mqtt, ws_port, tls.ws_port): which web pages may open them. */
  readonly origins: OriginPolicy;
  /** The embedded broker; undefined when `mqtt.url` names another one. */
  readonly broker?: EmbeddedBroker;
  readonly mqtt: MqttConnection;
  readonly device: Device;
  /** Built-in and uploaded icons, for screens, notifications and apps to draw by name. */
  readonly icons: IconStore;
  /** The MQTT display output (`P/display/frame`, `P/display/png`). */
  readonly frames: FramePublisher;
  /** The display hardware, when `serial.path` is set. */
  readonly serial?: SerialLink;
  /** `P/state` and `P/state/apps`; Home Assistant asks for them again when it comes online. */
  readonly state: StatePublisher;
  readonly http: HttpServer;
  /** Live text for screens: `{{mqtt:topic}}` filled by the bridge, the rest rendered by Home Assistant. */
  readonly templates: LiveTemplates;
  /** Home Assistant's template rendering, on its connection once there is one; undefined without homeassistant.url and .token. */
  readonly homeAssistantTemplates?: HomeAssistantTemplates;
  /** Night mode and auto-brightness: the brightness limit, quiet notifications held until morning, the wake on a press. */
  readonly night: NightModePart;
}

export interface ContextOptions {
  settings: Settings;
  log: Logger;
  /** Build folders of the example apps, installed on first run. */
  exampleAppDirs: string[];
  /** Folder of the built simulator page. */
  simulatorDir: string;
  /** The calendar clock night mode and auto-brightness run on (epoch ms, timers); the system's by default, a test's own to move time. */
  clock?: Clock;
  /** Times the start (parts, first frames) for the log; the bridge process has one, tests need none. */
  timeline?: StartupTimeline;
}

/** How long the start waits for the first MQTT connection before going on without it. */
const FIRST_CONNECT_WAIT_MS = 5000;

export function createPartContext(options: ContextOptions): PartContext {
  const { settings, log } = options;
  const bus = new EventBus(log.child('bus'));
  const topics = new DeviceTopics(settings.mqtt.base_topic, settings.device_id);
  const origins = new OriginPolicy(settings.http.allowed_origins);
  const clientId = settings.mqtt.client_id ?? `megabit-${settings.device_id}`;
  const broker = settings.mqtt.url ? undefined : embeddedBroker(settings, clientId, origins, log);
  const mqtt = new MqttConnection(
    {
      // For the logs; the embedded broker's port is known once it listens, before the connection starts.
      get url() {
        return settings.mqtt.url ?? `mqtt://127.0.0.1:${broker!.port}`;
      },
      clientId,
      // The embedded broker is reached in-process: no login to configure, none to steal.
      login: broker ? {} : loginOptions(settings.mqtt),
      keepaliveS: settings.mqtt.keepalive_s,
      connectInProcess: broker ? () => broker.connectInProcess() : undefined,
      protocolVersion: broker ? 5 : 4,
    },
    topics,
    log.child('mqtt'),
  );
  const frames = new FramePublisher(mqtt, topics, settings.display.frame_publish_max_fps, (f) => encodeFramePng(f));
  const timeline = options.timeline;
  if (timeline) frames.onPublished(() => timeline.reached('first frame'));
  const { url: haUrl, token: haToken } = settings.homeassistant;
  const homeAssistantTemplates = haUrl && haToken ? new HomeAssistantTemplates(log.child('templates')) : undefined;
  // One set of topic subscriptions, under one rule (templates.mqtt_topics), for templates and show_when/pin_when conditions.
  const templateTopics = new TemplateTopics(mqtt, settings.mqtt.base_topic, settings.templates.mqtt_topics, TEMPLATE_LIMITS.maxPayloadBytes);
  const templates = new LiveTemplates(templateTopics, homeAssistantTemplates, log.child('templates'));
  // The link and the device each need the other (its buttons press the device's; the device
  // draws on its output): the link is built first and finds the device when a button is pressed.
  let device: Device | undefined;
  const night = new NightModePart({
    settings,
    file: join(settings.data_dir, 'night.json'),
    heldFile: join(settings.data_dir, 'night-held.json'),
    clock: options.clock ?? systemWallClock,
    bus,
    display: () => device!,
    log: log.child('night'),
  });
  const icons = new IconStore(join(settings.data_dir, 'icons'), () => loadBuiltInIcons(), log.child('icons'));
  // The display hardware, when there is one: a second output, its buttons, its link state.
  const serial =
    settings.serial.path === undefined
      ? undefined
      : // Loaded only with a serial.path: a bridge without the panel (the simulator) never needs the serial modules.
        new (require('./serial/serial-link') as typeof import('./serial/serial-link')).SerialLink({
          path: settings.serial.path,
          button: { longPressMs: settings.button.long_press_ms, doublePressMs: settings.button.double_press_ms },
          onButton: (event) => device?.pressButton(event),
          log: log.child('serial'),
          bus,
        });
  device = new Device(
    {
      settings,
      bus,
      exampleAppDirs: options.exampleAppDirs,
      // The panel first: a command's frame reaches the serial link before it is published on MQTT.
      outputs: [...(serial ? [serial.display] : []), frames, ...(timeline ? [frameMilestones(timeline)] : [])],
      displayLink: serial?.reporter,
      templates,
      icons,
      night: () => night,
      conditionTopics: templateTopics,
      rulesClock: options.clock,
    },
    log.child('device'),
  );
  const upstreamTls = loginOptions(settings.mqtt);
  const http = new HttpServer(
    {
      host: settings.http.host,
      port: settings.http.port,
      staticDir: options.simulatorDir,
      pageConfig: { base_topic: settings.mqtt.base_topic, device_id: settings.device_id, button: settings.button, logins: loginsConfigured(settings) },
      tls: settings.http.tls,
      authToken: settings.http.auth_token,
      origins,
      maxConnections: settings.http.max_connections,
      maxMessageBytes: settings.broker.max_packet_bytes,
      handleMqttStream: (stream) => {
        if (broker) broker.handle(stream);
        // The browser's own CONNECT (with its login) goes through; TLS to the broker as the bridge's own connection.
        else pipeBoth(stream, connectUpstream(settings.mqtt.url!, upstreamTls));
      },
    },
    log.child('http'),
  );
  const state = new StatePublisher(mqtt, topics, device, bus);
  return { settings, log, bus, topics, origins, broker, mqtt, device, icons, frames, serial, state, http, templates, homeAssistantTemplates, night };
}

function embeddedBroker(settings: Settings, clientId: string, origins: OriginPolicy, log: Logger): EmbeddedBroker {
  const b = settings.broker;
  const misaddressed = new MisaddressedCommands(settings.mqtt.base_topic, settings.device_id, log.child('mqtt'));
  return new EmbeddedBroker(
    {
      host: b.host,
      port: b.port,
      wsPort: b.ws_port,
      maxPacketBytes: b.max_packet_bytes,
      retained: { maxMessages: b.max_retained_messages, maxBytes: b.max_retained_bytes },
      sysTopics: b.sys_topics,
      access: { passwordFile: b.password_file, aclFile: b.acl_file, allowAnonymous: b.allow_anonymous },
      bridgeClientId: clientId,
      verifyWebSocket: (req) => origins.check(req, 'http').ok,
      onPublished: misaddressed.published.bind(misaddressed),
    },
    log.child('broker'),
  );
}

/** The parts in start order: broker → outputs → device core → API → MQTT connect (announces `online`) → publishers → HTTP → Home Assistant. */
export function bridgeParts(ctx: PartContext): Part[] {
  const mqtt = mqttParts(ctx);
  return [
    ...(ctx.broker ? [ctx.broker, ...brokerTlsParts(ctx, ctx.broker)] : []),
    // The device core hands frames to its outputs from its first tick: they start before it.
    ctx.frames,
    ...(ctx.serial ? [ctx.serial.display] : []),
    templatesPart(ctx),
    // Uploaded icons are read before the device draws anything that names one.
    ctx.icons,
    ctx.device,
    // After the device: it limits the brightness the device shows and holds notifications before commands arrive.
    ctx.night,
    mqtt.disconnect,
    ...(ctx.serial ? [statusLedPart(ctx, ctx.serial)] : []),
    ...commandParts(ctx),
    ...luxTopicParts(ctx),
    mqtt.connect,
    ctx.state,
    new EventPublisher(ctx.mqtt, ctx.topics, ctx.bus),
    new AppTopicFeed(ctx.mqtt, ctx.device, ctx.bus),
    new IconStatePublisher(ctx.mqtt, ctx.topics, ctx.icons),
    new DisplayStatePublisher(ctx.mqtt, ctx.topics, ctx.serial?.reporter ?? NO_DISPLAY_LINK, ctx.bus),
    ctx.http,
    ...homeAssistantParts(ctx),
  ];
}

/** The command router, with a source for each display group this display is in. */
function commandParts(ctx: PartContext): Part[] {
  const context = { device: ctx.device, icons: ctx.icons, publishScreen: () => ctx.frames.publishPng() };
  const router = new CommandRouter(ctx.mqtt, ctx.topics, context, ctx.log.child('api'));
  return [router, ...groupParts(ctx, router, context)];
}

function brokerTlsParts(ctx: PartContext, broker: EmbeddedBroker): Part[] {
  const { host, max_packet_bytes: maxPacketBytes, tls } = ctx.settings.broker;
  if (!tls) return [];
  // Loaded only here: its modules load Node's TLS and `ws` (util/on-first-use.ts says why).
  const { TlsListeners } = require('./broker/tls-listeners') as typeof import('./broker/tls-listeners');
  return [
    new TlsListeners(
      {
        host,
        port: tls.port,
        wsPort: tls.ws_port,
        cert: tls.cert,
        key: tls.key,
        ca: tls.ca,
        requireCertificate: tls.require_certificate,
        maxPacketBytes,
        verifyWebSocket: (req) => ctx.origins.check(req, 'https').ok,
        handle: (stream) => broker.handle(stream),
      },
      ctx.log.child('broker'),
    ),
  ];
}

/**
 * The connection, started without holding up the rest for long: normally connected within
 * milliseconds, but a broker that is down or refuses the login must not keep the display, the
 * apps and the simulator page from starting; the connection keeps retrying.
 */
/**
 * The MQTT connection as two parts. Its connect comes after every part that subscribes as it
 * starts (the command router and its group sources), so that `online` is announced only once
 * commands reach the bridge: a client that sends one the moment it sees `online` gets its answer.
 * Its disconnect (`offline`, then close) comes in the stop order after the parts that still
 * publish on the way down (the router answers the commands it already took).
 */
function mqttParts(ctx: PartContext): { disconnect: Part; connect: Part } {
  const { mqtt, settings, log } = ctx;
  return {
    disconnect: { name: mqtt.name, start: () => undefined, stop: () => mqtt.stop() },
    connect: {
      name: 'mqtt connect',
      async start() {
        log.info(`connecting to MQTT broker ${settings.mqtt.url ? settings.mqtt.url.replace(/\/\/[^@/]*@/, '//***@') : '(embedded)'}`);
        let timer: NodeJS.Timeout | undefined;
        const waited = new Promise<false>((resolve) => {
          timer = setTimeout(() => resolve(false), FIRST_CONNECT_WAIT_MS);
        });
        const connected = await Promise.race([mqtt.start().then(() => true), waited]);
        clearTimeout(timer);
        if (!connected) log.warn(`no MQTT connection after ${FIRST_CONNECT_WAIT_MS / 1000} s; starting anyway and retrying in the background`);
      },
      stop: () => undefined,
    },
  };
}

/** `display.auto_brightness.topic`: the light level from an MQTT topic. */
function luxTopicParts(ctx: PartContext): Part[] {
  const topic = ctx.settings.display.auto_brightness?.topic;
  return topic === undefined ? [] : [new LuxTopicFeed(ctx.mqtt, topic, ctx.night)];
}

/** Nothing to start; stopped after the device, it ends any template watch a screen left open. */
function templatesPart(ctx: PartContext): Part {
  return { name: 'templates', start: () => undefined, stop: () => ctx.templates.stopAll() };
}

/** The RGB status LED on the display shows whether the bridge can be reached over MQTT. */
function statusLedPart(ctx: PartContext, serial: SerialLink): Part {
  const removers: Array<() => void> = [];
  return {
    name: 'status LED',
    start() {
      removers.push(ctx.mqtt.onConnect(() => serial.setBrokerConnected(true)));
      removers.push(ctx.mqtt.onDisconnect(() => serial.setBrokerConnected(false)));
      serial.setBrokerConnected(ctx.mqtt.connected);
    },
    stop() {
      for (const remove of removers.splice(0)) remove();
    },
  };
}
