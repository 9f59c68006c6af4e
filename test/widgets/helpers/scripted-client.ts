import {
  KeywayApiError,
  type KeywayCallContext,
  type KeywayClient,
  type KeywayResponse,
  type StatusStream,
  type StatusStreamHandlers,
} from '../../../src/index.js';

type Method = Exclude<keyof KeywayClient, 'openStatusStream'>;
type Result<M extends Method> = Awaited<ReturnType<KeywayClient[M]>>['data'];

/** A scripted answer: data (with an optional server Date), an error, or a promise to hold. */
export type Script<T> =
  | { data: T; serverDate?: Date | null }
  | { error: KeywayApiError }
  | { wait: Promise<{ data: T; serverDate?: Date | null }> };

export interface Call {
  method: keyof KeywayClient;
  ctx: KeywayCallContext;
  args: unknown[];
}

/** Builds an API error the way the fetch client would from a response. */
export function apiError(
  code: string,
  init: { status?: number; retryAfter?: number; details?: Record<string, unknown> } = {},
) {
  return new KeywayApiError({
    code,
    message: `${code} (scripted)`,
    status: init.status ?? (code === 'network_error' ? 0 : 400),
    details: init.details,
    retryAfter: init.retryAfter ?? null,
    serverDate: new Date(),
  });
}

/** A controllable status stream: the test pushes events and breaks it. */
export class ScriptedStream implements StatusStream {
  closed = false;
  private eventId = 0;
  constructor(
    readonly ctx: KeywayCallContext,
    readonly credentialId: string,
    readonly handlers: StatusStreamHandlers,
  ) {}
  open(): void {
    this.handlers.onOpen?.();
  }
  push(event: Parameters<StatusStreamHandlers['onStatus']>[0]): void {
    if (!this.closed) this.handlers.onStatus(event, String(++this.eventId));
  }
  fail(fatal: boolean): void {
    this.handlers.onError?.(null, fatal);
  }
  close(): void {
    this.closed = true;
  }
}

/**
 * A KeywayClient whose answers each test queues per method; every call is recorded. A method
 * without a queued answer falls back to its default (if set) or fails the test loudly.
 */
export class ScriptedClient implements KeywayClient {
  calls: Call[] = [];
  streams: ScriptedStream[] = [];
  /** Return null from openStatusStream (no live updates: the element must poll). */
  streamUnavailable = false;
  private queues = new Map<Method, Script<unknown>[]>();
  private defaults = new Map<Method, Script<unknown>>();

  /** Queues one answer for the next call of `method`. */
  answer<M extends Method>(method: M, script: Script<Result<M>>): this {
    const queue = this.queues.get(method) ?? [];
    queue.push(script as Script<unknown>);
    this.queues.set(method, queue);
    return this;
  }

  /** The answer for every call once the queue is empty. */
  always<M extends Method>(method: M, script: Script<Result<M>>): this {
    this.defaults.set(method, script as Script<unknown>);
    return this;
  }

  callsOf(method: keyof KeywayClient): Call[] {
    return this.calls.filter((c) => c.method === method);
  }

  private async respond<M extends Method>(
    method: M,
    ctx: KeywayCallContext,
    args: unknown[],
  ): Promise<KeywayResponse<Result<M>>> {
    this.calls.push({ method, ctx, args });
    const script = (this.queues.get(method)?.shift() ?? this.defaults.get(method)) as Script<Result<M>> | undefined;
    if (!script) throw new Error(`ScriptedClient: no answer queued for ${method}`);
    if ('error' in script) throw script.error;
    const resolved = 'wait' in script ? await script.wait : script;
    return { data: resolved.data, serverDate: resolved.serverDate ?? new Date() };
  }

  redeemInvitation(ctx: KeywayCallContext, code: string) {
    return this.respond('redeemInvitation', ctx, [code]);
  }
  startVerification(ctx: KeywayCallContext, request: { phoneNumber: string; country?: string }) {
    return this.respond('startVerification', ctx, [request]);
  }
  checkVerification(ctx: KeywayCallContext, id: string, code: string) {
    return this.respond('checkVerification', ctx, [id, code]);
  }
  resendVerification(ctx: KeywayCallContext, id: string) {
    return this.respond('resendVerification', ctx, [id]);
  }
  requestPass(
    ctx: KeywayCallContext,
    request: { platform: 'apple' | 'google'; credentialId?: string; idToken?: string },
  ) {
    return this.respond('requestPass', ctx, [request]);
  }
  passPlatforms(ctx: KeywayCallContext, request: { credentialId?: string }) {
    return this.respond('passPlatforms', ctx, [request]);
  }
  createHandoff(ctx: KeywayCallContext) {
    return this.respond('createHandoff', ctx, []);
  }
  getCredentialStatus(ctx: KeywayCallContext, credentialId: string) {
    return this.respond('getCredentialStatus', ctx, [credentialId]);
  }
  openStatusStream(ctx: KeywayCallContext, credentialId: string, handlers: StatusStreamHandlers): StatusStream | null {
    this.calls.push({ method: 'openStatusStream', ctx, args: [credentialId] });
    if (this.streamUnavailable) return null;
    const stream = new ScriptedStream(ctx, credentialId, handlers);
    this.streams.push(stream);
    return stream;
  }
}

/** A promise the test resolves later, to hold an element in its loading state. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
