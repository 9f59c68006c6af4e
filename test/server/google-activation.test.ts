// docs/lifecycle.md: a saved Google pass reaches `active` in a real deployment. `keyway serve` (production)
// runs against local stand-ins for Google: the Wallet REST API (strict, with `hasUsers`) and the
// URL Google publishes its callback signing keys at; callbacks are signed in ECv2SigningOnly.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { decodeJwt, importSPKI, jwtVerify } from 'jose';
import { SAVE_URL_PREFIX } from '../../server/wallet/google/save-link.js';
import { GoogleCallbackSigner, type KeysPeer, productionWalletFiles, startKeysPeer } from '../helpers/google.js';
import { TEST_SECRET } from '../helpers/harness.js';
import { type GoogleRestPeer, startGoogleRestPeer } from '../helpers/peers.js';
import { runCli, type ServerProcess, startServerProcess } from '../helpers/process.js';

const ISSUER = '3388000000077777777';
const PUBLIC_URL = 'https://keys.example.com';

describe('keyway serve (production): Google passes become active', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-gact-'));
  const files = productionWalletFiles(dir);
  const google = new GoogleCallbackSigner();
  let keysPeer: KeysPeer;
  let rest: GoogleRestPeer;
  let server: ServerProcess;
  let sk: string;
  let pk: string;
  let env: Record<string, string>;

  before(async () => {
    keysPeer = await startKeysPeer(google.keysJson());
    rest = await startGoogleRestPeer();
    env = {
      KEYWAY_ENV: 'production',
      KEYWAY_DATA_DIR: dir,
      DATABASE_URL: `sqlite:${path.join(dir, 'k.db')}`,
      KEYWAY_SECRET: TEST_SECRET,
      PUBLIC_URL,
      KEYWAY_SMS_PROVIDER: 'webhook',
      KEYWAY_SMS_WEBHOOK_URL: 'https://sms.example.com/hook',
      KEYWAY_SMS_WEBHOOK_SECRET: `whsec_${'A'.repeat(43)}=`,
      KEYWAY_APPLE_CERT: files.paths.cert,
      KEYWAY_APPLE_KEY: files.paths.key,
      KEYWAY_APPLE_WWDR: files.paths.wwdr,
      KEYWAY_GOOGLE_SA_FILE: files.paths.googleServiceAccount,
      KEYWAY_GOOGLE_ISSUER_ID: ISSUER,
      KEYWAY_GOOGLE_API_URL: rest.url,
      KEYWAY_GOOGLE_CALLBACK_KEYS: keysPeer.url,
      KEYWAY_GOOGLE_POLL_S: '1',
    };
    server = await startServerProcess(env, 'serve');
    const made = await runCli(['keys', 'create', '--scope', 'account.person'], env);
    assert.equal(made.code, 0, made.stderr);
    sk = made.stdout.trim();
    const madePk = await runCli(['keys', 'create', '--publishable', '--origins', 'https://partner.example'], env);
    assert.equal(madePk.code, 0, madePk.stderr);
    pk = madePk.stdout.trim();
  });
  after(async () => {
    await server?.stop();
    await keysPeer?.close();
    await rest?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function call(method: string, p: string, token: string | undefined, body?: unknown) {
    const res = await fetch(server.url + p, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
        origin: 'https://partner.example',
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, text };
  }

  /** A redeemed wallet-pass credential and a Google pass for it: the object id and the save JWT. */
  async function googlePass() {
    const person = await call('POST', '/api/3/people', sk, { first_name: 'Ada', last_name: 'Lovelace' });
    assert.equal(person.status, 201, person.text);
    const cred = await call('POST', `/api/3/people/${person.body.person.id}/credentials`, sk, {
      credential_type_id: 9,
      deliver: 'none',
    });
    assert.equal(cred.status, 201, cred.text);
    const redeemed = await call('POST', '/api/3/invitations/redeem', pk, {
      invitation_code: cred.body.person_credential.invitation_code,
    });
    assert.equal(redeemed.status, 200, redeemed.text);
    const pass = await call('POST', '/api/3/passes', redeemed.body.provisioning_token, { platform: 'google' });
    assert.equal(pass.status, 200, pass.text);
    const jwt = pass.body.url.slice(SAVE_URL_PREFIX.length);
    const object = (decodeJwt(jwt) as any).payload.genericObjects[0];
    const credentialPath = `/api/3/people/${person.body.person.id}/credentials/${cred.body.person_credential.id}`;
    const state = async () => (await call('GET', credentialPath, sk)).body.person_credential;
    return {
      jwt,
      objectId: object.id as string,
      classId: object.classId as string,
      deviceId: pass.body.device_id as string,
      credentialId: cred.body.person_credential.id as string,
      state,
    };
  }

  test('the class Google holds names PUBLIC_URL/wallet/google/callback; the save JWT verifies with the service account', async () => {
    const { jwt, classId } = await googlePass();
    const { payload } = await jwtVerify(
      jwt,
      await importSPKI(files.googlePublicKey.export({ format: 'pem', type: 'spki' }) as string, 'RS256'),
      { issuer: files.clientEmail, audience: 'google' },
    );
    assert.equal((payload as any).payload.genericClasses, undefined, 'the class went in through the REST API');
    assert.deepEqual(rest.classes.get(classId)?.callbackOptions, { url: `${PUBLIC_URL}/wallet/google/callback` });
  });

  test('a save callback signed with the published keys activates the device; a wrong key is 401; the keys are fetched once', async () => {
    const pass = await googlePass();
    const forger = new GoogleCallbackSigner();
    const forged = await call(
      'POST',
      '/wallet/google/callback',
      undefined,
      forger.callback(ISSUER, pass.objectId, 'n-forged'),
    );
    assert.equal(forged.status, 401, forged.text);
    assert.equal((await pass.state()).status, 'provisioning');

    const ok = await call(
      'POST',
      '/wallet/google/callback',
      undefined,
      google.callback(ISSUER, pass.objectId, 'n-save-1'),
    );
    assert.equal(ok.status, 200, ok.text);
    const cred = await pass.state();
    assert.equal(cred.status, 'active');
    assert.equal(cred.devices[0].status, 'active');
    assert.equal(
      keysPeer.fetches,
      1,
      'the keys were fetched once and cached (max-age); a forged signature right after a fetch does not refetch',
    );
    const wrong = await call(
      'POST',
      '/wallet/google/callback',
      undefined,
      forger.callback(ISSUER, pass.objectId, 'n-forged-2'),
    );
    assert.equal(wrong.status, 401);
    assert.equal(keysPeer.fetches, 1);
  });

  test('without a callback, the REST poll sees hasUsers turn true and activates the device (event and all)', async () => {
    const pass = await googlePass();
    // The poll asks, Google has no such object yet (the JWT carries it until someone saves): still pending.
    const askedFor = () =>
      rest.requests.filter(
        (r) => r.method === 'GET' && r.path === `/walletobjects/v1/genericObject/${encodeURIComponent(pass.objectId)}`,
      ).length;
    for (let i = 0; i < 50 && askedFor() < 2; i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(askedFor() >= 2, 'the poll asked Google about the pending device');
    assert.equal((await pass.state()).status, 'provisioning', 'not saved, not active');

    rest.save(pass.objectId, pass.classId);
    let cred!: Awaited<ReturnType<typeof pass.state>>;
    for (let i = 0; i < 50; i++) {
      cred = await pass.state();
      if (cred.status === 'active') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(cred.status, 'active', 'hasUsers=true confirms the device within a few poll rounds');
    assert.equal(cred.devices[0].status, 'active');
    const events = (await call('GET', `/api/3/events?subject=credential:${pass.credentialId}`, sk)).body.events.map(
      (e: any) => e.type,
    );
    assert.ok(events.includes('device.confirmed'), events.join(','));
  });
});
