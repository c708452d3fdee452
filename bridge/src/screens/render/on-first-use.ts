/**
 * `renderScreen`, with the renderer's modules (layout, text, charts, shapes) loaded on its first
 * call: a start that shows no screen and no rich notification before its first frame never loads
 * them on the way there (about 60 ms of module load on a loaded 2-core machine). For the bridge's
 * own callers; the package API exports the renderer itself.
 */
import type * as Renderer from './render-screen';

let renderer: typeof Renderer | undefined;

export function renderScreen(...args: Parameters<typeof Renderer.renderScreen>): ReturnType<typeof Renderer.renderScreen> {
  renderer ??= require('./render-screen') as typeof Renderer;
  return renderer.renderScreen(...args);
}
