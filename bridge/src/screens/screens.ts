/**
 * The screens as rotation entries: the store on disk, each screen's live templates, its lifetime
 * (removed or marked stale when no update comes in time) and how the scheduler runs it (a
 * synthetic manifest whose dwell and refresh period follow the content). Every change is
 * reported through `onChange`; the device decides what it means for the rotation.
 */
import { blankFrame } from '../display/frame';
import type { AppManifest, AppStatus, ScreenContent, ScreenRequest, ScreenText } from '@megabit/contract';
import type { IconSource } from '../icons/icon';
import type { SchedulableApp } from '../scheduler/scheduler';
import type { TemplateSource } from '../templates/template-source';
import type { Logger } from '../util/logger';
import type { RenderInfo } from './render';
import { renderScreen } from './render/on-first-use';
import { ScreenInstance, type ScreenView } from './screen-instance';
import { ExpiredScreens } from './expired-screens';
import { canonicalForm, type ScreenPut, ScreenStore } from './screen-store';
import { InvalidRequestError } from '../errors';
import { MAX_SCREEN_TEMPLATES, ScreenTemplates, type TemplateProblem, templateStrings } from './screen-templates';

/** Ticks of a screen that does not move: only template results or updates change it, and those redraw at once. */
export const STILL_REFRESH_MS = 1000;
/** How long a publish waits for its templates' first results before it replies. */
export const TEMPLATE_REPLY_WAIT_MS = 500;

export type ScreenChange =
  /** A new screen; `pos` is where the publish asked to place it. */
  | { type: 'added'; id: string; pos?: number }
  | { type: 'updated'; id: string }
  | { type: 'removed'; id: string }
  /** Only the picture changed (a template's result): draw it again. */
  | { type: 'redraw'; id: string }
  /** It went stale, or fresh again. */
  | { type: 'stale'; id: string };

export interface ScreensOptions {
  file: string;
  /** Where the screens their lifetime removed are remembered across restarts. */
  expiredFile: string;
  icons: IconSource;
  templates: TemplateSource;
  /** The rotation's dwell for a screen without `duration_s`. */
  defaultDurationMs: number;
  /**
   * display.max_fps: a moving screen is rendered no more often than the display shows frames
   * (a render past that cap is work nobody sees).
   */
  maxFps: number;
  log: Logger;
  onChange(change: ScreenChange): void;
}

/** Something stored that may not show as meant (the reply's `warnings`). */
export interface ScreenWarning {
  field: string;
  warning: string;
}

interface Live {
  templates: ScreenTemplates;
  manifest: AppManifest;
  lifetimeTimer?: NodeJS.Timeout;
  stale: boolean;
}

export class Screens {
  private readonly store: ScreenStore;
  private readonly live = new Map<string, Live>();
  /** The screens their lifetime removed, so a retained re-delivery of one stays removed, restarts included. */
  private readonly expired: ExpiredScreens;

  /** The fastest a moving screen is rendered: one frame of display.max_fps. */
  private readonly minAnimatedRefreshMs: number;

  constructor(private readonly options: ScreensOptions) {
    this.store = new ScreenStore(options.file, options.log);
    this.expired = new ExpiredScreens(options.expiredFile, options.log);
    this.minAnimatedRefreshMs = Math.ceil(1000 / Math.max(1, options.maxFps));
  }

  /** Reads the stored screens; each one's lifetime starts now (the bridge cannot know what it missed while down). */
  load(): void {
    this.expired.load();
    for (const screen of this.store.load()) this.activate(screen.id, screen.request);
  }

  stop(): void {
    for (const id of [...this.live.keys()]) this.deactivate(id);
  }

  ids(): string[] {
    return this.store.list().map((s) => s.id);
  }

  has(id: string): boolean {
    return this.store.has(id);
  }

  isStale(id: string): boolean {
    return this.live.get(id)?.stale ?? false;
  }

