// A local HID Origo (Mobile Identities API 2.2) for tests: the subset of docs/hid.md, spoken strictly,
// plus the phone's side (acknowledge an invitation, provision a container, finish a revocation).

import { randomInt } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const CONTENT_TYPE = 'application/vnd.assaabloy.ma.credential-management-2.2+json';
const EXT_INVITATION = 'urn:hid:scim:api:ma:2.2:UserInvitation';
const EXT_CREDENTIAL = 'urn:hid:scim:api:ma:2.2:Credential';
const EXT_ACTION = 'urn:hid:scim:api:ma:2.2:UserAction';
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const USER_ACTION_FLAGS = [
  'createInvitationCode',
  'sendInvitationEmail',
  'assignCredential',
  'partNumber',
  'credential',
];

export interface PeerUser {
  id: number;
  externalId: string;
  name: { familyName: string; givenName: string };
  emails: { value: string }[];
}
export interface PeerInvitation {
  id: string;
  userId: number;
  invitationCode: string;
  status: 'PENDING' | 'ACKNOWLEDGED' | 'EXPIRED' | 'CANCEL_INITIATED' | 'CANCELLED';
  expirationDate: string;
  createdDate: string;
  credentialId: string;
}
export interface PeerCredential {
  id: string;
  userId: number;
  partNumber: string;
  cardNumber: string;
  /** ISSUE_INITIATED, the live status (behaviour.liveStatus), REVOKE_INITIATED, REVOKED. */
  status: string;
  containerId?: string;
}
export interface PeerContainer {
  id: string;
  userId: number;
  status: string;
  model: string;
  manufacturer: string;
  osVersion: string;
}
export interface PeerBehaviour {
  newCredentialId: boolean;
  /** A revoke answered 404 while the credential is still listed live (404's meaning is inferred only). */
  revoke404WhileListed: boolean;
  /** The status a provisioned Mobile ID shows: the live value is unknown (ACTIVE, ISSUED, CREDENTIAL_ISSUED …). */
  liveStatus: string;
  /** The status a new container (phone) shows: ACTIVE is the usable one; the others' names are unknown. */
  containerStatus: string;
  /** A cancel takes a moment: PENDING → CANCEL_INITIATED, CANCELLED only on `completeCancellations()`. */
  cancelLater: boolean;
  /** A pass DELETE (202) finishes only on `completePassDeletions()` (how long Origo takes is unknown). */
  passDeleteLater: boolean;
}
export const DEFAULT_BEHAVIOUR: PeerBehaviour = {
  newCredentialId: false,
  revoke404WhileListed: false,
  liveStatus: 'ACTIVE',
  containerStatus: 'ACTIVE',
  cancelLater: false,
  passDeleteLater: true,
};

/** A Pass of the Credential Management API v3 (notes §6, §8). */
/** A JWS in its flattened JSON form, as HID's web provisioning answers Apple's payload. */
export interface AppleJws {
  protected: string;
  payload: string;
  signature: string;
  header: { kid: string };
}

export interface PeerPass {
  id: string;
  userId: string;
  passTemplateId: string;
  status: string;
  issuanceToken: string;
  /** The token's validity in seconds, as Keyway asked. */
  validity: number;
  /** Wallet devices holding it (the phone's side: `provisionPass`). */
  devices: PeerPassDevice[];
  /** A DELETE Origo accepted (202) and has not finished (`completePassDeletions`). */
  deleting: boolean;
  /** The holder's name as the last post-provisioning update (PATCH) set it. */
  holder?: { givenName: string; familyName: string };
  /** When Origo made it (the issuance token lapses `validity` seconds later, on Origo's clock). */
  createdAt: number;
  /** Web provisioning spent the issuance token (it is single-use). */
  tokenSpent: boolean;
  /** What each `provision` call was asked and answered (the test reads the payload). */
  /** Each provision answered: Apple's payload is the flattened JWS object, Google's the save blob. */
  provisioned: { wallet: 'apple' | 'google'; language: string; payload: string | AppleJws; linking?: any }[];
}
export interface PeerPassDevice {
  id: string;
  /** Origo's word for the device (unconfirmed: notes §8). */
  deviceType: 'IPHONE' | 'APPLE_WATCH' | 'ANDROID_PHONE';
  status: string;
}

