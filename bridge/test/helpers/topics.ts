/** Topic names as the tests' bridges use them: base topic and device id both "megabit". */
import { DeviceTopics } from '@megabit/contract';

/** `P/<path>` of the default display, e.g. P('cmd/notify') is megabit/megabit/cmd/notify. */
export const P = (path: string): string => `megabit/megabit/${path}`;

/** The same display's topics as a DeviceTopics (`.out('state')`, `.cmd('notify')`, ...). */
export const DEVICE_TOPICS = new DeviceTopics('megabit', 'megabit');
