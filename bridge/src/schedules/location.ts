/**
 * Where the display is, for sun times: megabit.yaml's `location` when set, else Home Assistant's
 * `zone.home` (its latitude and longitude attributes) while connected, else nowhere.
 */
import type { Location } from './sun-times';

function coordinate(value: unknown, limit: number): number | undefined {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && Math.abs(n) <= limit ? n : undefined;
}

/** A location from the attributes of Home Assistant's `zone.home`; undefined without valid coordinates. */
export function locationFromZone(attributes: Record<string, unknown> | undefined): Location | undefined {
  if (attributes === undefined) return undefined;
  const latitude = coordinate(attributes.latitude, 90);
  const longitude = coordinate(attributes.longitude, 180);
  return latitude === undefined || longitude === undefined ? undefined : { latitude, longitude };
}

/** The settings' location wins: the user wrote it down for this display. */
export function effectiveLocation(configured: Location | undefined, homeZone: Location | undefined): Location | undefined {
  return configured ?? homeZone;
}
