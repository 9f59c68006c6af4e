// HID Origo's Credential Management API v3 ("Pass"), the subset SPEC §16 names (facts and their
// confidence: shared/hid-origo-notes.md §6, §8). Every shape Keyway reads from it is read here, so a
// corrected fact changes this file only. Knows nothing of Keyway's domain.
import crypto from 'node:crypto';
import { OrigoError } from './origo-client.js';

export interface OrigoPassSettings {
  orgId: string;
  /** `{base}/organization/{org}/pass…` */
  passApiUrl: string;
  applicationId: string;
  /** The Origo token (the same System Account as type 8). */
  accessToken: (signal: AbortSignal) => Promise<string>;
  deadlineMs: number;
  /** HID's web-provisioning host (`{url}/v2/platforms`, `{url}/v2/provision`) and its application id. */
  webProvisioningUrl: string;
  webProvisioningAppId: string;
  fetch?: typeof globalThis.fetch;
}

/** Origo's wallet names (`supportedServiceList`, HID's sample) → Keyway's. */
const WALLETS = { APPLE_WALLET: 'apple', GOOGLE_WALLET: 'google' } as const;
export type BadgeWallet = (typeof WALLETS)[keyof typeof WALLETS];

/**
 * Web provisioning refused the issuance token (`INVALID_ISSUANCE_TOKEN`, `ISSUANCE_TOKEN_EXPIRED`:
 * spent or lapsed), or the card is in as many wallets as allowed (`CARD_IN_TOO_MANY_WALLETS`).
 */
export class WebProvisioningRefusal extends Error {
  override name = 'WebProvisioningRefusal';
  constructor(
    readonly reason: 'token' | 'too_many_wallets',
    readonly code: string,
  ) {
    super(`HID web provisioning refused: ${code}`);
  }
}

/**
 * Apple's signed payload as web provisioning answers it: a JWS in its flattened JSON form (HID's sample
 * models `{protected, payload, signature, header}`), or in compact form. Handed to Apple's window unchanged.
 */
export type AppleJws =
  | string
  | { protected: string; payload: string; signature: string; header?: Record<string, unknown> };

/** What web provisioning answers for one wallet: Apple's signed payload (a JWS) or Google's save blob. */
export type ProvisioningData = { wallet: 'apple'; jws: AppleJws } | { wallet: 'google'; blob: string };

