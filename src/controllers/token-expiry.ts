import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { serverClock } from '../internal/server-clock.js';

/** How long before a token lapses the host is told (docs/elements.md). */
export const TOKEN_WARNING_MS = 60_000;

/**
 * Calls `onExpiring` 60 s before the current token lapses, by the server's clock; a new token or
 * expiry re-arms it, and so does moving the host in the page.
 */
export class TokenExpiryController implements ReactiveController {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private armedFor: string | null = null;

  constructor(
    host: ReactiveControllerHost,
    private readonly current: () => { token?: string; expiresAt?: string },
    private readonly onExpiring: (expiresAt: string) => void,
  ) {
    host.addController(this);
  }

  hostUpdated(): void {
    const { token, expiresAt } = this.current();
    const key = token && expiresAt ? `${token}|${expiresAt}` : null;
    if (key === this.armedFor) return;
    this.clear();
    this.armedFor = key;
    if (!key || !expiresAt) return;
    const at = Date.parse(expiresAt);
    if (Number.isNaN(at)) return;
    // setTimeout overflows past ~24.8 days; such tokens are re-armed on the next update.
    const delay = Math.min(Math.max(0, at - TOKEN_WARNING_MS - serverClock.now()), 2 ** 31 - 1);
    this.timer = setTimeout(() => this.onExpiring(expiresAt), delay);
  }

  private clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  hostConnected(): void {
    // A host taken out and put back (moved in the page) gets no update by itself.
    if (this.armedFor === null) this.hostUpdated();
  }

  hostDisconnected(): void {
    this.clear();
    this.armedFor = null;
  }
}
