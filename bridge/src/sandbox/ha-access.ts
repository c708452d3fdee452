/**
 * Which Home Assistant entities an app may read: those its manifest asks for
 * (permissions.homeassistant, entity ids) that the user also allows in megabit.yaml
 * (homeassistant.app_access: whole domains like "sensor", or entity ids like "sensor.power").
 * A manifest alone grants nothing: anyone who can install an app writes its manifest.
 */

/** Whether `homeassistant.app_access` covers `entityId`, by its id or its domain. */
export function entityAccessible(access: readonly string[], entityId: string): boolean {
  const dot = entityId.indexOf('.');
  const domain = dot > 0 ? entityId.slice(0, dot) : undefined;
  return access.some((a) => a === entityId || (domain !== undefined && a === domain));
}

/** The manifest's entities split by whether the user allows them. */
export function splitEntities(access: readonly string[], requested: readonly string[]): { allowed: string[]; denied: string[] } {
  const allowed: string[] = [];
  const denied: string[] = [];
  for (const id of requested) (entityAccessible(access, id) ? allowed : denied).push(id);
  return { allowed, denied };
}
