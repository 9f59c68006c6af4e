import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { type KeywayApiError, toKeywayError } from '../client/errors.js';
import type { KeywayCallContext, KeywayClient, StatusStream } from '../client/keyway-client.js';
import type { CredentialStatus, DeviceState } from '../client/types.js';

export interface LiveSnapshot {
  status: CredentialStatus;
  enabled: boolean;
  devices: DeviceState[];
  updatedAt: string;
  credentialTypeId?: number;
}

export interface LiveStatusOptions {
  client: () => KeywayClient;
  context: () => KeywayCallContext;
  credentialId: () => string | undefined;
  onSnapshot: (snapshot: LiveSnapshot) => void;
  onError?: (error: KeywayApiError) => void;
  /** Polling interval while the stream is down (ms). */
  pollInterval?: () => number;
  /** First delay before reopening a dropped stream (ms); doubles up to 30 s. */
  reconnectDelay?: number;
}

/** Errors after which neither polling nor reconnecting can help. */
const FINAL = new Set(['misconfigured', 'unauthorized', 'not_found', 'origin_not_allowed', 'insufficient_scope']);

/**
 * Keeps a credential's status live: the SSE stream first (the browser resends Last-Event-ID on
 * its own reconnects); when it cannot open or closes for good, polling `GET …/status` and
 * reopening the stream with backoff.
 */
export class LiveStatusController implements ReactiveController {
  /** `live` = stream open, `polling` = fallback, `reconnecting` = stream retrying by itself. */
  mode: 'off' | 'connecting' | 'live' | 'reconnecting' | 'polling' = 'off';
  lastEventId: string | null = null;
  private stream: StatusStream | null = null;
  private pollTimer: ReturnType<typeof setTimeout> | undefined;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private backoff: number;
  private watching = false;
  private generation = 0;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly options: LiveStatusOptions,
  ) {
    this.backoff = options.reconnectDelay ?? 2000;
    host.addController(this);
  }

  /** Starts (or restarts, e.g. after a new token) watching the credential. */
  start(): void {
    this.stop();
    if (!this.options.credentialId()) return;
    this.watching = true;
    this.openStream();
  }

  stop(): void {
    this.watching = false;
    this.generation++;
    this.stream?.close();
    this.stream = null;
    clearTimeout(this.pollTimer);
    clearTimeout(this.reconnectTimer);
    this.mode = 'off';
  }

  /** Fetches the status once now (also used by the polling fallback). */
  async refresh(): Promise<void> {
    const id = this.options.credentialId();
    if (!id) return;
    const generation = this.generation;
    try {
      const { data } = await this.options.client().getCredentialStatus(this.options.context(), id);
      if (generation !== this.generation) return;
      this.options.onSnapshot({
        status: data.status,
        enabled: data.enabled,
        devices: data.devices ?? [],
        updatedAt: data.updated_at,
        credentialTypeId: data.credential_type_id,
      });
    } catch (error) {
      if (generation !== this.generation) return;
      const failure = toKeywayError(error);
      this.options.onError?.(failure);
      if (FINAL.has(failure.code)) this.stop();
    }
  }

  private openStream(): void {
    const id = this.options.credentialId();
    if (!id || !this.watching) return;
    const generation = this.generation;
    this.mode = 'connecting';
    this.stream = this.options.client().openStatusStream(this.options.context(), id, {
      onOpen: () => {
        if (generation !== this.generation) return;
        this.mode = 'live';
        this.backoff = this.options.reconnectDelay ?? 2000;
        clearTimeout(this.pollTimer);
        this.host.requestUpdate();
      },
      onStatus: (event, lastEventId) => {
        if (generation !== this.generation) return;
        this.mode = 'live';
        if (lastEventId) this.lastEventId = lastEventId;
        this.options.onSnapshot({
          status: event.new_status,
          enabled: event.enabled,
          devices: event.devices ?? [],
          updatedAt: event.updated_at,
          credentialTypeId: event.credential_type_id,
        });
      },
      onError: (_error, fatal) => {
        if (generation !== this.generation) return;
        if (fatal) this.fallBack();
        else {
          this.mode = 'reconnecting';
          this.host.requestUpdate();
        }
      },
    });
    if (!this.stream) this.fallBack();
  }

  private fallBack(): void {
    this.stream?.close();
    this.stream = null;
    if (!this.watching) return;
    this.mode = 'polling';
    this.host.requestUpdate();
    this.poll();
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => {
      if (!this.watching) return;
      clearTimeout(this.pollTimer);
      this.openStream();
    }, this.backoff);
    this.backoff = Math.min(this.backoff * 2, 30_000);
  }

  private poll(): void {
    clearTimeout(this.pollTimer);
    void this.refresh().then(() => {
      if (this.watching && this.mode === 'polling') {
        this.pollTimer = setTimeout(() => this.poll(), this.options.pollInterval?.() ?? 5000);
      }
    });
  }

  hostDisconnected(): void {
    this.stop();
  }
}
