// Log lines go to the bridge's log (and MQTT), rate-limited by the host.
import { blockFromString } from "./block";
import { free, mb_log } from "./host";

function write(level: i32, message: string): void {
  const m = blockFromString(message);
  mb_log(level, m);
  free(m);
}

export namespace log {
  export function debug(message: string): void { write(0, message); }
  export function info(message: string): void { write(1, message); }
  export function warn(message: string): void { write(2, message); }
  export function error(message: string): void { write(3, message); }
}