export interface PeerCall {
  method: string;
  path: string;
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface OrigoPeer {
  /** Set KEYWAY_HID_ORIGO_AUTH_URL to this. */
  authUrl: string;
  /** Set KEYWAY_HID_ORIGO_API_URL to this. */
  apiUrl: string;
  env: Record<string, string>;
  orgId: string;
  users: Map<number, PeerUser>;
  invitations: Map<string, PeerInvitation>;
  credentials: Map<string, PeerCredential>;
  containers: Map<string, PeerContainer>;
  /** Credential Management API v3 passes (type 10), served under `passApiUrl`. */
  passes: Map<string, PeerPass>;
  /** Set KEYWAY_HID_PASS_API_URL to this. */
  passApiUrl: string;
  /** KEYWAY_HID_PASS_* variables for type 10 (with `env`). */
  passEnv: Record<string, string>;
  /** The wallets the pass template supports (web provisioning's `platforms`). */
  templateWallets: ('apple' | 'google')[];
  /** How many wallet devices a card may be in before `CARD_IN_TOO_MANY_WALLETS`. */
  maxWallets: number;
  calls: PeerCall[];
  /** Token lifetime in seconds for tokens issued from now on (Origo's is 3600). */
  tokenLifetime: number;
  /**
   * Where the notes say "unknown", the peer can answer each way Origo might (tests set these and
   * put them back). `newCredentialId`: the phone's credential gets an id of its own instead of the
   * one the invitation named (the named one drops out).
   */
  behaviour: PeerBehaviour;
  /** Answer the next n API calls (not token calls) with this status. */
  failNext(n: number, status?: number): void;
  /**
   * Hold answers this long (ms) before the headers (the call has acted already); `bodyMs`: send
   * headers, then stall the body. `path`/`method`: only API calls that match (token calls then answer at once).
   */
  stall(ms: number, opts?: { bodyMs?: boolean; path?: RegExp; method?: string }): void;
  /** Origo's call budget per source address: beyond `calls` in `windowMs` → 403. */
  limit(calls: number, windowMs?: number): void;
  /** Acts on the next n API calls but drops the connection instead of answering (an answer lost on the way). */
  loseAnswers(n: number, path?: RegExp): void;
  /** Stops answering at all (connection refused) until `up()`. */
  down(): Promise<void>;
  up(): Promise<void>;
  /** Every token issued so far dies now (a rotated secret, Origo's restart). */
  expireTokens(): void;
  // The phone's side.
  acknowledge(code: string): PeerInvitation;
  /** The HID app finishes provisioning: a container (the phone) holding the invitation's credential, ACTIVE. */
  provision(
    code: string,
    phone?: { model?: string; manufacturer?: string },
  ): { container: PeerContainer; credential: PeerCredential };
  expireInvitation(code: string): void;
  /** Origo finishes the cancels it accepted (CANCEL_INITIATED → CANCELLED). */
  completeCancellations(): number;
  /** Origo finishes a revocation it accepted (REVOKE_INITIATED → REVOKED). */
  completeRevocations(): number;
  invitationByCode(code: string): PeerInvitation | undefined;
  /** The wallet adds the badge: the Pass ACTIVE, one device per kind given. */
  provisionPass(passId: string, kinds: PeerPassDevice['deviceType'][]): PeerPassDevice[];
  /** Origo finishes the pass deletions it accepted (→ DELETED, or CANCELLED when never provisioned). */
  completePassDeletions(): number;
  /** Sends a CloudEvents batch to Keyway's callback as Origo would. */
  sendCallback(url: string, events: Record<string, unknown>[], authorization?: string): Promise<number>;
  /** API calls (token calls excluded) matching a method and a path pattern. */
  count(method: string, path: RegExp): number;
  close(): Promise<void>;
}

export async function startOrigoPeer(
  opts: {
    clientId?: string;
    clientSecret?: string;
    applicationId?: string;
    partNumber?: string;
    /** Origo's clock for invitation dates (a test's clock, so expiry and reminders follow it); tokens and limits keep real time. */
    now?: () => number;
  } = {},
): Promise<OrigoPeer> {
  const originNow = opts.now ?? Date.now;
  const clientId = opts.clientId ?? '1000123-OSRV7QZ4';
  const clientSecret = opts.clientSecret ?? 'origo-test-secret-1';
  const applicationId = opts.applicationId ?? 'KEYWAY-TEST';
  const partNumber = opts.partNumber ?? 'MID-SUB-CRD_FTPN_6445';
  const orgId = clientId.split('-')[0];
  const users = new Map<number, PeerUser>();
  const invitations = new Map<string, PeerInvitation>();
  const credentials = new Map<string, PeerCredential>();
  const containers = new Map<string, PeerContainer>();
  const passes = new Map<string, PeerPass>();
  const passTemplateId = 'PT-KEYWAY-TEST-1';
  const webApplicationId = 'KEYWAY-WEB-TEST';
  const tokens = new Map<string, number>(); // token → expiry (ms)
  const calls: PeerCall[] = [];
  let nextId = 1000;
  let failures: number[] = [];
  let lose = 0;
  let losePath: RegExp | undefined;
  let stallMs = 0;
  let stallBody = false;
  let stallPath: RegExp | undefined;
  let stallMethod: string | undefined;
  /** Answers the current stall applies to. */
  const held = new WeakSet<http.ServerResponse>();
  let budget: { calls: number; windowMs: number; window: number[] } | undefined;

  const json = (res: http.ServerResponse, status: number, body?: unknown, type = CONTENT_TYPE) => {
    const text = body === undefined ? '' : JSON.stringify(body);
    const hold = held.has(res) ? stallMs : 0;
    if (hold && stallBody) {
      res.writeHead(status, { 'content-type': type });
      res.write(text.slice(0, 1));
      setTimeout(() => res.end(text.slice(1)), hold).unref();
      return;
    }
    const send = () => {
      if (res.destroyed) return;
      res.writeHead(status, body === undefined ? {} : { 'content-type': type });
      res.end(text);
    };
    if (hold) setTimeout(send, hold).unref();
    else send();
  };
  const scimError = (res: http.ServerResponse, status: number, detail: string, scimType?: string) =>
    json(res, status, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: String(status),
      detail,
      ...(scimType ? { scimType } : {}),
    });
  /**
   * The UserAction of a user or invitation create, as every known client sends it (notes §2–3, code×4):
   * the flags in an object under the extension key, never at the top level (SCIM: an unknown
   * attribute, 400 invalidSyntax). `meta` is sent by 2 of 4 clients: optional, but PACSUser when there.
   */
  const userActionOf = (parsed: any): { action: Record<string, unknown> } | { error: string; scimType: string } => {
    const flat = USER_ACTION_FLAGS.filter((k) => parsed && k in parsed);
    if (flat.length)
      return {
        error: `unknown top-level attribute(s) ${flat.join(', ')}; expected under ${EXT_ACTION}`,
        scimType: 'invalidSyntax',
      };
    if (!Array.isArray(parsed?.schemas) || !parsed.schemas.includes(EXT_ACTION))
      return { error: `schemas must list ${EXT_ACTION}`, scimType: 'invalidSyntax' };
    const action = parsed[EXT_ACTION];
    if (!action || typeof action !== 'object' || Array.isArray(action))
      return { error: `${EXT_ACTION} object missing`, scimType: 'invalidValue' };
    if (
      ['createInvitationCode', 'sendInvitationEmail', 'assignCredential'].some(
        (k) => action[k] !== 'N' && action[k] !== 'Y',
      )
    )
      return { error: 'UserAction flags must be "Y" or "N"', scimType: 'invalidValue' };
    if (parsed.meta !== undefined && parsed.meta?.resourceType !== 'PACSUser')
      return { error: 'meta.resourceType must be PACSUser', scimType: 'invalidValue' };
    return { action };
  };