/** A JWS as web provisioning gives it, or nothing: compact text, or the flattened object with its three parts. */
function appleJwsOf(v: unknown): AppleJws | undefined {
  if (typeof v === 'string') return v || undefined;
  if (!v || typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  const parts = [o.protected, o.payload, o.signature];
  if (!parts.every((p) => typeof p === 'string' && p)) return undefined;
  const header = o.header && typeof o.header === 'object' ? (o.header as Record<string, unknown>) : undefined;
  return {
    protected: o.protected as string,
    payload: o.payload as string,
    signature: o.signature as string,
    ...(header ? { header } : {}),
  };
}

export interface OrigoPass {
  id: string;
  /** PENDING, ACTIVE, SUSPENDED, DELETED … kept as-is (notes §8: integrator models only). */
  status: string;
  /** The one-time provisioning secret (notes §8). */
  issuanceToken: string;
}

/** A wallet device Origo reports for a Pass (SPEC §16: iPhone, Watch, Android). */
export interface OrigoPassDevice {
  id: string;
  /** What Keyway shows: `iphone`, `watch`, `android`, or null when Origo's word for it is not one Keyway knows. */
  kind: 'iphone' | 'watch' | 'android' | null;
  /** ACTIVE, SUSPENDED, DELETED … kept as-is. */
  status: string;
}

/** A Pass as read back: its state and its wallet devices. */
export interface OrigoPassState {
  id: string;
  status: string;
  devices: OrigoPassDevice[];
}

export interface OrigoPassClient {
  /** A Pass from the template for the Origo user, with an issuance token valid `validitySeconds`. */
  createPass(
    input: { templateId: string; userId: string; validitySeconds: number },
    opts?: { signal?: AbortSignal },
  ): Promise<OrigoPass>;
  /** `DELETE …/pass/{id}` → 202 (accepted; Origo confirms later); `gone` on 404. */
  deletePass(passId: string, opts?: { signal?: AbortSignal }): Promise<'accepted' | 'gone'>;
  /** `GET …/pass/{id}`: its state and devices; `gone` on 404. */
  readPass(passId: string, opts?: { signal?: AbortSignal }): Promise<OrigoPassState | 'gone'>;
  /** `PUT …/pass/{id}/status {action}`: the pass's status when Origo says it, `gone` on 404. */
  setPassStatus(
    passId: string,
    action: 'SUSPEND' | 'RESUME',
    opts?: { signal?: AbortSignal },
  ): Promise<{ status?: string } | 'gone'>;
  /** The post-provisioning update (PPPU): the holder's name as the badge shows it; `gone` on 404. */
  updatePass(
    passId: string,
    holder: { givenName: string; familyName: string },
    opts?: { signal?: AbortSignal },
  ): Promise<'accepted' | 'gone'>;
  /** Web provisioning's `platforms`: the wallets the pass's template supports (does not spend the token). */
  platforms(issuanceToken: string): Promise<BadgeWallet[]>;
  /**
   * Web provisioning's `provision` for one wallet, spending the issuance token. Google's needs the
   * linking token object (base64url JSON built from the verified ID token).
   */
  provision(
    issuanceToken: string,
    input: { wallet: 'apple'; language: string } | { wallet: 'google'; language: string; linkingTokenObject: string },
  ): Promise<ProvisioningData>;
}

/**
 * Origo's word for a wallet device → what Keyway shows. The field names and values are unconfirmed
 * (notes §8: no public source shows a Pass's devices), so several spellings are read.
 */
function deviceKind(d: Record<string, unknown>): OrigoPassDevice['kind'] {
  const words = [d.deviceType, d.type, d.platform, d.walletType, d.wallet]
    .filter((v) => typeof v === 'string')
    .join(' ')
    .toUpperCase();
  if (/WATCH/.test(words)) return 'watch';
  if (/IPHONE|IOS|APPLE/.test(words)) return 'iphone';
  if (/ANDROID|GOOGLE/.test(words)) return 'android';
  return null;
}

const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v ? v : typeof v === 'number' ? String(v) : undefined;

export function createOrigoPassClient(s: OrigoPassSettings): OrigoPassClient {
  const passBase = `${s.passApiUrl.replace(/\/+$/, '')}/organization/${encodeURIComponent(s.orgId)}`;
  const webBase = s.webProvisioningUrl.replace(/\/+$/, '');
  const doFetch = s.fetch ?? globalThis.fetch;
  const call = (method: string, path: string, body: unknown, signal?: AbortSignal) =>
    exchange(method, `${passBase}${path}`, body, {}, signal);

  /** Web provisioning's calls (notes §8, HID's sample): the Origo token, the application id, a request id. */
  async function web(path: string, body: Record<string, unknown>) {
    const r = await exchange(
      'POST',
      `${webBase}${path}`,
      { ...body, applicationId: s.webProvisioningAppId },
      { 'x-requestid': crypto.randomUUID() },
    );
    if (r.status >= 200 && r.status < 300) return r.body;
    // HID's sample reads the name from `responseHeader.subStatusCode`; a flat field is read too.
    const code = [
      r.body?.responseHeader?.subStatusCode,
      r.body?.errorCode,
      r.body?.code,
      r.body?.error,
      r.body?.status,
    ].find((v) => typeof v === 'string' && /^[A-Z_]+$/.test(v)) as string | undefined;
    if (code === 'INVALID_ISSUANCE_TOKEN' || code === 'ISSUANCE_TOKEN_EXPIRED')
      throw new WebProvisioningRefusal('token', code);
    if (code === 'CARD_IN_TOO_MANY_WALLETS') throw new WebProvisioningRefusal('too_many_wallets', code);
    throw new OrigoError(
      'rejected',
      `HID web provisioning refused the call (${r.status}${code ? ` ${code}` : ''})`,
      r.status,
    );
  }

  async function exchange(
    method: string,
    url: string,
    body: unknown,
    extraHeaders: Record<string, string>,
    signal?: AbortSignal,
  ) {
    const deadline = AbortSignal.timeout(s.deadlineMs);
    const all = signal ? AbortSignal.any([deadline, signal]) : deadline;
    try {
      const token = await s.accessToken(all);
      const res = await doFetch(url, {
        method,
        redirect: 'manual',
        signal: all,
        headers: {
          authorization: `Bearer ${token}`,
          'application-id': s.applicationId,
          accept: 'application/json',
          ...extraHeaders,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      // biome-ignore lint/suspicious/noExplicitAny: the pass API's answer shape is unconfirmed (hid-origo-notes §8); each field is read defensively below
      let json: any;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      if (res.status === 403 || res.status >= 500)
        throw new OrigoError('unavailable', `HID Origo's pass API answered ${res.status}`, res.status);
      return { status: res.status, body: json };
    } catch (err) {
      if (err instanceof OrigoError) throw err;
      if (all.aborted) throw new OrigoError('unavailable', 'HID Origo did not answer in time');
      throw new OrigoError('unavailable', `HID Origo unreachable (${(err as Error).name})`);
    }
  }

  return {
    async createPass(input, opts = {}) {
      const r = await call(
        'POST',
        '/pass',
        {
          passTemplateId: input.templateId,
          userId: input.userId,
          issuanceToken: { validity: input.validitySeconds },
        },
        opts.signal,
      );
      if (r.status !== 201 && r.status !== 200) {
        const detail = typeof r.body?.detail === 'string' ? `: ${r.body.detail.slice(0, 200)}` : '';
        throw new OrigoError('rejected', `HID Origo refused to create a pass (${r.status})${detail}`, r.status);
      }
      // The answer's field names are known only from HID's sample: the id as `id` or `passId`, the
      // token as a string or an object holding it.
      const id = str(r.body?.id) ?? str(r.body?.passId);
      const t = r.body?.issuanceToken;
      const token = str(t) ?? str(t?.token) ?? str(t?.value);
      if (!id || !token)
        throw new OrigoError('unavailable', 'HID Origo answered a pass without its id or token', r.status);
      return { id, status: str(r.body?.status) ?? 'PENDING', issuanceToken: token };
    },
    async deletePass(passId, opts = {}) {
      const r = await call('DELETE', `/pass/${encodeURIComponent(passId)}`, undefined, opts.signal);
      if (r.status === 404) return 'gone';
      if (r.status === 200 || r.status === 202 || r.status === 204) return 'accepted';
      throw new OrigoError('rejected', `HID Origo refused to delete a pass (${r.status})`, r.status);
    },
    async readPass(passId, opts = {}) {
      const r = await call('GET', `/pass/${encodeURIComponent(passId)}`, undefined, opts.signal);
      if (r.status === 404) return 'gone';
      if (r.status !== 200)
        throw new OrigoError('unavailable', `HID Origo answered ${r.status} reading a pass`, r.status);
      const status = str(r.body?.status);
      if (!status) throw new OrigoError('unavailable', 'HID Origo answered a pass without its status', r.status);
      const list = [r.body?.devices, r.body?.provisionedDevices].find(Array.isArray) ?? [];
      const devices: OrigoPassDevice[] = [];
      for (const d of list) {
        const id = str(d?.id) ?? str(d?.deviceId);
        if (id) devices.push({ id, kind: deviceKind(d), status: str(d?.status) ?? 'UNKNOWN' });
      }
      return { id: passId, status, devices };
    },
    async setPassStatus(passId, action, opts = {}) {
      const r = await call('PUT', `/pass/${encodeURIComponent(passId)}/status`, { action }, opts.signal);
      if (r.status === 404) return 'gone';
      if (r.status >= 200 && r.status < 300) return { status: str(r.body?.status) };
      const detail = typeof r.body?.detail === 'string' ? `: ${r.body.detail.slice(0, 200)}` : '';
      throw new OrigoError(
        'rejected',
        `HID Origo refused to ${action.toLowerCase()} a pass (${r.status})${detail}`,
        r.status,
      );
    },
    async updatePass(passId, holder, opts = {}) {
      // PPPU (release 3.1.0+); the path and body are unconfirmed (notes §8: one integrator wiki, PATCH).
      const r = await call('PATCH', `/pass/${encodeURIComponent(passId)}`, { name: holder }, opts.signal);
      if (r.status === 404) return 'gone';
      if (r.status >= 200 && r.status < 300) return 'accepted';
      throw new OrigoError('rejected', `HID Origo refused to update a pass (${r.status})`, r.status);
    },
    async platforms(issuanceToken) {
      const b = await web('/v2/platforms', { issuanceToken });
      // The answer's field is known from HID's sample only: `supportedServiceList`, or a bare list.
      const list: unknown[] = [b?.supportedServiceList, b?.platforms, b].find(Array.isArray) ?? [];
      const out: BadgeWallet[] = [];
      for (const w of list) {
        const mine = typeof w === 'string' ? WALLETS[w.toUpperCase() as keyof typeof WALLETS] : undefined;
        if (mine && !out.includes(mine)) out.push(mine);
      }
      return out;
    },
    async provision(issuanceToken, input) {
      const wallet =
        input.wallet === 'apple'
          ? { appleWallet: { type: 'CORPORATE_ID_WEB', version: 'V1' } }
          : {
              googleWallet: { type: 'CORPORATE_ID_WEB', version: 'V1', linkingTokenObject: input.linkingTokenObject },
            };
      const b = await web('/v2/provision', { issuanceToken, web: { language: input.language }, ...wallet });
      const data = b?.provisioningData;
      if (input.wallet === 'apple') {
        const jws = appleJwsOf(data?.appleWallet?.jws);
        if (!jws) throw new OrigoError('unavailable', 'HID web provisioning answered no Apple payload');
        return { wallet: 'apple', jws };
      }
      const blob = str(data?.googleWallet?.blob);
      if (!blob) throw new OrigoError('unavailable', 'HID web provisioning answered no Google payload');
      return { wallet: 'google', blob };
    },
  };
}
