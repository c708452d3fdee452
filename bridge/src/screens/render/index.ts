/**
 * The screen renderer: a screen's content (contract/src/screens.ts) as pixels. Pure: it knows
 * nothing of MQTT, files or timers. What a screen can show, with pictures: docs/screens.md.
 */
export { renderScreen, type RenderContext, type RenderInfo } from './render-screen';