  const code = () =>
    Array.from({ length: 4 }, () =>
      Array.from({ length: 4 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join(''),
    ).join('-');
  const credentialJson = (c: PeerCredential) => ({
    id: c.id,
    partNumber: c.partNumber,
    partnumberFriendlyName: 'Keyway test seos',
    status: c.status,
    credentialType: 'ICLASSSEOS',
    cardNumber: c.cardNumber,
  });
  const invitationJson = (i: PeerInvitation) => ({
    id: i.id,
    invitationCode: i.invitationCode,
    status: i.status,
    createdDate: i.createdDate,
    expirationDate: i.expirationDate,
    meta: { resourceType: 'UserInvitation', location: `${apiUrl}/customer/${orgId}/invitation/${i.id}` },
  });
  const userJson = (u: PeerUser) => ({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    id: u.id,
    externalId: u.externalId,
    name: u.name,
    emails: u.emails,
    status: 'ACTIVE',
    meta: {
      resourceType: 'PACSUser',
      lastModified: new Date().toISOString(),
      location: `${apiUrl}/customer/${orgId}/users/${u.id}`,
    },
  });
  const list = (resources: unknown[]) => ({
    schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
    totalResults: resources.length,
    itemsPerPage: resources.length,
    startIndex: 1,
    Resources: resources,
  });

  function handleToken(req: http.IncomingMessage, body: string, res: http.ServerResponse, org: string) {
    if (!/^application\/x-www-form-urlencoded/.test(req.headers['content-type'] ?? ''))
      return json(res, 400, { error: 'invalid_request' }, 'application/json');
    const form = new URLSearchParams(body);
    if (
      org !== orgId ||
      form.get('grant_type') !== 'client_credentials' ||
      form.get('client_id') !== clientId ||
      form.get('client_secret') !== clientSecret
    ) {
      return json(res, 401, { error: 'invalid_client' }, 'application/json');
    }
    const token = `tok_${nextId++}_${randomInt(1e9)}`;
    tokens.set(token, Date.now() + peer.tokenLifetime * 1000);
    json(
      res,
      200,
      { access_token: token, id_token: 'id.token.x', token_type: 'Bearer', expires_in: peer.tokenLifetime },
      'application/json',
    );
  }

  function handleApi(req: http.IncomingMessage, body: string, res: http.ServerResponse, path: string): number {
    const method = req.method ?? 'GET';
    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const expiry = auth ? tokens.get(auth) : undefined;
    if (!expiry || expiry <= Date.now()) return (scimError(res, 401, 'invalid or expired token'), 401);
    if (req.headers['application-id'] !== applicationId)
      return (scimError(res, 400, 'Application-ID header missing or unknown'), 400);
    if (req.headers['application-version'] !== '2.2')
      return (scimError(res, 400, 'Application-Version must be 2.2'), 400);
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim();
    const rest = (req.headers['content-type'] ?? '')
      .split(';')
      .slice(1)
      .map((s) => s.trim());
    if (type !== CONTENT_TYPE || rest.some((p) => !/^charset=utf-8$/i.test(p)))
      return (scimError(res, 415, 'unsupported content type'), 415);
    if (budget) {
      const now = Date.now();
      budget.window = budget.window.filter((t) => t > now - budget!.windowMs);
      if (budget.window.length >= budget.calls)
        return (json(res, 403, { message: 'Rate limit exceeded' }, 'application/json'), 403);
      budget.window.push(now);
    }
    const failure = failures.shift();
    if (failure !== undefined) return (scimError(res, failure, 'scripted failure'), failure);
    let parsed: any;
    try {
      parsed = body ? JSON.parse(body) : undefined;
    } catch {
      return (scimError(res, 400, 'malformed JSON'), 400);
    }
    let m: RegExpExecArray | null;
    if (method === 'POST' && path === '/users/.search') {
      if (!parsed?.schemas?.includes('urn:ietf:params:scim:api:messages:2.0:SearchRequest'))
        return (scimError(res, 400, 'SearchRequest schema missing'), 400);
      const f = /^externalId eq "([^"]*)"$/.exec(parsed.filter ?? '');
      if (!f) return (scimError(res, 400, 'unsupported filter'), 400);
      return (json(res, 200, list([...users.values()].filter((u) => u.externalId === f[1]).map(userJson))), 200);
    }
    if (method === 'POST' && path === '/users') {
      const schemas: string[] = parsed?.schemas ?? [];
      if (!schemas.includes(EXT_ACTION) || !schemas.includes('urn:ietf:params:scim:schemas:core:2.0:User'))
        return (scimError(res, 400, 'schemas missing'), 400);
      if (
        parsed?.meta?.resourceType !== 'PACSUser' ||
        !parsed?.name?.familyName ||
        !parsed?.name?.givenName ||
        !parsed?.externalId
      )
        return (scimError(res, 400, 'user fields missing'), 400);
      const action = userActionOf(parsed);
      if ('error' in action) return (scimError(res, 400, action.error, action.scimType), 400);
      if ([...users.values()].some((u) => u.externalId === parsed.externalId))
        return (scimError(res, 409, 'externalId already exists'), 409);
      const u: PeerUser = {
        id: nextId++,
        externalId: parsed.externalId,
        name: parsed.name,
        emails: parsed.emails ?? [],
      };
      users.set(u.id, u);
      return (json(res, 201, userJson(u)), 201);
    }
    if ((m = /^\/users\/(\d+)\/invitation$/.exec(path))) {
      const user = users.get(Number(m[1]));
      if (!user) return (scimError(res, 404, 'user not found'), 404);
      if (method === 'GET') {
        const own = [...invitations.values()].filter((i) => i.userId === user.id);
        return (
          json(
            res,
            200,
            list(
              own.map((i) => ({
                ...invitationJson(i),
                [EXT_CREDENTIAL]: credentials.has(i.credentialId)
                  ? [credentialJson(credentials.get(i.credentialId)!)]
                  : [],
              })),
            ),
          ),
          200
        );
      }
      if (method === 'POST') {
        const found = userActionOf(parsed);
        if ('error' in found) return (scimError(res, 400, found.error, found.scimType), 400);
        const a = found.action;
        if (a.createInvitationCode !== 'Y' || a.assignCredential !== 'Y')
          return (
            scimError(res, 400, 'an invitation needs createInvitationCode and assignCredential "Y"', 'invalidValue'),
            400
          );
        if (a.partNumber !== partNumber) return (scimError(res, 400, `unknown part number ${a.partNumber}`), 400);
        const cred: PeerCredential = {
          id: String(nextId++),
          userId: user.id,
          partNumber,
          cardNumber: String(randomInt(10_000_000, 99_999_999)),
          status: 'ISSUE_INITIATED',
        };
        credentials.set(cred.id, cred);
        const inv: PeerInvitation = {
          id: String(nextId++),
          userId: user.id,
          invitationCode: code(),
          status: 'PENDING',
          expirationDate: new Date(originNow() + 48 * 3600_000).toISOString(),
          createdDate: new Date(originNow()).toISOString(),
          credentialId: cred.id,
        };
        invitations.set(inv.id, inv);
        return (
          json(res, 201, {
            schemas: [EXT_ACTION],
            [EXT_INVITATION]: [invitationJson(inv)],
            [EXT_CREDENTIAL]: [credentialJson(cred)],
          }),
          201
        );
      }
    }
    if ((m = /^\/users\/(\d+)\/credential-container$/.exec(path)) && method === 'GET') {
      const user = users.get(Number(m[1]));
      if (!user) return (scimError(res, 404, 'user not found'), 404);
      const own = [...containers.values()].filter((c) => c.userId === user.id);
      return (
        json(
          res,
          200,
          list(
            own.map((c) => ({
              id: c.id,
              status: c.status,
              manufacturer: c.manufacturer,
              model: c.model,
              osVersion: c.osVersion,
              [EXT_CREDENTIAL]: [...credentials.values()].filter((k) => k.containerId === c.id).map(credentialJson),
            })),
          ),
        ),
        200
      );
    }
    if ((m = /^\/invitation\/(\w+)$/.exec(path)) && method === 'DELETE') {
      const inv = invitations.get(m[1]);
      if (!inv) return (scimError(res, 404, 'invitation not found'), 404);
      // What a cancel does to an ACKNOWLEDGED invitation is unknown (notes §3): accepted, nothing changes.
      if (inv.status === 'PENDING') inv.status = peer.behaviour.cancelLater ? 'CANCEL_INITIATED' : 'CANCELLED';
      return (json(res, 204), 204);
    }
    if ((m = /^\/credential\/(\w+)$/.exec(path)) && method === 'DELETE') {
      const cred = credentials.get(m[1]);
      if (!cred || cred.status === 'REVOKED') return (scimError(res, 404, 'credential not found'), 404);
      if (peer.behaviour.revoke404WhileListed) return (scimError(res, 404, 'credential not found'), 404);
      if (cred.status === 'REVOKE_INITIATED') return (scimError(res, 412, 'revocation already in progress'), 412);
      cred.status = 'REVOKE_INITIATED';
      return (json(res, 204), 204);
    }
    return (scimError(res, 404, `no route ${method} ${path}`), 404);
  }