  /** The screen as `P/state/apps` lists it; undefined when there is none by that id. */
  statusOf(id: string, enabled: boolean, failure: string | undefined): AppStatus | undefined {
    if (!this.has(id)) return undefined;
    return {
      id,
      kind: 'screen',
      name: id,
      version: '',
      enabled,
      status: failure ? 'failed' : 'ok',
      ...(failure ? { error: failure } : {}),
      ...(this.isStale(id) ? { stale: true } : {}),
    };
  }

  /** The screen's own `schedule`, `show_when` and `pin_when`, as published with it; undefined when there is no such screen. */
  rulesOf(id: string): Pick<ScreenRequest, 'schedule' | 'show_when' | 'pin_when'> | undefined {
    const request = this.store.get(id)?.request;
    if (!request) return undefined;
    const { schedule, show_when, pin_when } = request;
    return { schedule, show_when, pin_when };
  }

  /** The screen as the scheduler runs it: no module, no KV, no config (its instance is a ScreenInstance). */
  schedulable(id: string, enabled: boolean): SchedulableApp | undefined {
    const manifest = this.manifestOf(id);
    if (!manifest) return undefined;
    return { id, manifest, enabled, kvFile: '', loadWasm: () => new Uint8Array(0), config: () => ({}) };
  }

  /** The synthetic manifest the scheduler runs the screen by; one object per screen, kept up to date. */
  manifestOf(id: string): AppManifest | undefined {
    return this.live.get(id)?.manifest;
  }

  /**
   * Stores and shows the screen. Publishing it unchanged writes nothing and changes nothing but
   * its lifetime (an update arrived). Resolves with the template problems after their first
   * results, and warnings about what was stored but cannot show as meant (an icon not uploaded).
   *
   * A `retained` delivery is the broker re-sending what it holds (on every reconnect): it is no
   * update. Unchanged, it leaves the lifetime running; identical to a screen its lifetime removed,
   * it does not bring that screen back. Only a new publish does either.
   */
  async publish(
    id: string,
    request: ScreenRequest,
    delivery: { retained: boolean } = { retained: false },
  ): Promise<{ put: ScreenPut | 'expired'; problems: TemplateProblem[]; warnings: ScreenWarning[] }> {
    const templates = new Set(templateStrings(request, (s) => this.options.templates.isTemplate(s)).map((f) => f.text)).size;
    if (templates > MAX_SCREEN_TEMPLATES) {
      throw new InvalidRequestError(`a screen may hold at most ${MAX_SCREEN_TEMPLATES} different templates (this one holds ${templates})`);
    }
    if (delivery.retained && this.expired.has(id, canonicalForm(request))) {
      this.options.log.debug(`screen "${id}": retained copy of the screen its lifetime removed; not shown again`);
      return { put: 'expired', problems: [], warnings: [] };
    }
    this.expired.forget(id);
    const put = this.store.put(id, request);
    this.options.log.debug(`screen "${id}" ${put}`);
    const stored = this.store.get(id)!.request;
    if (put === 'unchanged') {
      if (!delivery.retained) this.refreshLifetime(id);
    } else {
      this.deactivate(id);
      this.activate(id, stored);
      this.options.onChange(put === 'added' ? { type: 'added', id, ...(stored.pos !== undefined ? { pos: stored.pos } : {}) } : { type: 'updated', id });
    }
    const warnings = this.iconWarnings(stored);
    const live = this.live.get(id);
    if (!live) return { put, problems: [], warnings };
    // An unchanged re-delivery (retained screens after a reconnect) replies with what is known at
    // once: waiting for templates that may never answer would hold up the commands queued behind it.
    if (put !== 'unchanged') await live.templates.firstResults(TEMPLATE_REPLY_WAIT_MS);
    return { put, problems: live.templates.problems(), warnings };
  }

  /** An icon not (yet) uploaded is left out of the picture: the sender hears of it. */
  private iconWarnings(request: ScreenRequest): ScreenWarning[] {
    if (request.icon === undefined) return [];
    const [name, field] = typeof request.icon === 'string' ? [request.icon, 'icon'] : [request.icon.name, 'icon.name'];
    return this.options.icons.get(name) === undefined ? [{ field, warning: `no icon named "${name}"` }] : [];
  }

