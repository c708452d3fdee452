/** Live-template watches a test opens on a bridge, recorded, and all stopped after each test. */
import type { TemplateResult, TemplateSource } from '../../src/templates/template-source';
import { waitUntil } from './ports';

export interface TemplateWatch {
  results: TemplateResult[];
  stop: () => void;
  latest: () => TemplateResult | undefined;
}

export class TemplateWatches {
  /** Watches still open; a failing test must not leave its watches to count against the next one. */
  private readonly open = new Set<() => void>();

  /** `source` is read at each watch: the bridge is started in beforeAll, after this is made. */
  constructor(private readonly source: () => TemplateSource) {}

  /** Watches `text` and records every result it gets. */
  watch(text: string): TemplateWatch {
    const results: TemplateResult[] = [];
    const stopWatch = this.source().watch(text, (r) => results.push(r));
    const stop = (): void => {
      this.open.delete(stop);
      stopWatch();
    };
    this.open.add(stop);
    return { results, stop, latest: () => results.at(-1) };
  }

  /** The first result for `text`, the watch stopped after it. */
  async firstResult(text: string, timeoutMs?: number): Promise<TemplateResult> {
    const w = this.watch(text);
    await waitUntil(() => w.results.length > 0, `a result for ${text}`, timeoutMs);
    w.stop();
    return w.results[0];
  }

  /** For afterEach. */
  stopAll(): void {
    for (const stop of this.open) stop();
    this.open.clear();
  }
}
