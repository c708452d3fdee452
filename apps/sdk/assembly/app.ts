// The app model: a class with setup/run (and optional event handlers), registered once.
import { utf8ToString } from "./block";
import { JsonValue } from "./json";

export class ButtonEvent {
  constructor(
    /** "main" (the only button so far). */
    readonly button: string,
    /** "press", "long_press" or "double_press". */
    readonly action: string,
  ) {}
  get isPress(): bool { return this.action == "press"; }
  get isLongPress(): bool { return this.action == "long_press"; }
  get isDoublePress(): bool { return this.action == "double_press"; }
}

/** A payload pushed to the app on `cmd/apps/<id>/data`. */
export class Payload {
  constructor(readonly bytes: Uint8Array) {}
  text(): string { return utf8ToString(this.bytes); }
  /** The payload as JSON; null when it is not. */
  json(): JsonValue | null { return JsonValue.parse(this.text()); }
}

export class App {
  /** Called once after the app is loaded; a trap or abort here marks the app failed. */
  setup(): void {}
  /** Called every refresh_period_ms while the app is shown: draw on `screen`. */
  run(): void {}
  /** A button press while the app is shown (delivered just before `run`). */
  onButton(event: ButtonEvent): void {}
  /** A data payload (delivered just before `run`). */
  onData(payload: Payload): void {}
}

let current: App | null = null;

/** Makes `app` the app this module runs. Call once, at the top level of the app's file. */
export function register(app: App): void {
  current = app;
}

export function registeredApp(): App {
  if (current === null) throw new Error("no app registered: call register(new MyApp()) in assembly/index.ts");
  return current!;
}
