/**
 * Applies the length-prefix fix (length-prefix-fix.ts) as a side effect of being imported. It is
 * imported by the bridge's entry point (main.ts) right after young-generation.ts, so it runs before anything loads mqtt.js
 * or aedes, and with them mqtt-packet's writer; the entry point logs what it reports once its
 * logger exists.
 */
import { keepLengthPrefixesOffThePool } from './length-prefix-fix';

export const lengthPrefixFix = keepLengthPrefixesOffThePool();