  /**
   * The Credential Management API v3, as strict as the notes are sure: a valid Origo token, JSON,
   * a known template, an existing user, `issuanceToken` an object (its `validity` a positive number
   * when given). The answer's shape is known only from HID's sample (notes §8).
   */
  function handlePassApi(req: http.IncomingMessage, body: string, res: http.ServerResponse, path: string): number {
    const j = (status: number, b?: unknown) => (json(res, status, b, 'application/json'), status);
    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const expiry = auth ? tokens.get(auth) : undefined;
    if (!expiry || expiry <= Date.now()) return j(401, { detail: 'invalid or expired token' });
    const failure = failures.shift();
    if (failure !== undefined) return j(failure, { detail: 'scripted failure' });
    let m: RegExpExecArray | null;
    if (req.method === 'POST' && path === '/pass') {
      if (!/^application\/json(;\s*charset=utf-8)?$/i.test(req.headers['content-type'] ?? ''))
        return j(415, { detail: 'unsupported content type' });
      let p: any;
      try {
        p = JSON.parse(body);
      } catch {
        return j(400, { detail: 'malformed JSON' });
      }
      if (p?.passTemplateId !== passTemplateId) return j(400, { detail: `unknown pass template ${p?.passTemplateId}` });
      if (!users.has(Number(p?.userId))) return j(400, { detail: `unknown user ${p?.userId}` });
      const it = p?.issuanceToken;
      if (!it || typeof it !== 'object' || (it.validity !== undefined && !(Number(it.validity) > 0)))
        return j(400, { detail: 'issuanceToken must be an object with a positive validity' });
      const pass: PeerPass = {
        id: `pass-${nextId++}`,
        userId: String(p.userId),
        passTemplateId,
        status: 'PENDING',
        issuanceToken: `it_${randomInt(1e9)}_${randomInt(1e9)}`,
        validity: Number(it.validity ?? 3600),
        devices: [],
        deleting: false,
        createdAt: originNow(),
        tokenSpent: false,
        provisioned: [],
      };
      passes.set(pass.id, pass);
      return j(201, {
        id: pass.id,
        passTemplateId,
        userId: pass.userId,
        status: pass.status,
        issuanceToken: { token: pass.issuanceToken, validity: pass.validity },
      });
    }
    const passJson = (p: PeerPass) => ({
      id: p.id,
      passTemplateId: p.passTemplateId,
      userId: p.userId,
      status: p.status,
      devices: p.devices.map((d) => ({ ...d })),
    });
    const gone = (p: PeerPass | undefined) => !p || p.status === 'DELETED' || p.status === 'CANCELLED';
    const jsonBody = (): { value: any } | { error: number } => {
      if (!/^application\/json(;\s*charset=utf-8)?$/i.test(req.headers['content-type'] ?? '')) return { error: 415 };
      try {
        return { value: JSON.parse(body) };
      } catch {
        return { error: 400 };
      }
    };
    if ((m = /^\/pass\/([\w-]+)$/.exec(path)) && req.method === 'DELETE') {
      const pass = passes.get(m[1]);
      if (gone(pass)) return j(404, { detail: 'pass not found' });
      // Accepted; Origo finishes later (notes §6: 202). What a second DELETE meanwhile answers is unknown: 202.
      pass!.deleting = true;
      if (!peer.behaviour.passDeleteLater) completeDeletion(pass!);
      return j(202);
    }
    if ((m = /^\/pass\/([\w-]+)$/.exec(path)) && req.method === 'GET') {
      const pass = passes.get(m[1]);
      if (!pass) return j(404, { detail: 'pass not found' });
      return j(200, passJson(pass));
    }
    if ((m = /^\/pass\/([\w-]+)\/status$/.exec(path)) && req.method === 'PUT') {
      const pass = passes.get(m[1]);
      if (gone(pass)) return j(404, { detail: 'pass not found' });
      const b = jsonBody();
      if ('error' in b) return j(b.error, { detail: 'a JSON body is required' });
      const action = b.value?.action;
      if (action !== 'SUSPEND' && action !== 'RESUME') return j(400, { detail: 'action must be SUSPEND or RESUME' });
      // Suspending a pass no wallet holds (or resuming one not suspended) is undocumented: refused, and Keyway never asks.
      const from = action === 'SUSPEND' ? 'ACTIVE' : 'SUSPENDED';
      const to = action === 'SUSPEND' ? 'SUSPENDED' : 'ACTIVE';
      if (pass!.status !== from) return j(409, { detail: `pass is ${pass!.status}` });
      pass!.status = to;
      for (const d of pass!.devices) if (d.status === from) d.status = to;
      return j(200, passJson(pass!));
    }
    if ((m = /^\/pass\/([\w-]+)$/.exec(path)) && req.method === 'PATCH') {
      const pass = passes.get(m[1]);
      if (gone(pass)) return j(404, { detail: 'pass not found' });
      const b = jsonBody();
      if ('error' in b) return j(b.error, { detail: 'a JSON body is required' });
      const n = b.value?.name;
      if (typeof n?.givenName !== 'string' || !n.givenName || typeof n?.familyName !== 'string' || !n.familyName)
        return j(400, { detail: 'name.givenName and name.familyName are required' });
      pass!.holder = { givenName: n.givenName, familyName: n.familyName };
      return j(200, passJson(pass!));
    }
    return j(404, { detail: `no route ${req.method} ${path}` });
  }

