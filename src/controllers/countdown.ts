import type { ReactiveController, ReactiveControllerHost } from 'lit';

/**
 * Counts down to a server instant. The deadline is taken relative to the response's `Date`
 * header, not the phone's clock, which may drift.
 */
export class CountdownController implements ReactiveController {
  private deadline: number | null = null;
  /** The whole seconds counted at the start: `remaining` never says more. */
  private span = Number.POSITIVE_INFINITY;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly onDone?: () => void,
  ) {
    host.addController(this);
  }

  /** Starts counting to `target` (server time), given the server's `Date` when the answer came. */
  start(target: Date | string, serverDate: Date | null, receivedAt: number = Date.now()): void {
    const targetMs = typeof target === 'string' ? Date.parse(target) : target.getTime();
    const serverNow = serverDate?.getTime() ?? receivedAt;
    this.deadline = receivedAt + (targetMs - serverNow);
    // However the phone's clock runs, never count above the span the server gave.
    this.span = Math.ceil((targetMs - serverNow) / 1000);
    this.tick();
  }

  /** Starts counting down a number of seconds (e.g. Retry-After). */
  startSeconds(seconds: number): void {
    this.deadline = Date.now() + seconds * 1000;
    this.span = Math.ceil(seconds);
    this.tick();
  }

  stop(): void {
    this.deadline = null;
    this.clearTimer();
    this.host.requestUpdate();
  }

  /** Whole seconds left; 0 once passed or when not running. */
  get remaining(): number {
    if (this.deadline === null) return 0;
    return Math.max(0, Math.min(this.span, Math.ceil((this.deadline - Date.now()) / 1000)));
  }

  get running(): boolean {
    return this.deadline !== null && this.remaining > 0;
  }

  private tick(): void {
    this.clearTimer();
    this.host.requestUpdate();
    if (this.remaining <= 0) {
      if (this.deadline !== null) this.onDone?.();
      return;
    }
    this.timer = setInterval(() => {
      this.host.requestUpdate();
      if (this.remaining <= 0) {
        this.clearTimer();
        this.onDone?.();
      }
    }, 1000);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  hostConnected(): void {
    if (this.deadline !== null && this.remaining > 0 && this.timer === undefined) this.tick();
  }

  hostDisconnected(): void {
    this.clearTimer();
  }
}
