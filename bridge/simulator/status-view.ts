/** Puts the page status on screen: header pills, device facts, status LEDs, panel notice, dimming. */
import { perceivedBrightness } from './device-state';
import { bridgeLabel, brokerLabel, formatUptime, panelNotice, ledsShown, type PageStatus } from './page-status';

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el as T;
}

export class StatusView {
  private readonly brokerPill = byId('broker-status');
  private readonly bridgePill = byId('bridge-status');
  private readonly overlay = byId('overlay');
  private readonly canvas = byId('panel');
  private readonly linkLed = byId('led-link');
  private readonly rgbLed = byId('led-rgb');
  private readonly fields = new Map<string, HTMLElement>();

  constructor() {
    for (const dd of document.querySelectorAll<HTMLElement>('#state dd[data-field]')) this.fields.set(dd.dataset.field!, dd);
  }

  render(status: PageStatus): void {
    const broker = brokerLabel(status);
    this.brokerPill.textContent = broker.text;
    this.brokerPill.dataset.level = broker.level;
    const bridge = bridgeLabel(status);
    this.bridgePill.textContent = bridge.text;
    this.bridgePill.dataset.level = bridge.level;

    const notice = panelNotice(status);
    this.overlay.hidden = notice === undefined;
    this.overlay.textContent = notice?.text ?? '';
    this.overlay.dataset.level = notice?.level ?? '';

    const live = status.broker === 'connected' && status.bridge === 'online';
    const s = live ? status.state : undefined;
    const leds = ledsShown(status);
    this.linkLed.dataset.on = String(leds.link);
    this.rgbLed.dataset.colour = leds.rgb;
    const level = s === undefined ? 1 : s.state === 'OFF' ? 0 : perceivedBrightness(s.brightness);
    this.canvas.style.filter = level >= 1 ? '' : `brightness(${level.toFixed(3)})`;

    this.field('power', s ? s.state : '–');
    this.field('brightness', s ? `${s.brightness} / 255` : '–');
    this.field('app', s ? (s.app ?? 'none') : '–');
    this.field('fps', s ? s.fps.toFixed(1) : '–');
    this.field('notification', s ? (s.notification ?? 'none') : '–');
    this.field(
      'display',
      s?.display ? `${s.display.width}×${s.display.height}, ${s.display.connected ? `${s.display.transport} connected` : 'no hardware'}` : '–',
    );
    this.field('version', s?.version ?? '–');
    this.field('uptime', s && typeof s.uptime_s === 'number' ? formatUptime(s.uptime_s) : '–');
  }

  private field(name: string, text: string): void {
    const el = this.fields.get(name);
    if (!el) return;
    el.textContent = text;
    el.title = text;
  }
}