  /**
   * HID's web provisioning (notes §8, from HID's sample only, so lenient beyond what it shows): the
   * Origo token, `Application-ID`, an `x-requestId`; `{issuanceToken, applicationId}` in a JSON body.
   * `platforms` lists the template's wallets; `provision` spends the token once and answers Apple's
   * JWS or Google's save blob. Errors carry HID's names (`INVALID_ISSUANCE_TOKEN`, …).
   */
  function handleWebProvisioning(req: http.IncomingMessage, body: string, res: http.ServerResponse, path: string) {
    const j = (status: number, b?: unknown) => (json(res, status, b, 'application/json'), status);
    // HID's sample reads web provisioning's errors as `{responseHeader:{statusCode, subStatusCode, statusMessage}}`.
    const err = (status: number, subStatusCode: string, statusMessage: string) =>
      j(status, { responseHeader: { statusCode: String(status), subStatusCode, statusMessage } });
    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const expiry = auth ? tokens.get(auth) : undefined;
    if (!expiry || expiry <= Date.now()) return j(401, { detail: 'invalid or expired token' });
    if (req.headers['application-id'] !== applicationId) return err(400, 'UN_SUPPORTED_REQUEST', 'Application-ID');
    if (!req.headers['x-requestid']) return err(400, 'UN_SUPPORTED_REQUEST', 'x-requestId header missing');
    const failure = failures.shift();
    if (failure !== undefined) return j(failure, { detail: 'scripted failure' });
    if (req.method !== 'POST') return j(405, { detail: 'POST only' });
    if (!/^application\/json(;\s*charset=utf-8)?$/i.test(req.headers['content-type'] ?? ''))
      return j(415, { detail: 'unsupported content type' });
    let b: any;
    try {
      b = JSON.parse(body);
    } catch {
      return err(400, 'UN_SUPPORTED_REQUEST', 'malformed JSON');
    }
    if (b?.applicationId !== webApplicationId) return err(400, 'UN_SUPPORTED_REQUEST', 'unknown applicationId');
    const pass = [...passes.values()].find((p) => p.issuanceToken === b?.issuanceToken);
    if (!pass || pass.tokenSpent || pass.deleting || pass.status === 'DELETED' || pass.status === 'CANCELLED')
      return err(400, 'INVALID_ISSUANCE_TOKEN', 'unknown or spent issuance token');
    if (originNow() > pass.createdAt + pass.validity * 1000)
      return err(400, 'ISSUANCE_TOKEN_EXPIRED', 'issuance token expired');
    if (path === '/v2/platforms')
      return j(200, { supportedServiceList: peer.templateWallets.map((w) => `${w.toUpperCase()}_WALLET`) });
    if (path !== '/v2/provision') return j(404, { detail: `no route ${path}` });
    if (typeof b?.web?.language !== 'string' || !b.web.language)
      return err(400, 'UN_SUPPORTED_REQUEST', 'web.language');
    const wallets = ['appleWallet', 'googleWallet'].filter((k) => b?.[k] !== undefined);
    if (wallets.length !== 1) return err(400, 'UN_SUPPORTED_REQUEST', 'exactly one of appleWallet, googleWallet');
    const asked = b[wallets[0]];
    if (asked?.type !== 'CORPORATE_ID_WEB' || asked?.version !== 'V1')
      return err(400, 'UN_SUPPORTED_REQUEST', `${wallets[0]} must be {type: CORPORATE_ID_WEB, version: V1}`);
    const wallet = wallets[0] === 'appleWallet' ? 'apple' : 'google';
    if (!peer.templateWallets.includes(wallet))
      return err(400, 'UN_SUPPORTED_REQUEST', `the template has no ${wallet}`);
    if (pass.devices.filter((d) => d.status !== 'DELETED').length >= peer.maxWallets)
      return err(409, 'CARD_IN_TOO_MANY_WALLETS', 'card in too many wallets');
    let linking: any;
    if (wallet === 'google') {
      try {
        linking = JSON.parse(Buffer.from(String(asked.linkingTokenObject), 'base64url').toString('utf8'));
      } catch {
        return err(400, 'UN_SUPPORTED_REQUEST', 'linkingTokenObject must be base64url JSON');
      }
      if (
        typeof linking?.nonce !== 'string' ||
        !/^(?:[0-9a-f]{64}|[\w-]{43})$/.test(linking?.hashedUserId ?? '') /* hex or base64url: unknown */ ||
        !linking?.aud
      )
        return err(400, 'UN_SUPPORTED_REQUEST', 'linkingTokenObject needs nonce, hashedUserId, aud');
    }
    pass.tokenSpent = true;
    // Apple's payload is a JWS in its flattened JSON form, as HID's sample models it (`Jws`: protected,
    // payload, signature, header.kid) and hands it to Apple's window unchanged; Google's a save blob.
    const payload =
      wallet === 'apple'
        ? {
            protected: Buffer.from(JSON.stringify({ alg: 'ES256' })).toString('base64url'),
            payload: Buffer.from(JSON.stringify({ pass: pass.id, n: randomInt(1e9) })).toString('base64url'),
            signature: 'c2ln',
            header: { kid: 'origo-web-1' },
          }
        : `blob-${pass.id}-${randomInt(1e9)}`;
    pass.provisioned.push({ wallet, language: b.web.language, payload, linking });
    return j(
      200,
      wallet === 'apple'
        ? { provisioningData: { appleWallet: { jws: payload } } }
        : { provisioningData: { googleWallet: { blob: payload } } },
    );
  }

