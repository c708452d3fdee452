/**
 * Device-based discovery (Home Assistant 2024.11+): one retained `<prefix>/device/<node_id>/config`
 * with the device and origin once and every component under `cmps`, so the device appears and
 * goes as one. Each component keeps its single-component object id as its key: Home Assistant's
 * discovery id (`<node_id> <object_id>`) and the unique ids stay the same, which is what its
 * documented migration from single-component topics needs to keep the entities.
 */
import type { DiscoveryComponent, DiscoveryConfig } from './discovery-configs';

/** What Home Assistant's migration steps publish on a topic that is handed over (both ways). */
export const MIGRATE_PAYLOAD = '{"migrate_discovery":true}';

export function deviceConfigTopic(discoveryPrefix: string, nodeId: string): string {
  return `${discoveryPrefix}/device/${nodeId}/config`;
}

/** A component left out of the device payload: `{p}` alone removes it in Home Assistant. */
export interface RemovedComponent {
  key: string;
  platform: string;
}

/** The device payload for `configs` (all of one device); `removed` adds the removal entries. */
export function devicePayload(configs: readonly DiscoveryConfig[], removed: readonly RemovedComponent[] = []): Record<string, unknown> {
  if (configs.length === 0) throw new Error('a device payload needs at least one component');
  const cmps: Record<string, Record<string, unknown>> = {};
  for (const c of configs) {
    const { device: _device, origin: _origin, ...own } = c.payload;
    cmps[c.objectId] = { p: c.component, ...own };
  }
  for (const r of removed) cmps[r.key] ??= { p: r.platform };
  return { dev: configs[0].payload.device, o: configs[0].payload.origin, cmps };
}

/** The components (key → platform) of a device payload read back from the broker; empty when unreadable. */
export function componentsOf(payload: string | undefined): Map<string, string> {
  const found = new Map<string, string>();
  if (!payload) return found;
  try {
    const parsed = JSON.parse(payload) as { cmps?: unknown; components?: unknown };
    const cmps = parsed.cmps ?? parsed.components;
    if (typeof cmps !== 'object' || cmps === null) return found;
    for (const [key, value] of Object.entries(cmps as Record<string, unknown>)) {
      const p = (value as { p?: unknown; platform?: unknown } | null)?.p ?? (value as { platform?: unknown } | null)?.platform;
      if (typeof p === 'string' && Object.keys(value as object).length > 1) found.set(key, p);
    }
  } catch {
    // Not ours to understand: treated as holding nothing.
  }
  return found;
}

/** The component and object id of a single-component topic `<prefix>/<component>/<node_id>/<object_id>/config`. */
export function singleTopicParts(topic: string): { component: DiscoveryComponent | string; objectId: string } | undefined {
  const parts = topic.split('/');
  if (parts.length < 5 || parts[parts.length - 1] !== 'config') return undefined;
  return { component: parts[parts.length - 4], objectId: parts[parts.length - 2] };
}
