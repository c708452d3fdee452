/**
 * Schedules back to the JSON their parser reads (`"07:30"`, `"sunset+30"`): how the bridge keeps
 * them on disk, so what it reads back goes through the same strict parser as a command.
 */
import type { Boundary, Schedule, ScheduleJson } from './schedules';

export function boundaryText(b: Boundary): string {
  if (b.kind === 'clock') return `${String(Math.floor(b.minutes / 60)).padStart(2, '0')}:${String(b.minutes % 60).padStart(2, '0')}`;
  return b.offsetMin === 0 ? b.event : `${b.event}${b.offsetMin > 0 ? '+' : ''}${b.offsetMin}`;
}

/** `{"windows":[{"days"?, "from", "to"}]}`: `parseScheduleValue` gives the same schedule back. */
export function scheduleJson(schedule: Schedule): ScheduleJson {
  return {
    windows: schedule.windows.map((w) => ({ ...(w.days ? { days: [...w.days] } : {}), from: boundaryText(w.from), to: boundaryText(w.to) })),
  };
}
