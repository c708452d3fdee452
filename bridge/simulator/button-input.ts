/**
 * Feeds the gesture classifier from the page: the on-screen button (mouse, pen, touch) and the
 * space bar, which presses the button unless the user is typing in a field.
 */
import type { ButtonGestures } from './button-gestures';

export function wireButton(button: HTMLElement, gestures: ButtonGestures): void {
  const pressed = (down: boolean): void => {
    button.dataset.pressed = String(down);
  };
  button.addEventListener('pointerdown', (e) => {
    if (e.button !== 0) return;
    button.setPointerCapture(e.pointerId);
    gestures.down();
    pressed(true);
  });
  button.addEventListener('pointerup', () => {
    gestures.up();
    pressed(false);
  });
  button.addEventListener('pointercancel', () => {
    gestures.cancel();
    pressed(false);
  });
  // Keyboard clicks on the focused button would be a second, gesture-less press.
  button.addEventListener('click', (e) => e.preventDefault());

  const typing = (target: EventTarget | null): boolean =>
    target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement;
  document.addEventListener('keydown', (e) => {
    if (e.code !== 'Space' || typing(e.target)) return;
    e.preventDefault();
    if (e.repeat) return;
    gestures.down();
    pressed(true);
  });
  document.addEventListener('keyup', (e) => {
    if (e.code !== 'Space' || typing(e.target)) return;
    e.preventDefault();
    gestures.up();
    pressed(false);
  });
  window.addEventListener('blur', () => {
    gestures.cancel();
    pressed(false);
  });
}
