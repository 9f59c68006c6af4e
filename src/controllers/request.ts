import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { type KeywayApiError, toKeywayError } from '../client/errors.js';

export type RequestState = 'idle' | 'pending' | 'success' | 'error';

/**
 * One request at a time for a host: tracks idle → pending → success/error, drops a second call
 * while one runs (one press = one request), and aborts when the host leaves the page.
 */
export class RequestController<T> implements ReactiveController {
  state: RequestState = 'idle';
  value: T | undefined;
  error: KeywayApiError | undefined;
  private abort: AbortController | undefined;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  get pending(): boolean {
    return this.state === 'pending';
  }

  /** Runs `task` unless one is already running; resolves with its value, or undefined on error. */
  async run(task: (signal: AbortSignal) => Promise<T>): Promise<T | undefined> {
    if (this.pending) return undefined;
    const abort = new AbortController();
    this.abort = abort;
    this.state = 'pending';
    this.error = undefined;
    this.host.requestUpdate();
    try {
      const value = await task(abort.signal);
      if (abort.signal.aborted) return undefined;
      this.value = value;
      this.state = 'success';
      return value;
    } catch (error) {
      if (abort.signal.aborted || (error as Error)?.name === 'AbortError') {
        this.state = 'idle';
        return undefined;
      }
      this.error = toKeywayError(error);
      this.state = 'error';
      return undefined;
    } finally {
      if (this.abort === abort) this.abort = undefined;
      this.host.requestUpdate();
    }
  }

  reset(): void {
    this.abort?.abort();
    this.abort = undefined;
    this.state = 'idle';
    this.error = undefined;
    this.value = undefined;
    this.host.requestUpdate();
  }

  hostDisconnected(): void {
    this.abort?.abort();
  }
}
