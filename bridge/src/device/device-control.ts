/**
 * What the outside world (MQTT API, Home Assistant, the button) may ask of the display. The MQTT
 * layer depends on this interface only; `Device` implements it over the scheduler, compositor
 * and app store.
 */
import type {
  AppManifest,
  AppStatus,
  ButtonEvent,
  Condition,
  DeviceState,
  DisplayCommand,
  EntryRulesReply,
  NightReply,
  NightRequest,
  NotifyReply,
  NotifyRequest,
  Schedule,
  ScreenReply,
  ScreenRequest,
} from '@megabit/contract';
import type { HomeAssistantEntityState } from '../sandbox/types';

export interface DeviceControl {
  /** Queues a notification; returns its id, and at night whether it is held for the morning or dropped. */
  notify(request: NotifyRequest): NotifyReply;
  /** Dismisses the notification `id` (showing, queued or held for the morning), or the one showing; false when there was none. */
  dismissNotification(id?: string): boolean;
  /** Night mode: on, off or auto, and the night brightness (`P/cmd/night`). */
  setNight(request: NightRequest): NightReply;
  showApp(id: string): void;
  nextApp(): void;
  previousApp(): void;
  setRotation(enabled: boolean): void;
  setDisplay(command: DisplayCommand): void;
  /** `replace`: install even when the permissions changed, with empty config and KV store. */
  installApp(manifest: AppManifest, wasm: Uint8Array, options?: { replace?: boolean }): Promise<void>;
  removeApp(id: string): Promise<void>;
  /** Shows an app that is not installed until `endPreview`; its files are forgotten afterwards. */
  previewApp(manifest: AppManifest, wasm: Uint8Array): Promise<void>;
  endPreview(): boolean;
  setAppOrder(order: string[], disabled?: string[]): Promise<void>;
  /**
   * Adds or updates the screen `id` in the rotation (persisted); an identical publish changes
   * nothing. Resolves with its id and any template problems once their first results are in.
   */
  /** `retained`: a retained command re-sent by the broker (see Screens.publish). */
  publishScreen(id: string, request: ScreenRequest, delivery?: { retained: boolean }): Promise<ScreenReply>;
  /** Removes the screen `id`; false when there was none. */
  removeScreen(id: string): boolean;
  setAppConfig(id: string, config: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Sets (null: removes) the installed app's schedule, kept across restarts; answers whether it shows now. */
  setAppSchedule(id: string, schedule: Schedule | null): EntryRulesReply;
  /** Sets (null: removes) its `show_when` or `pin_when`; a topic the bridge may not read is refused. */
  setAppCondition(id: string, which: 'show_when' | 'pin_when', condition: Condition | null): EntryRulesReply;
  /**
   * Data for an app's inbox: delivered now if the app runs, else kept (bounded) until it starts.
   * Returns whether it was delivered now.
   */
  pushAppData(id: string, payload: Uint8Array): boolean;
  /** Acts exactly like the hardware button. */
  pressButton(event: ButtonEvent): void;
  /** A value of an MQTT topic some app may read (permissions.mqtt). */
  setTopicValue(topic: string, payload: Uint8Array): void;
  /** Topics whose values installed apps may read. */
  readableTopics(): string[];
  /** The latest state of a Home Assistant entity some app may read (null: unavailable). */
  setEntityState(entityId: string, state: HomeAssistantEntityState | null): void;
  /** Entities whose states installed apps may read: their permissions.homeassistant within homeassistant.app_access. */
  readableEntities(): string[];
  state(): DeviceState;
  apps(): AppStatus[];
}
