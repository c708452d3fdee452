/** The "Capture" card: GIF recording with real frame timing, PNG snapshots, the plain-pixels toggle. */
import type { FrameRenderer } from './frame-renderer';
import { GifRecording } from './gif-recording';
import type { MessageLog } from './message-log';

export interface CaptureElements {
  record: HTMLButtonElement;
  savePng: HTMLButtonElement;
  plainPixels: HTMLInputElement;
  status: HTMLElement;
}

export function captureFileName(deviceId: string, extension: 'gif' | 'png', at: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${at.getFullYear()}${pad(at.getMonth() + 1)}${pad(at.getDate())}-${pad(at.getHours())}${pad(at.getMinutes())}${pad(at.getSeconds())}`;
  return `megabit-${deviceId}-${stamp}.${extension}`;
}

export function download(data: Blob, fileName: string): void {
  const url = URL.createObjectURL(data);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export class CaptureControls {
  private recording?: GifRecording;
  private ticker?: ReturnType<typeof setInterval>;

  constructor(
    private readonly ui: CaptureElements,
    private readonly renderer: FrameRenderer,
    private readonly log: MessageLog,
    private readonly deviceId: () => string,
    private readonly hasFrame: () => boolean,
  ) {
    ui.record.addEventListener('click', () => (this.recording ? this.stop() : this.start()));
    ui.savePng.addEventListener('click', () => void this.savePng());
    ui.plainPixels.addEventListener('change', () => renderer.setStyle(ui.plainPixels.checked ? 'pixels' : 'led'));
  }

  /** A frame was just drawn. */
  frameShown(frame: Uint8Array): void {
    this.recording?.add(frame, performance.now());
  }

  private start(): void {
    const recording = new GifRecording(performance.now(), this.renderer.style);
    if (this.hasFrame()) recording.add(this.renderer.current, recording.startedAt);
    this.recording = recording;
    this.ui.record.dataset.recording = 'true';
    this.ui.record.textContent = '■ Stop recording';
    this.ticker = setInterval(() => this.tick(), 250);
    this.tick();
  }

  private tick(): void {
    const recording = this.recording;
    if (!recording) return;
    const now = performance.now();
    if (recording.isOverTime(now)) {
      this.log.info('recording stopped at its time limit');
      this.stop();
      return;
    }
    const seconds = ((now - recording.startedAt) / 1000).toFixed(1);
    this.ui.status.textContent = `Recording: ${recording.frameCount} frames, ${seconds} s`;
  }

  private stop(): void {
    const recording = this.recording;
    if (!recording) return;
    this.recording = undefined;
    clearInterval(this.ticker);
    this.ui.record.dataset.recording = 'false';
    this.ui.record.textContent = '● Record GIF';
    const gif = recording.encode(performance.now());
    if (!gif) {
      this.ui.status.textContent = 'Nothing was shown while recording: no GIF.';
      return;
    }
    const name = captureFileName(this.deviceId(), 'gif', new Date());
    download(new Blob([gif], { type: 'image/gif' }), name);
    this.ui.status.textContent = `Saved ${name} (${recording.frameCount} frames, ${Math.round(gif.length / 1024)} KiB)`;
  }

  private async savePng(): Promise<void> {
    try {
      const name = captureFileName(this.deviceId(), 'png', new Date());
      download(await this.renderer.toPng(), name);
      this.ui.status.textContent = `Saved ${name}`;
    } catch (e) {
      this.log.error(`PNG not saved: ${(e as Error).message}`);
    }
  }
}
