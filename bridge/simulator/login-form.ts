/**
 * The user name and password the page logs in to the broker with, when the bridge says logins are
 * on. Kept in sessionStorage only: gone when the tab closes, never in localStorage or a URL.
 */
export interface Credentials {
  username: string;
  password: string;
}

export const LOGIN_STORAGE_KEY = 'megabit-login';

export function savedCredentials(storage: Storage): Credentials | undefined {
  try {
    const value = JSON.parse(storage.getItem(LOGIN_STORAGE_KEY) ?? 'null') as Partial<Credentials> | null;
    return typeof value?.username === 'string' && typeof value.password === 'string' ? { username: value.username, password: value.password } : undefined;
  } catch {
    return undefined;
  }
}

export function saveCredentials(storage: Storage, credentials: Credentials): void {
  storage.setItem(LOGIN_STORAGE_KEY, JSON.stringify(credentials));
}

export function forgetCredentials(storage: Storage): void {
  storage.removeItem(LOGIN_STORAGE_KEY);
}

export interface LoginElements {
  card: HTMLElement;
  form: HTMLFormElement;
  username: HTMLInputElement;
  password: HTMLInputElement;
  error: HTMLElement;
}

export class LoginForm {
  constructor(private readonly el: LoginElements) {}

  /** Shows the form (with `problem` when the last try failed) until the user submits it. */
  ask(problem?: string): Promise<Credentials> {
    const { card, form, username, password, error } = this.el;
    card.hidden = false;
    error.textContent = problem ?? '';
    password.value = '';
    (username.value ? password : username).focus();
    return new Promise((resolve) => {
      const submit = (event: Event): void => {
        event.preventDefault();
        if (!username.value) return;
        form.removeEventListener('submit', submit);
        card.hidden = true;
        error.textContent = '';
        const credentials = { username: username.value, password: password.value };
        password.value = '';
        resolve(credentials);
      };
      form.addEventListener('submit', submit);
    });
  }
}

export const LOGIN_REFUSED = 'Wrong user name or password: the broker refused the login.';

/**
 * The message for a broker's refusal of a login, or undefined for other errors. CONNACK 4 (bad
 * user name or password) and 5 (not authorised), and their MQTT 5 codes 134 and 135: mosquitto
 * answers a wrong password with 5, so both read the same.
 */
export function loginRefusal(code: unknown): string | undefined {
  return code === 4 || code === 5 || code === 134 || code === 135 ? LOGIN_REFUSED : undefined;
}
