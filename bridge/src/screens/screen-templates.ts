/**
 * The live text of one screen: every text field and colour of its content that holds a template
 * is watched through the TemplateSource, and the content is given with the latest results in
 * their place. A template that fails shows its error as the field's text, so the display itself
 * says what is wrong; the same errors go back in the publish's reply.
 */
import { contentTextLength, MAX_CONTENT_TEXT, type ScreenContent } from '@megabit/contract';
import type { TemplateResult, TemplateSource } from '../templates/template-source';

export interface TemplateProblem {
  /** Where in the screen, as the contract's errors name fields: `text.value`, `draw[2].color`. */
  field: string;
  error: string;
}

type Walked = { path: string; text: string };

/** Distinct templates one screen may hold: 200 watches serve the whole bridge, not one screen. */
export const MAX_SCREEN_TEMPLATES = 16;

/** A field the renderer reads as a colour: `color`, a segment's `c`, `background`, gradient and bitmap entries. */
function isColorField(path: string): boolean {
  return /(^|\.)(color|c|background)$|\.(gradient|pixels)\[\d+\]$/.test(path);
}

const COLOR = /^#[0-9a-fA-F]{6}$/;

/** The first `max` code points of `s`. */
function cutTo(s: string, max: number): string {
  if (s.length <= max) return s;
  return [...s].slice(0, max).join('');
}

/** Every string of `value` that `isTemplate` says holds template syntax, with its path. */
export function templateStrings(value: unknown, isTemplate: (s: string) => boolean, path = ''): Walked[] {
  if (typeof value === 'string') return isTemplate(value) ? [{ path, text: value }] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => templateStrings(v, isTemplate, `${path}[${i}]`));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => templateStrings(v, isTemplate, path ? `${path}.${k}` : k));
  }
  return [];
}

/** `value` with each template string replaced by `resolve(text)`. */
function substitute(value: unknown, resolve: (text: string) => string | undefined): unknown {
  if (typeof value === 'string') return resolve(value) ?? value;
  if (Array.isArray(value)) return value.map((v) => substitute(v, resolve));
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, resolve)]));
  return value;
}

export class ScreenTemplates {
  private readonly fields: Walked[];
  private readonly results = new Map<string, TemplateResult>();
  private readonly stops: Array<() => void> = [];
  private readonly waiters = new Set<() => void>();
  /** The content with results in place; a new object on each change (the renderer caches per object). */
  private resolved?: ScreenContent;
  private closed = false;
  /** Set when the screen holds more than MAX_SCREEN_TEMPLATES templates: none is watched then. */
  private readonly tooMany?: string;

  constructor(
    private readonly content: ScreenContent,
    source: TemplateSource,
    private readonly onChange: () => void,
  ) {
    this.fields = templateStrings(content, (s) => source.isTemplate(s));
    const distinct = new Set(this.fields.map((f) => f.text));
    if (distinct.size > MAX_SCREEN_TEMPLATES) {
      this.tooMany = `a screen may hold at most ${MAX_SCREEN_TEMPLATES} different templates (this one holds ${distinct.size})`;
      for (const { text } of this.fields) this.results.set(text, { ok: false, error: this.tooMany });
      return;
    }
    for (const text of distinct) {
      // A source may call back at once, inside watch(): results are only recorded then.
      this.stops.push(source.watch(text, (result) => this.onResult(text, result)));
    }
  }

  get hasTemplates(): boolean {
    return this.fields.length > 0;
  }

  /**
   * What to draw now; a template without a result yet shows as nothing. Results are cut so that
   * the content's text stays within MAX_CONTENT_TEXT, as the contract holds a published one to.
   */
  current(): ScreenContent {
    if (!this.hasTemplates) return this.content;
    if (this.resolved) return this.resolved;
    const shown = (text: string): string => {
      const result = this.results.get(text);
      if (!result) return '';
      return result.ok ? result.text : result.error;
    };
    let left = MAX_CONTENT_TEXT;
    const uncut = substitute(this.content, (text) => (this.isTemplateText(text) ? shown(text) : undefined)) as ScreenContent;
    if (contentTextLength(uncut) > MAX_CONTENT_TEXT) {
      // Fixed text keeps its room; templates share what is left, first come first served.
      left -= contentTextLength(substitute(this.content, (text) => (this.isTemplateText(text) ? '' : undefined)) as ScreenContent);
      const cut = new Map<string, string>();
      for (const { text } of this.fields) {
        if (cut.has(text)) continue;
        const value = cutTo(shown(text), Math.max(0, left));
        left -= [...value].length;
        cut.set(text, value);
      }
      this.resolved = substitute(this.content, (text) => cut.get(text)) as ScreenContent;
    } else {
      this.resolved = uncut;
    }
    return this.resolved;
  }

  problems(): TemplateProblem[] {
    if (this.tooMany) return [{ field: this.fields[0]!.path, error: this.tooMany }];
    return this.fields.flatMap(({ path, text }) => {
      const result = this.results.get(text);
      if (result && !result.ok) return [{ field: path, error: result.error }];
      // A colour that is not one would be drawn in the default colour without a word otherwise.
      if (result?.ok && isColorField(path) && !COLOR.test(result.text.trim())) {
        return [{ field: path, error: `the template gave "${cutTo(result.text, 32)}", not a colour like "#ff8800"` }];
      }
      return [];
    });
  }

  /** Resolves once every template has its first result, or after `timeoutMs`, whichever is first. */
  firstResults(timeoutMs: number): Promise<void> {
    if (this.complete()) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(done);
    });
  }

  close(): void {
    this.closed = true;
    for (const stop of this.stops.splice(0)) stop();
    for (const waiter of [...this.waiters]) waiter();
  }

  private isTemplateText(text: string): boolean {
    return this.fields.some((f) => f.text === text);
  }

  private complete(): boolean {
    return this.fields.every((f) => this.results.has(f.text));
  }

  private onResult(text: string, result: TemplateResult): void {
    if (this.closed) return;
    const before = this.results.get(text);
    if (before && JSON.stringify(before) === JSON.stringify(result)) return;
    this.results.set(text, result);
    this.resolved = undefined;
    if (this.complete()) for (const waiter of [...this.waiters]) waiter();
    // Not during construction: the owner does not hold this object yet.
    if (this.stops.length === new Set(this.fields.map((f) => f.text)).size) this.onChange();
  }
}
