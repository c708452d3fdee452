/**
 * Whether a reinstall asks for other permissions than the installed version. An upgrade inherits
 * the app's config (often API keys) and KV store; a module that asks for other access must not
 * get them silently, so such an install needs `"replace": true`, which starts the app afresh.
 */
import type { AppManifest, AppPermissions } from '@megabit/contract';

const LISTS = ['mqtt', 'homeassistant', 'network'] as const satisfies ReadonlyArray<keyof AppPermissions>;

/** What differs, one phrase per permission (e.g. `network: adds evil.example`); empty = the same. */
export function permissionChanges(installed: AppManifest, next: AppManifest): string[] {
  const before = installed.permissions ?? {};
  const after = next.permissions ?? {};
  const changes: string[] = [];
  for (const key of LISTS) {
    const was = new Set(before[key] ?? []);
    const now = new Set(after[key] ?? []);
    const added = [...now].filter((x) => !was.has(x));
    const dropped = [...was].filter((x) => !now.has(x));
    const parts = [...(added.length > 0 ? [`adds ${added.join(', ')}`] : []), ...(dropped.length > 0 ? [`drops ${dropped.join(', ')}`] : [])];
    if (parts.length > 0) changes.push(`${key}: ${parts.join('; ')}`);
  }
  if (before.kv_bytes !== after.kv_bytes) changes.push(`kv_bytes: ${before.kv_bytes ?? 'default'} → ${after.kv_bytes ?? 'default'}`);
  return changes;
}
