// Shared steps of the pass tests: a redeemed credential, and a .pkpass fetched and unpacked.
import assert from 'node:assert/strict';
import { unzipSync } from 'fflate';
import { type Harness, issueWalletPass } from './harness.js';

/** A wallet-pass credential redeemed through the partner's publishable key: its ps_ and ids. */
export async function redeemedCredential(
  h: Harness,
  person: Record<string, unknown> = {},
  credential: Record<string, unknown> = {},
) {
  const issued = await issueWalletPass(h, person, credential);
  const r = await h.request('POST', '/api/3/invitations/redeem', {
    token: h.pk,
    body: { invitation_code: issued.code },
  });
  assert.equal(r.status, 200, r.text);
  return { ...issued, ps: r.body.provisioning_token as string };
}

/** A client session for a person, minted by the partner backend. */
export async function clientSession(h: Harness, personId: number, origins?: string[]): Promise<string> {
  const r = await h.request('POST', '/api/3/client_sessions', {
    token: h.sk,
    body: { person_id: personId, ...(origins ? { origins } : {}) },
  });
  assert.equal(r.status, 201, r.text);
  return r.body.token;
}

export interface FetchedPass {
  status: number;
  headers: Headers;
  bytes: Buffer;
  files: Record<string, Uint8Array>;
  passJson: any;
}

/** GETs a .pkpass URL through app.request (binary, so not via h.request) and unzips a 200. */
export async function fetchPass(h: Harness, url: string): Promise<FetchedPass> {
  const path = new URL(url).pathname;
  const res = await h.keyway.app.request(path, { headers: { 'x-forwarded-for': '198.51.100.9' } });
  const bytes = Buffer.from(await res.arrayBuffer());
  if (res.status !== 200)
    return {
      status: res.status,
      headers: res.headers,
      bytes,
      files: {},
      passJson: JSON.parse(bytes.toString('utf8') || 'null'),
    };
  const files = unzipSync(bytes);
  return {
    status: res.status,
    headers: res.headers,
    bytes,
    files,
    passJson: JSON.parse(Buffer.from(files['pass.json']).toString('utf8')),
  };
}

/** Requests an Apple pass and remembers the download token as a secret the logs must never show. */
export async function requestApplePass(h: Harness, token: string, body: Record<string, unknown> = {}) {
  const r = await h.request('POST', '/api/3/passes', { token, body: { platform: 'apple', ...body } });
  assert.equal(r.status, 200, r.text);
  h.secrets.add(
    new URL(r.body.url).pathname
      .split('/')
      .pop()!
      .replace(/\.pkpass$/, ''),
  );
  return r.body as { url: string; device_id: string };
}
