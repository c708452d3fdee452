/** The simulator page: wires the MQTT connection to the panel, the status and the controls. */
import { DeviceTopics, FRAME_BYTES, OUT, deviceIdFromAvailabilityTopic, type ButtonTimings } from '@megabit/contract';
import { AppsView } from './apps-view';
import { BrokerConnection, type BrokerStatus } from './broker-connection';
import { ButtonGestures, buttonTimings } from './button-gestures';
import { wireButton } from './button-input';
import { CaptureControls } from './capture-controls';
import { Commands } from './commands';
import { DevicePicker } from './device-picker';
import { readAppList, readAvailability, readDeviceState, readDisplayLeds } from './device-state';
import { FrameRenderer } from './frame-renderer';
import { LoginForm, forgetCredentials, saveCredentials, savedCredentials, type Credentials } from './login-form';
import { MessageLog } from './message-log';
import { resolvePageConfig, servedConfigUrl, urlWithDevice, type PageConfig } from './page-config';
import type { PageStatus } from './page-status';
import { StatusView } from './status-view';

function element<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el as T;
}

async function servedDefaults(): Promise<unknown> {
  try {
    const res = await fetch(servedConfigUrl(location.search), { cache: 'no-store' });
    return res.ok ? await res.json() : undefined;
  } catch {
    return undefined;
  }
}

