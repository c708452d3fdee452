/** The "Apps" card: previous / next and a picker filled from `P/state/apps`. */
import type { AppStatus } from '@megabit/contract';

export interface AppsActions {
  previous(): void;
  next(): void;
  show(id: string): void;
}

export class AppsView {
  private apps: AppStatus[] = [];
  private current: string | null = null;

  constructor(
    private readonly picker: HTMLSelectElement,
    previous: HTMLButtonElement,
    next: HTMLButtonElement,
    actions: AppsActions,
  ) {
    previous.addEventListener('click', () => actions.previous());
    next.addEventListener('click', () => actions.next());
    picker.addEventListener('change', () => {
      if (picker.value) actions.show(picker.value);
      this.render();
    });
    this.render();
  }

  setApps(apps: AppStatus[]): void {
    this.apps = apps;
    this.render();
  }

  setCurrent(id: string | null): void {
    if (id === this.current) return;
    this.current = id;
    this.render();
  }

  /** The picker always shows the app on screen; choosing one sends a command, the state follows. */
  private render(): void {
    const options: HTMLOptionElement[] = [];
    if (this.current === null || !this.apps.some((a) => a.id === this.current)) {
      options.push(new Option(this.apps.length ? 'choose an app…' : 'no apps', '', true, true));
    }
    for (const app of this.apps) {
      const usable = app.enabled && app.status === 'ok';
      const state = app.status === 'failed' ? ' — failed' : !app.enabled ? ' — disabled' : app.stale ? ' — stale' : '';
      // A screen's name is its id: it is labelled as a screen instead of by its id twice.
      const label = `${app.name} (${app.kind === 'screen' ? 'screen' : app.id})${state}`;
      const option = new Option(label, app.id, false, app.id === this.current);
      option.disabled = !usable;
      if (app.error) option.title = app.error;
      options.push(option);
    }
    this.picker.replaceChildren(...options);
  }
}
