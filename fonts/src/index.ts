/**
 * Megabit's bitmap fonts (Galmuri and UnifontEX, SIL OFL 1.1, converted at build time) and the
 * order their characters are shown in (right-to-left runs reversed).
 */
export { FONT_NAMES, fontDataFile, loadFont, type BitmapFont, type FontName, type Glyph } from './bitmap-font';
export { bidiClass, bidiLevels, visualOrder, type BidiClass, type VisualChar } from './bidi';
