/**
 * The Home Assistant entities night mode reads on the bridge's one connection: the light sensor
 * of auto-brightness (`display.auto_brightness.entity`) and `zone.home`, the place for sun times
 * when megabit.yaml has no `location`.
 */
import { type LuxSink, luxFrom } from '../night/lux-sources';
import type { HomeAssistantEntityState } from '../sandbox/types';

/** The Home Assistant entities night mode reads (the lux entity, zone.home), for the states client. */
export interface NightEntityReader {
  entities(): string[];
  setEntityState(entityId: string, state: HomeAssistantEntityState | null): void;
}

export function nightEntityReader(
  luxEntity: string | undefined,
  homeZone: { wanted(): boolean; set(attributes: Record<string, unknown> | undefined): void },
  sink: LuxSink,
): NightEntityReader {
  return {
    entities: () => [...(luxEntity ? [luxEntity] : []), ...(homeZone.wanted() ? ['zone.home'] : [])],
    setEntityState(entityId, state) {
      if (entityId === 'zone.home') homeZone.set(state?.attributes);
      if (entityId === luxEntity && state) {
        const lux = luxFrom(state.state);
        if (lux !== undefined) sink.luxReading(lux);
      }
    },
  };
}
