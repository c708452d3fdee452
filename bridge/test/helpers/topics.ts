/** Topic names as the tests' bridges use them: base topic and device id both "megabit". */

/** `P/<path>` of the default display, e.g. P('cmd/notify') is megabit/megabit/cmd/notify. */
export const P = (path: string): string => `megabit/megabit/${path}`;