  function completeDeletion(p: PeerPass) {
    p.deleting = false;
    p.status = p.status === 'PENDING' ? 'CANCELLED' : 'DELETED';
    for (const d of p.devices) d.status = 'DELETED';
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://peer');
      const api = /^\/credential-management\/customer\/([^/]+)(\/.*)$/.exec(url.pathname);
      const passPath = /^\/pass-api\/organization\/[^/]+(\/.*)$/.exec(url.pathname)?.[1];
      const webTarget = /^\/web-provisioning(\/.*)$/.exec(url.pathname)?.[1];
      const target =
        api?.[2] ??
        (passPath !== undefined ? `pass-api:${passPath}` : webTarget !== undefined ? `web:${webTarget}` : undefined);
      const stalled =
        stallPath || stallMethod
          ? target !== undefined &&
            (!stallPath || stallPath.test(target)) &&
            (!stallMethod || stallMethod === req.method)
          : true;
      if (stallMs && stalled) held.add(res);
      const token = /^\/authentication\/customer\/([^/]+)\/token$/.exec(url.pathname);
      if (token && req.method === 'POST') return handleToken(req, body, res, token[1]);
      const webPath = /^\/web-provisioning(\/v2\/\w+)$/.exec(url.pathname)?.[1];
      if (webPath) {
        const status = handleWebProvisioning(req, body, res, webPath);
        calls.push({ method: req.method ?? 'GET', path: `web:${webPath}`, status, headers: req.headers, body });
        return;
      }
      const pass = /^\/pass-api\/organization\/([^/]+)(\/.*)$/.exec(url.pathname);
      if (pass) {
        if (pass[1] !== orgId) return json(res, 404, { detail: 'unknown organisation' }, 'application/json');
        const status = handlePassApi(req, body, res, pass[2]);
        calls.push({ method: req.method ?? 'GET', path: `pass-api:${pass[2]}`, status, headers: req.headers, body });
        return;
      }
      if (!api || api[1] !== orgId) return scimError(res, 404, 'unknown organisation');
      if (lose > 0 && (!losePath || losePath.test(api[2]))) {
        lose--;
        const ignore = new http.ServerResponse(req);
        handleApi(req, body, ignore, api[2]);
        return req.socket.destroy();
      }
      const status = handleApi(req, body, res, api[2]);
      calls.push({ method: req.method ?? 'GET', path: api[2], status, headers: req.headers, body });
    });
  });
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const authUrl = `http://127.0.0.1:${port}`;
  const apiUrl = `http://127.0.0.1:${port}/credential-management`;

  const byCode = (c: string) => [...invitations.values()].find((i) => i.invitationCode === c);
  const must = (c: string) => {
    const inv = byCode(c);
    if (!inv) throw new Error(`peer: no invitation ${c}`);
    return inv;
  };

  const peer: OrigoPeer = {
    authUrl,
    apiUrl,
    orgId,
    env: {
      KEYWAY_HID_ORIGO_CLIENT_ID: clientId,
      KEYWAY_HID_ORIGO_CLIENT_SECRET: clientSecret,
      KEYWAY_HID_ORIGO_APPLICATION_ID: applicationId,
      KEYWAY_HID_ORIGO_PART_NUMBER: partNumber,
      KEYWAY_HID_ORIGO_AUTH_URL: authUrl,
      KEYWAY_HID_ORIGO_API_URL: apiUrl,
    },
    users,
    invitations,
    credentials,
    containers,
    passes,
    passApiUrl: `${authUrl}/pass-api`,
    passEnv: {
      KEYWAY_HID_PASS_TEMPLATE_ID: passTemplateId,
      KEYWAY_HID_PASS_API_URL: `${authUrl}/pass-api`,
      KEYWAY_HID_WEB_PROVISIONING_URL: `${authUrl}/web-provisioning`,
      KEYWAY_HID_WEB_PROVISIONING_APP_ID: webApplicationId,
      KEYWAY_HID_APPLE_PARTNER_ID: 'ORG-HID-TEST',
    },
    templateWallets: ['apple', 'google'],
    maxWallets: 4,
    calls,
    tokenLifetime: 3600,
    behaviour: { ...DEFAULT_BEHAVIOUR },
    failNext(n, status = 503) {
      failures = Array.from({ length: n }, () => status);
    },
    loseAnswers(n, path) {
      lose = n;
      losePath = path;
    },
    stall(ms, o = {}) {
      stallMs = ms;
      stallBody = !!o.bodyMs;
      stallPath = o.path;
      stallMethod = o.method;
    },
    limit(n, windowMs = 5 * 60_000) {
      budget = { calls: n, windowMs, window: [] };
    },
    async down() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
    async up() {
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    },
    expireTokens() {
      for (const t of tokens.keys()) tokens.set(t, 0);
    },
    acknowledge(c) {
      const inv = must(c);
      if (inv.status !== 'PENDING') throw new Error(`peer: invitation is ${inv.status}`);
      inv.status = 'ACKNOWLEDGED';
      return inv;
    },
    provision(c, phone = {}) {
      const inv = must(c);
      if (inv.status === 'PENDING') inv.status = 'ACKNOWLEDGED';
      const container: PeerContainer = {
        id: String(nextId++),
        userId: inv.userId,
        status: peer.behaviour.containerStatus,
        model: phone.model ?? 'iPhone 15',
        manufacturer: phone.manufacturer ?? 'Apple',
        osVersion: '18.1',
      };
      containers.set(container.id, container);
      let credential = credentials.get(inv.credentialId)!;
      if (peer.behaviour.newCredentialId) {
        // The phone's Mobile ID under an id of its own; the one the invitation named drops out.
        credentials.delete(credential.id);
        credential = { ...credential, id: String(nextId++), cardNumber: String(randomInt(10_000_000, 99_999_999)) };
        credentials.set(credential.id, credential);
      }
      credential.containerId = container.id;
      credential.status = peer.behaviour.liveStatus;
      return { container, credential };
    },
    expireInvitation(c) {
      must(c).status = 'EXPIRED';
    },
    completeCancellations() {
      let n = 0;
      for (const i of invitations.values()) {
        if (i.status === 'CANCEL_INITIATED') {
          i.status = 'CANCELLED';
          n++;
        }
      }
      return n;
    },
    completeRevocations() {
      let n = 0;
      for (const c of credentials.values()) {
        if (c.status === 'REVOKE_INITIATED') {
          c.status = 'REVOKED';
          n++;
        }
      }
      return n;
    },
    invitationByCode: byCode,
    provisionPass(passId, kinds) {
      const pass = passes.get(passId);
      if (!pass) throw new Error(`peer: no pass ${passId}`);
      pass.status = 'ACTIVE';
      const added = kinds.map((deviceType) => ({ id: `pd-${nextId++}`, deviceType, status: 'ACTIVE' }));
      pass.devices.push(...added);
      return added;
    },
    completePassDeletions() {
      let n = 0;
      for (const p of passes.values())
        if (p.deleting) {
          completeDeletion(p);
          n++;
        }
      return n;
    },
    async sendCallback(url, events, authorization) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/cloudevents-batch+json', ...(authorization ? { authorization } : {}) },
        body: JSON.stringify(events),
      });
      await res.body?.cancel();
      return res.status;
    },
    count(method, path) {
      return calls.filter((c) => c.method === method && path.test(c.path)).length;
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
        if (!server.listening) resolve();
      }),
  };
  return peer;
}
