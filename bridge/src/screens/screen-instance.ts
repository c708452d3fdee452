/**
 * A screen as the scheduler runs it: an AppInstance whose `run()` renders the screen's current
 * content (renderScreen) instead of calling a Wasm app, so screens and apps share the rotation,
 * the compositor, the outputs and their caps. There is no sandbox: nothing to push data,
 * buttons or config into.
 */
import type { ScreenContent } from '@megabit/contract';
import { DISPLAY_WIDTH } from '@megabit/contract';
import { blankFrame, fillRect, type Rgb } from '../display/frame';
import type { IconSource } from '../icons/icon';
import { RunPacer } from '../sandbox/run-pacer';
import type { AppInstance, TickSink } from '../sandbox/types';
import type { RenderInfo } from './render';
import { renderScreen } from './render/on-first-use';

/** What a screen shows at the moment. */
export interface ScreenView {
  content: ScreenContent;
  /** Its lifetime ran out with `on_expiry: "stale"`: drawn with the stale cue. */
  stale: boolean;
}

/** The stale cue: the picture at a third of its brightness, an amber corner mark top right. */
const STALE_DIM = 1 / 3;
const STALE_MARK: Rgb = [255, 160, 0];
export const STALE_MARK_SIZE = 3;

export function drawStaleCue(frame: Uint8Array): void {
  for (let i = 0; i < frame.length; i++) frame[i] = Math.round(frame[i]! * STALE_DIM);
  fillRect(frame, DISPLAY_WIDTH - STALE_MARK_SIZE, 0, STALE_MARK_SIZE, STALE_MARK_SIZE, STALE_MARK);
}

export class ScreenInstance implements AppInstance {
  private readonly shownAt = Date.now();
  private closed = false;
  private readonly pacer = new RunPacer(() => this.run());

  constructor(
    readonly id: string,
    /** The screen now; undefined once it is gone (the scheduler is told separately). */
    private readonly view: () => ScreenView | undefined,
    private readonly icons: IconSource,
    /** How it moved on this frame; the owner answers with the period to the next tick (none: unchanged). */
    private readonly onRendered: (info: RenderInfo) => number | undefined,
  ) {}

  async run(): Promise<Uint8Array | null> {
    const view = this.closed ? undefined : this.view();
    if (!view) return null;
    const frame = blankFrame();
    const info = renderScreen(frame, view.content, { atMs: Date.now() - this.shownAt, icons: this.icons });
    if (view.stale) drawStaleCue(frame);
    const periodMs = this.onRendered(info);
    if (periodMs !== undefined) this.pacer.setPeriod(periodMs);
    return frame;
  }

  play(periodMs: number, sink: TickSink): void {
    this.pacer.play(periodMs, sink);
  }

  nudge(): void {
    this.pacer.nudge();
  }

  pushData(): void {}
  pushButton(): void {}
  setConfig(): void {}
  setMqttValue(): void {}
  setHomeAssistantState(): void {}

  async close(): Promise<void> {
    this.closed = true;
    this.pacer.stop();
  }
}