function start(config: PageConfig, timings: ButtonTimings, log: MessageLog): void {
  let topics = new DeviceTopics(config.baseTopic, config.deviceId);
  const status: PageStatus = { broker: 'connecting', bridge: 'unknown', hasFrame: false, deviceId: config.deviceId };
  const statusView = new StatusView();
  const renderer = new FrameRenderer(element('panel'));
  const screen = element('screen');
  const fit = (): void => renderer.resize(screen.clientWidth, screen.clientHeight, window.devicePixelRatio);
  new ResizeObserver(fit).observe(screen);
  window.addEventListener('resize', fit);
  // Moving the window to a screen of another pixel ratio resizes nothing, but must redraw sharp.
  const watchPixelRatio = (): void => {
    matchMedia(`(resolution: ${window.devicePixelRatio}dppx)`).addEventListener(
      'change',
      () => {
        fit();
        watchPixelRatio();
      },
      { once: true },
    );
  };
  watchPixelRatio();
  fit();

  const capture = new CaptureControls(
    { record: element('record'), savePng: element('save-png'), plainPixels: element('plain-pixels'), status: element('record-status') },
    renderer,
    log,
    () => status.deviceId,
    () => status.hasFrame,
  );
  const apps = new AppsView(element('app-picker'), element('app-previous'), element('app-next'), {
    previous: () => void send(() => commands.previousApp(topics)),
    next: () => void send(() => commands.nextApp(topics)),
    show: (id) => void send(() => commands.showApp(topics, id)),
  });

  const update = (): void => {
    statusView.render(status);
    document.title = `${status.deviceId} · Megabit simulator`;
  };
  let connection: BrokerConnection;
  const commands = new Commands((topic, payload) => {
    if (!connection.publish(topic, payload)) throw new Error('not connected to the broker');
  });
  /** Runs a command; false (and a message) when it could not be sent. */
  const send = (action: () => void): boolean => {
    try {
      // QoS 0 and no session on the bridge's side: a command sent now would be lost, say so instead.
      if (status.bridge === 'offline') throw new Error(`bridge "${status.deviceId}" is offline`);
      action();
      return true;
    } catch (e) {
      log.error(`not sent: ${(e as Error).message}`);
      return false;
    }
  };

  const picker = new DevicePicker(element('device-picker'), config.deviceId, (deviceId) => {
    topics = new DeviceTopics(config.baseTopic, deviceId);
    // Availability is retained and already known for every listed device: no new message will come.
    Object.assign(status, { bridge: picker.availability(deviceId), hasFrame: false, state: undefined, leds: undefined, deviceId });
    renderer.draw(new Uint8Array(FRAME_BYTES));
    apps.setApps([]);
    apps.setCurrent(null);
    history.replaceState(null, '', urlWithDevice(location.href, deviceId));
    connection.selectDevice(topics);
    update();
  });

  let badFrames = false;
  const onMessage = (topic: string, payload: Uint8Array): void => {
    const discovered = deviceIdFromAvailabilityTopic(topic, config.baseTopic);
    if (discovered !== undefined) {
      const availability = readAvailability(payload);
      picker.seen(discovered, availability);
      if (discovered === status.deviceId) {
        status.bridge = availability;
        update();
      }
      return;
    }
    if (topic === topics.out(OUT.frame)) {
      if (payload.length !== FRAME_BYTES) {
        // Once per run of bad frames: at 20 frames a second the log would be nothing else.
        if (!badFrames) log.error(`ignored a frame of ${payload.length} bytes (expected ${FRAME_BYTES})`);
        badFrames = true;
        return;
      }
      badFrames = false;
      const frame = new Uint8Array(payload);
      renderer.draw(frame);
      capture.frameShown(frame);
      if (!status.hasFrame) {
        status.hasFrame = true;
        update();
      }
    } else if (topic === topics.out(OUT.state)) {
      const state = readDeviceState(payload);
      if (!state) return log.error('ignored a malformed device state');
      status.state = state;
      apps.setCurrent(state.app);
      update();
    } else if (topic === topics.out(OUT.stateDisplay)) {
      const leds = readDisplayLeds(payload);
      if (leds === undefined) return log.error('ignored a malformed display state');
      status.leds = leds;
      update();
    } else if (topic === topics.out(OUT.stateApps)) {
      const list = readAppList(payload);
      if (!list) return log.error('ignored a malformed app list');
      apps.setApps(list);
    } else {
      const failure = commands.reply(topics, topic, payload);
      if (failure) log.error(`${failure.command}: ${failure.error.message} (${failure.error.code})`);
    }
  };

  const loginForm = new LoginForm({
    card: element('login-card'),
    form: element('login-form'),
    username: element('login-user'),
    password: element('login-password'),
    error: element('login-error'),
  });
  /** A login being tried: kept for the session only once the broker accepted it. */
  let tried: Credentials | undefined;
  const askLogin = (problem?: string): void => {
    void loginForm.ask(problem).then((credentials) => {
      tried = credentials;
      connection.login(credentials);
    });
  };

  let lastBroker: BrokerStatus = config.logins ? 'login' : 'connecting';
  let lastProblem: string | undefined;
  connection = new BrokerConnection(
    config.brokerUrl,
    config.baseTopic,
    topics,
    {
      loginRefused: (message) => {
        forgetCredentials(sessionStorage);
        tried = undefined;
        log.error(`broker: ${message}`);
        askLogin(message);
      },
      status: (broker, detail) => {
        if (broker === 'connected' && tried) {
          saveCredentials(sessionStorage, tried);
          tried = undefined;
        }
        if (broker === 'connected' && lastBroker !== 'connected') log.info(`connected to ${config.brokerUrl.replace(/\?.*$/, '')}`);
        if (broker === 'offline' && lastBroker === 'connected') log.error('lost the broker connection; reconnecting');
        // Every retry fails the same way while the broker is away: report each reason once.
        if (detail && broker !== 'connected' && detail !== lastProblem) log.error(`broker: ${detail}`);
        lastProblem = broker === 'connected' ? undefined : (detail ?? lastProblem);
        lastBroker = broker;
        status.broker = broker;
        update();
      },
      message: onMessage,
    },
    config.logins,
  );
  if (config.logins) {
    const saved = savedCredentials(sessionStorage);
    if (saved) connection.login(saved);
    else askLogin();
  }

  const gestures = new ButtonGestures((action) => {
    if (send(() => commands.button(topics, action))) log.info(`button: ${action.replace('_', ' ')}`);
  }, timings);
  wireButton(element('hw-button'), gestures);

  element<HTMLFormElement>('notify-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const text = element<HTMLInputElement>('notify-text');
    const color = element<HTMLInputElement>('notify-color').value;
    send(() => {
      const problem = commands.notify(topics, { text: text.value, color });
      if (problem) throw new Error(problem.message);
      text.value = '';
    });
  });
  update();
}

async function main(): Promise<void> {
  const log = new MessageLog(element('messages'));
  const served = await servedDefaults();
  const resolved = resolvePageConfig(location, served);
  if (!resolved.ok) {
    log.error(resolved.message);
    const overlay = element('overlay');
    overlay.hidden = false;
    overlay.dataset.level = 'bad';
    overlay.textContent = resolved.message;
    return;
  }
  start(resolved.config, buttonTimings(served), log);
}

void main();
