/**
 * Sun events for a place and a local date, computed here (suncalc, no network). Dawn and dusk are
 * civil twilight (the sun 6° below the horizon); sunrise and sunset are the sun's upper edge on
 * the horizon with refraction, as almanacs publish them.
 */
import type { SunEvent } from '@megabit/contract';
import type { SunCalc } from '../esm-types';
import { instantOf } from './zoned-time';

// The package's CommonJS build (its `require` export), loaded synchronously: sun times are needed on every evaluation.
const { getTimes } = require('suncalc') as SunCalc;

export interface Location {
  /** Degrees, north positive. */
  latitude: number;
  /** Degrees, east positive. */
  longitude: number;
}

const NAMES: Record<SunEvent, 'sunrise' | 'sunset' | 'dawn' | 'dusk'> = { sunrise: 'sunrise', sunset: 'sunset', dawn: 'dawn', dusk: 'dusk' };

/**
 * The instant of `event` on a local date (days since 1970-01-01 in `timeZone`), or undefined on
 * a day it does not happen (polar day or night).
 */
export function sunEventOn(event: SunEvent, day: number, timeZone: string, location: Location): number | undefined {
  // suncalc takes the solar day nearest the instant it is given: local noon picks the local date.
  const noon = instantOf(day, 12 * 60, timeZone);
  const time = getTimes(new Date(noon), location.latitude, location.longitude)[NAMES[event]];
  return time instanceof Date ? time.getTime() : undefined;
}
