import {
  type CredentialStatus,
  type CredentialStatusSnapshot,
  type Handoff,
  KeywayApiError,
  type KeywayCallContext,
  type KeywayClient,
  type KeywayResponse,
  type PassPlatforms,
  type PassTicket,
  type ProvisioningGrant,
  type StatusStream,
  type StatusStreamEvent,
  type StatusStreamHandlers,
  type VerificationStarted,
} from '../../src/index.js';

/** One scripted answer: data, an error, or `'pending'` to hold the element in its loading state. */
export type Answer<T> = T | KeywayApiError | 'pending';

export interface StoryScript {
  redeemInvitation?: Answer<ProvisioningGrant>;
  startVerification?: Answer<VerificationStarted>;
  checkVerification?: Answer<ProvisioningGrant>;
  resendVerification?: Answer<VerificationStarted>;
  requestPass?: Answer<PassTicket>;
  passPlatforms?: Answer<PassPlatforms>;
  createHandoff?: Answer<Handoff>;
  getCredentialStatus?: Answer<CredentialStatusSnapshot>;
  /** `'live'`: the stream opens and sends `getCredentialStatus` as its snapshot; `'none'`: no stream (poll). */
  stream?: 'live' | 'none';
}

export const STORY_CREDENTIAL = 'cred_story0001';
export const STORY_DEVICE = 'dev_story0001';
// A fixed instant keeps "updated 5 minutes ago" stable between runs.
const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000).toISOString();
const inSeconds = (n: number) => new Date(Date.now() + n * 1000).toISOString();

/** The error the fetch client would build from a server answer. */
export function apiError(
  code: string,
  status: number,
  extra: { retryAfter?: number; details?: Record<string, unknown> } = {},
): KeywayApiError {
  return new KeywayApiError({
    code,
    message: `${code} (story)`,
    status,
    details: extra.details,
    retryAfter: extra.retryAfter ?? null,
    serverDate: new Date(),
  });
}

export function grant(status: CredentialStatus = 'provisioning'): ProvisioningGrant {
  return {
    provisioning_token: 'ps_story_provisioning_token_000000',
    expires_at: inSeconds(15 * 60),
    credential: { id: STORY_CREDENTIAL, status, credential_type_id: 9 },
    person: { first_name: 'Amira' },
    wallets: ['apple', 'google'],
  };
}

export function verification(resendAfterSeconds = 60): VerificationStarted {
  return { verification_id: 'ver_story0001', expires_at: inSeconds(600), resend_after: inSeconds(resendAfterSeconds) };
}

export function snapshot(
  status: CredentialStatus,
  devices: CredentialStatusSnapshot['devices'] = [],
): CredentialStatusSnapshot {
  return {
    id: STORY_CREDENTIAL,
    status,
    enabled: status !== 'suspended',
    devices,
    updated_at: minutesAgo(5),
    history: [],
  };
}

export const passTicket: PassTicket = { url: 'https://keyway.example/passes/dl_story.pkpass', device_id: STORY_DEVICE };
export const handoff = (): Handoff => ({
  url: 'https://keyway.example/p#h=hf_story_handoff_token',
  expires_at: inSeconds(300),
});

/** A status stream the story's play function drives. */
export class StoryStream implements StatusStream {
  closed = false;
  private id = 0;
  constructor(readonly handlers: StatusStreamHandlers) {}
  push(event: Omit<StatusStreamEvent, 'credential_id'>): void {
    if (!this.closed) this.handlers.onStatus({ credential_id: STORY_CREDENTIAL, ...event }, String(++this.id));
  }
  close(): void {
    this.closed = true;
  }
}

/** A KeywayClient that answers from a script: stories never touch the network. */
export class StoryClient implements KeywayClient {
  readonly calls: string[] = [];
  readonly streams: StoryStream[] = [];
  constructor(private script: StoryScript = {}) {}

  private answer<T>(method: string, answer: Answer<T> | undefined, signal?: AbortSignal): Promise<KeywayResponse<T>> {
    this.calls.push(method);
    if (answer === undefined) return Promise.reject(apiError('not_found', 404));
    if (answer instanceof KeywayApiError) return Promise.reject(answer);
    if (answer === 'pending') {
      // Held until the story unmounts and the element aborts.
      return new Promise((_, reject) =>
        signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))),
      );
    }
    return Promise.resolve({ data: structuredClone(answer), serverDate: new Date() });
  }

  redeemInvitation(ctx: KeywayCallContext) {
    return this.answer('redeemInvitation', this.script.redeemInvitation, ctx.signal);
  }
  startVerification(ctx: KeywayCallContext) {
    return this.answer('startVerification', this.script.startVerification, ctx.signal);
  }
  checkVerification(ctx: KeywayCallContext) {
    return this.answer('checkVerification', this.script.checkVerification, ctx.signal);
  }
  resendVerification(ctx: KeywayCallContext) {
    return this.answer('resendVerification', this.script.resendVerification, ctx.signal);
  }
  requestPass(ctx: KeywayCallContext) {
    return this.answer('requestPass', this.script.requestPass, ctx.signal);
  }
  passPlatforms(ctx: KeywayCallContext) {
    return this.answer('passPlatforms', this.script.passPlatforms, ctx.signal);
  }
  createHandoff(ctx: KeywayCallContext) {
    return this.answer('createHandoff', this.script.createHandoff, ctx.signal);
  }
  getCredentialStatus(ctx: KeywayCallContext) {
    return this.answer('getCredentialStatus', this.script.getCredentialStatus, ctx.signal);
  }
  openStatusStream(_ctx: KeywayCallContext, _id: string, handlers: StatusStreamHandlers): StatusStream | null {
    this.calls.push('openStatusStream');
    if (this.script.stream !== 'live') return null;
    const stream = new StoryStream(handlers);
    this.streams.push(stream);
    handlers.onOpen?.();
    const first = this.script.getCredentialStatus;
    if (first && first !== 'pending' && !(first instanceof KeywayApiError)) {
      // The server's first event is a snapshot (old_status null).
      queueMicrotask(() =>
        stream.push({
          old_status: null,
          new_status: first.status,
          enabled: first.enabled,
          devices: first.devices,
          updated_at: first.updated_at,
          // As the server's stream: the type only for HID credentials (8, 10).
          ...(first.credential_type_id === 8 || first.credential_type_id === 10
            ? { credential_type_id: first.credential_type_id }
            : {}),
        }),
      );
    }
    return stream;
  }
}
