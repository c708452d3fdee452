/** The "Messages" card: errors from the bridge and notes about what the page did, newest first. */
const MAX_MESSAGES = 30;

export class MessageLog {
  constructor(private readonly list: HTMLElement) {}

  info(text: string): void {
    this.add('info', text);
  }

  error(text: string): void {
    this.add('error', text);
  }

  private add(level: 'info' | 'error', text: string): void {
    const item = document.createElement('li');
    item.dataset.level = level;
    const time = document.createElement('time');
    time.textContent = new Date().toLocaleTimeString([], { hour12: false });
    item.append(time, text);
    this.list.prepend(item);
    while (this.list.children.length > MAX_MESSAGES) this.list.lastElementChild?.remove();
  }
}
