/**
 * This machine's time zone, as `time_zone: system` means it.
 *
 * Intl can tell (`Intl.DateTimeFormat().resolvedOptions().timeZone`), but building any
 * DateTimeFormat loads ICU's locale data: about 8 MB of the process's memory, which a bridge
 * needs only once it formats a time in a zone (an app's local time, a schedule, night mode), not
 * to learn a name (docs/performance.md, section 4). So the name is read where ICU itself looks
 * first on Linux, the /etc/localtime link into the zone database; Intl answers only when that
 * does not name a zone: TZ set in the environment (which ICU reads first), /etc/localtime a copy
 * rather than a link, or no such file.
 */
import { readlinkSync } from 'node:fs';
import { resolve } from 'node:path';

const LOCALTIME = '/etc/localtime';
/**
 * `.../zoneinfo/<zone>`, where the zone may sit under the database's `posix/` or `right/` copies
 * (`right/` counts leap seconds, which neither ICU nor JavaScript dates do).
 */
const ZONE_IN_DATABASE = /\/zoneinfo\/(?:posix\/|right\/)?([A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*)$/;

/** The zone a /etc/localtime link target names, or undefined; a relative target counts from /etc. */
export function zoneOfLocaltimeLink(target: string): string | undefined {
  return ZONE_IN_DATABASE.exec(resolve('/etc', target))?.[1];
}

let resolved: string | undefined;

export function systemTimeZone(): string {
  resolved ??= fromLocaltime() ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  return resolved;
}

function fromLocaltime(): string | undefined {
  if (process.env.TZ !== undefined) return undefined;
  try {
    return zoneOfLocaltimeLink(readlinkSync(LOCALTIME));
  } catch {
    return undefined;
  }
}
