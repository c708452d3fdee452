/** The panel every Megabit drives: 64x32 RGB888, row-major, 3 bytes a pixel. */
export const DISPLAY_WIDTH = 64;
export const DISPLAY_HEIGHT = 32;
export const FRAME_BYTES = DISPLAY_WIDTH * DISPLAY_HEIGHT * 3;
