/**
 * Types from ESM-only packages, for CommonJS code. Their imports need `resolution-mode`
 * (TypeScript 5.3+), which Biome 2.6 cannot parse, so this file alone is left out of Biome.
 */
export type { AedesOptions, AedesPublishPacket, Client, PublishPacket, Subscription } from 'aedes' with { 'resolution-mode': 'import' };
export type { Connection } from 'home-assistant-js-websocket' with { 'resolution-mode': 'import' };
/** The home-assistant-js-websocket module (an ES module for TypeScript's purposes: its CommonJS build ships no typings). */
export type Haws = typeof import('home-assistant-js-websocket', { with: { 'resolution-mode': 'import' } });
/** suncalc's typings describe its ES module; its CommonJS build, which `require` loads, has the same exports. */
export type SunCalc = typeof import('suncalc', { with: { 'resolution-mode': 'import' } });
