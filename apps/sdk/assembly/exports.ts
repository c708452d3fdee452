// The Wasm exports of every app (ABI v1): the entry file bin/build-app.js generates re-exports
// these next to the app's assembly/index.ts.
import { ButtonEvent, Payload, registeredApp } from "./app";
import { takeBytes, takeString } from "./block";
import { screen } from "./canvas";
import { forgetConfig } from "./config";
import { mb_blit_mem, mb_button_next, mb_inbox_next } from "./host";
import { JsonValue } from "./json";
import "./abort";

export function setup(): i32 {
  registeredApp().setup();
  flush();
  return 0;
}

export function run(): i32 {
  const app = registeredApp();
  forgetConfig();
  while (true) {
    const text = takeString(mb_button_next());
    if (text === null) break;
    const event = JsonValue.parse(text);
    if (event !== null && event.isObject) app.onButton(new ButtonEvent(event.getString("button", "main"), event.getString("action")));
  }
  while (true) {
    const bytes = takeBytes(mb_inbox_next());
    if (bytes === null) break;
    app.onData(new Payload(bytes));
  }
  app.run();
  flush();
  return 0;
}

// The host reads the frame straight out of this module's memory: one host call a frame, where
// copying it into an Extism block first took one call per 8 bytes.
function flush(): void {
  if (!screen.dirty) return;
  mb_blit_mem(0, 0, screen.width, screen.height, screen.pixels.dataStart);
  screen.dirty = false;
}
