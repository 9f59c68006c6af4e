import type { KeywayApiError } from './errors.js';
import type {
  CredentialStatusSnapshot,
  Handoff,
  PassAnswer,
  PassPlatforms,
  ProvisioningGrant,
  StatusStreamEvent,
  VerificationStarted,
  WalletPlatform,
} from './types.js';

/** Who is calling and where: filled in by the element from its attributes or `<keyway-provider>`. */
export interface KeywayCallContext {
  /** The server's origin; the client appends `/api/3/…`. Empty means the page's own origin. */
  apiBase: string;
  /** `pk_…` for redeem and verification routes. */
  publishableKey?: string;
  /** `cs_…` or `ps_…` for passes, hand-offs and status routes. */
  token?: string;
  /** Sent as `Idempotency-Key`: a retry with the same key gets the first answer back (docs/api.md). */
  idempotencyKey?: string;
  signal?: AbortSignal;
}

/** A successful answer plus the server's `Date` header (countdowns use it; phone clocks drift). */
export interface KeywayResponse<T> {
  data: T;
  serverDate: Date | null;
}

export interface StatusStreamHandlers {
  onStatus(event: StatusStreamEvent, lastEventId: string | null): void;
  /** The stream is (re)connected. */
  onOpen?(): void;
  /** The stream broke; `fatal` when it will not reconnect by itself (the caller falls back to polling). */
  onError?(error: KeywayApiError | null, fatal: boolean): void;
}

export interface StatusStream {
  close(): void;
}

/**
 * Everything the widgets ask of a Keyway server. The fetch implementation talks HTTP; stories and
 * tests hand in a scripted one through the `client` property of an element or `<keyway-provider>`.
 * Every method rejects with a KeywayApiError.
 */
export interface KeywayClient {
  redeemInvitation(ctx: KeywayCallContext, invitationCode: string): Promise<KeywayResponse<ProvisioningGrant>>;
  startVerification(
    ctx: KeywayCallContext,
    request: { phoneNumber: string; country?: string },
  ): Promise<KeywayResponse<VerificationStarted>>;
  checkVerification(
    ctx: KeywayCallContext,
    verificationId: string,
    code: string,
  ): Promise<KeywayResponse<ProvisioningGrant>>;
  resendVerification(ctx: KeywayCallContext, verificationId: string): Promise<KeywayResponse<VerificationStarted>>;
  /** A link to the pass, or for an HID badge in Apple Wallet the provisioning window's payload (SPEC §16). */
  requestPass(
    ctx: KeywayCallContext,
    request: { platform: WalletPlatform; credentialId?: string; idToken?: string },
  ): Promise<KeywayResponse<PassAnswer>>;
  /** The wallets an HID badge's pass template supports (type 10 only; other credentials answer 404). */
  passPlatforms(ctx: KeywayCallContext, request: { credentialId?: string }): Promise<KeywayResponse<PassPlatforms>>;
  createHandoff(ctx: KeywayCallContext): Promise<KeywayResponse<Handoff>>;
  getCredentialStatus(ctx: KeywayCallContext, credentialId: string): Promise<KeywayResponse<CredentialStatusSnapshot>>;
  /** Opens the live stream, or returns null when live updates are unavailable (the caller polls). */
  openStatusStream(ctx: KeywayCallContext, credentialId: string, handlers: StatusStreamHandlers): StatusStream | null;
}
