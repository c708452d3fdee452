/**
 * Checks of the schedule, night-mode and auto-brightness settings that a JSON schema cannot say
 * plainly: keys that go together, a curve that rises, a zone the machine knows. Each problem names its key.
 */
import { checkTimeZone } from '../util/wall-clock';
import type { Settings } from './schema';

/** In the system's time zone database or known to Intl (asked only for a zone the database lacks: it loads ICU's data). */
function knownZone(zone: string): boolean {
  try {
    checkTimeZone(zone);
    return true;
  } catch {
    return false;
  }
}

/**
 * `name` turns a key into how the message shows it: the loader adds the environment variable a
 * value came from (`time_zone (from MEGABIT_TIME_ZONE)`), so the user knows where to fix it.
 */
export function ruleSettingProblems(s: Settings, name: (key: string) => string = (key) => key): string[] {
  const problems: string[] = [];
  if (s.time_zone !== 'system' && !knownZone(s.time_zone))
    problems.push(`${name('time_zone')} "${s.time_zone}" is not a time zone this machine knows (like "Europe/Berlin")`);
  const { from, to } = s.night;
  const night = `${name('night.from')} and ${name('night.to')}`;
  if ((from === undefined) !== (to === undefined)) problems.push(`${night} go together: give both, or neither for no night mode`);
  else if (from !== undefined && from === to) problems.push(`${night} are the same: the night would never end`);
  const auto = s.display.auto_brightness;
  if (auto !== undefined) {
    const autoKey = name('display.auto_brightness');
    if (auto.entity === undefined && auto.topic === undefined) problems.push(`${autoKey} needs "entity" or "topic": where the light level comes from`);
    if (auto.entity !== undefined && auto.topic !== undefined) problems.push(`${autoKey}: give "entity" or "topic", not both`);
    const falling = auto.curve.findIndex((point, i) => i > 0 && point[0] <= auto.curve[i - 1][0]);
    if (falling > 0)
      problems.push(`${name('display.auto_brightness.curve')}: lux must rise from point to point (point ${falling} is not above point ${falling - 1})`);
  }
  return problems;
}
