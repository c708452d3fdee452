/**
 * Checks of the schedule, night-mode and auto-brightness settings that a JSON schema cannot say
 * plainly: keys that go together, a curve that rises, a zone Intl knows. Each problem names its key.
 */
import type { Settings } from './schema';

function knownZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export function ruleSettingProblems(s: Settings): string[] {
  const problems: string[] = [];
  if (s.time_zone !== 'system' && !knownZone(s.time_zone))
    problems.push(`time_zone "${s.time_zone}" is not a time zone this machine knows (like "Europe/Berlin")`);
  const { from, to } = s.night;
  if ((from === undefined) !== (to === undefined)) problems.push('night.from and night.to go together: give both, or neither for no night mode');
  else if (from !== undefined && from === to) problems.push('night.from and night.to are the same: the night would never end');
  const auto = s.display.auto_brightness;
  if (auto !== undefined) {
    if (auto.entity === undefined && auto.topic === undefined)
      problems.push('display.auto_brightness needs "entity" or "topic": where the light level comes from');
    if (auto.entity !== undefined && auto.topic !== undefined) problems.push('display.auto_brightness: give "entity" or "topic", not both');
    const falling = auto.curve.findIndex((point, i) => i > 0 && point[0] <= auto.curve[i - 1][0]);
    if (falling > 0) problems.push(`display.auto_brightness.curve: lux must rise from point to point (point ${falling} is not above point ${falling - 1})`);
  }
  return problems;
}
