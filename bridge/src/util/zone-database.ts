/**
 * A zone's offsets from the system's time zone database, where there is one: the same files
 * `date` and the C library read (Debian's tzdata, in /usr/share/zoneinfo). Undefined when the
 * zone has no readable TZif file there; the caller then asks Intl, which knows the zone names
 * the database may lack (and spellings in any case).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTzif, type ZoneTable } from './tzif';

export const ZONEINFO_DIR = '/usr/share/zoneinfo';

/** A zone name as the database spells it: no dots, so never a path outside the database. */
const ZONE_NAME = /^[A-Za-z0-9_+-]+(?:\/[A-Za-z0-9_+-]+)*$/;

export function zoneFromDatabase(zone: string, dir = ZONEINFO_DIR): ZoneTable | undefined {
  if (!ZONE_NAME.test(zone)) return undefined;
  let bytes: Buffer;
  try {
    bytes = readFileSync(join(dir, zone));
  } catch {
    return undefined;
  }
  try {
    return parseTzif(bytes);
  } catch {
    // A file that is not TZif (the database's tables, say zone1970.tab) or one counting leap seconds.
    return undefined;
  }
}