  /** Removes the screen; false when there was none. */
  remove(id: string): boolean {
    if (!this.store.remove(id)) return false;
    this.deactivate(id);
    this.options.onChange({ type: 'removed', id });
    return true;
  }

  /** A fresh instance for the scheduler; it draws whatever the screen holds when it runs. */
  startInstance(id: string): ScreenInstance {
    return new ScreenInstance(
      id,
      () => this.view(id),
      this.options.icons,
      (info) => this.paced(id, info),
    );
  }

  private view(id: string): ScreenView | undefined {
    const live = this.live.get(id);
    return live && { content: live.templates.current(), stale: live.stale };
  }

  private activate(id: string, request: ScreenRequest): void {
    const { duration_s: _d, lifetime_s: _l, on_expiry: _e, pos: _p, transaction: _t, schedule: _s, show_when: _w, pin_when: _n, ...content } = request;
    const manifest: AppManifest = { id, name: id, version: '0.0.0', bin: 'screen.wasm', refresh_period_ms: STILL_REFRESH_MS };
    const live: Live = {
      manifest,
      stale: false,
      templates: new ScreenTemplates(content, this.options.templates, () => {
        // A template's result changes the text, and with it how long `repeat` passes take.
        manifest.duration_ms = this.dwellMs(request, live.templates.current());
        this.options.onChange({ type: 'redraw', id });
      }),
    };
    this.live.set(id, live);
    manifest.duration_ms = this.dwellMs(request, live.templates.current());
    this.refreshLifetime(id);
  }

  private deactivate(id: string): void {
    const live = this.live.get(id);
    if (!live) return;
    clearTimeout(live.lifetimeTimer);
    live.templates.close();
    this.live.delete(id);
  }

  /**
   * `duration_s`, or the rotation's default; longer when the text must scroll `repeat` times
   * first. The pass length comes from the renderer, so it matches what is drawn.
   */
  private dwellMs(request: ScreenRequest, content: ScreenContent): number {
    const base = request.duration_s !== undefined ? Math.round(request.duration_s * 1000) : this.options.defaultDurationMs;
    const repeat = typeof request.text === 'object' && !Array.isArray(request.text) ? (request.text as ScreenText).repeat : undefined;
    if (!repeat) return base;
    const info = renderScreen(blankFrame(), content, { atMs: 0, icons: this.options.icons });
    return info.scrolling ? Math.max(base, Math.ceil(repeat * info.scrollPassMs)) : base;
  }

  /** An update arrived: the lifetime starts over, and a stale screen is fresh again. */
  private refreshLifetime(id: string): void {
    const live = this.live.get(id);
    const request = this.store.get(id)?.request;
    if (!live || !request) return;
    clearTimeout(live.lifetimeTimer);
    if (live.stale) {
      live.stale = false;
      this.options.onChange({ type: 'stale', id });
    }
    if (request.lifetime_s === undefined) return;
    live.lifetimeTimer = setTimeout(() => this.expire(id), Math.round(request.lifetime_s * 1000));
  }

  private expire(id: string): void {
    const live = this.live.get(id);
    const request = this.store.get(id)?.request;
    if (!live || !request) return;
    if (request.on_expiry === 'stale') {
      this.options.log.info(`screen "${id}" is stale: no update in ${request.lifetime_s} s`);
      live.stale = true;
      this.options.onChange({ type: 'stale', id });
      return;
    }
    this.options.log.info(`screen "${id}" removed: no update in ${request.lifetime_s} s`);
    try {
      if (this.remove(id)) this.expired.remember(id, canonicalForm(request));
    } catch (e) {
      // The disk refused: it stays until the next update or expiry tries again.
      this.options.log.error(`could not remove expired screen "${id}": ${(e as Error).message}`);
    }
  }

  /** A moving screen is ticked as fast as it moves; a still one slowly. Returns the period set. */
  private paced(id: string, info: RenderInfo): number | undefined {
    const manifest = this.live.get(id)?.manifest;
    if (!manifest) return undefined;
    manifest.refresh_period_ms = info.animated ? Math.max(this.minAnimatedRefreshMs, info.frameMs) : STILL_REFRESH_MS;
    return manifest.refresh_period_ms;
  }
}
