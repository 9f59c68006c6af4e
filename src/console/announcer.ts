import { html, type ReactiveController, type ReactiveControllerHost } from 'lit';

let current: Announcer | null = null;

/** Says a change out loud: one polite live region for the whole console. */
export function announce(message: string): void {
  current?.say(message);
}

export class Announcer implements ReactiveController {
  private message = '';
  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
    current = this;
  }
  hostConnected(): void {
    current = this;
  }
  say(message: string): void {
    // Cleared first, so the same words twice are announced twice.
    this.message = '';
    this.host.requestUpdate();
    setTimeout(() => {
      this.message = message;
      this.host.requestUpdate();
    }, 50);
  }
  render() {
    return html`<div class="visually-hidden" role="status" aria-live="polite" aria-atomic="true">${this.message}</div>`;
  }
}
