import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sweepPendingDevices } from '../../server/domain/credentials/sweeps.js';
import { deliverWalletPushes } from '../../server/domain/wallets/pushes.js';
import { tempDir } from '../fixtures/wallet/dev-chain.js';
import { GoogleCallbackSigner } from '../helpers/google.js';
import { createHarness, type Harness } from '../helpers/harness.js';
import { redeemedCredential } from '../helpers/passes.js';

describe('Google Wallet: save callback and state PATCHes', () => {
  let h: Harness;
  let server: Server;
  const patches: { path: string; body: any }[] = [];
  const google = new GoogleCallbackSigner();
  let issuerId: string;

  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        if (req.url === '/token') return res.end(JSON.stringify({ access_token: 'at-google', expires_in: 3600 }));
        if (req.method === 'PATCH') patches.push({ path: req.url!, body: JSON.parse(body) });
        res.end(body || '{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const keysFile = join(tempDir('keyway-gcb-'), 'keys.json');
    writeFileSync(keysFile, google.keysJson());
    h = await createHarness({
      env: {
        KEYWAY_GOOGLE_API_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        KEYWAY_GOOGLE_CALLBACK_KEYS: keysFile,
      },
    });
    h.secrets.add('at-google');
    issuerId = h.keyway.ctx.wallet!.google!.issuerId;
  });
  after(async () => {
    h.assertLogsClean();
    await h.close();
    server.close();
  });

  const callback = (objectId: string, nonce: string, messageKey?: import('node:crypto').KeyObject) =>
    google.callback(issuerId, objectId, nonce, { now: h.clock.now().getTime(), messageKey });

  test('a verified save activates the device and the credential once; a bad signature is 401 and changes nothing', async () => {
    const { ps, personId, credentialId } = await redeemedCredential(h);
    const pass = await h.request('POST', '/api/3/passes', { token: ps, body: { platform: 'google' } });
    assert.equal(pass.status, 200, pass.text);
    const { serial_number } = await h.store.db
      .selectFrom('devices')
      .select('serial_number')
      .where('id', '=', pass.body.device_id)
      .executeTakeFirstOrThrow();
    const objectId = `${issuerId}.${serial_number}`;

    const forged = await h.request('POST', '/wallet/google/callback', {
      body: callback(objectId, 'nonce-forged-1', new GoogleCallbackSigner().intermediate.privateKey),
    });
    assert.equal(forged.status, 401);
    const cred0 = (await h.request('GET', `/api/3/people/${personId}/credentials/${credentialId}`, { token: h.sk }))
      .body.person_credential;
    assert.equal(cred0.status, 'provisioning');

    const ok = await h.request('POST', '/wallet/google/callback', { body: callback(objectId, 'nonce-save-1') });
    assert.equal(ok.status, 200, ok.text);
    const cred = (await h.request('GET', `/api/3/people/${personId}/credentials/${credentialId}`, { token: h.sk })).body
      .person_credential;
    assert.equal(cred.status, 'active');
    assert.equal(cred.devices[0].status, 'active');
    const count = async () =>
      (await h.request('GET', `/api/3/events?subject=credential:${credentialId}`, { token: h.sk })).body.events.length;
    const n = await count();
    assert.equal(
      (await h.request('POST', '/wallet/google/callback', { body: callback(objectId, 'nonce-save-1') })).status,
      200,
      'a replayed nonce is acknowledged',
    );
    assert.equal(await count(), n, '… and changes nothing');

    await h.request('PUT', `/api/3/people/${personId}/credentials/${credentialId}`, {
      token: h.sk,
      body: { enabled: false },
    });
    await deliverWalletPushes(h.keyway.ctx);
    assert.deepEqual(patches.at(-1), {
      path: `/walletobjects/v1/genericObject/${encodeURIComponent(objectId)}`,
      body: { state: 'INACTIVE' },
    });
    await h.request('PUT', `/api/3/people/${personId}/credentials/${credentialId}`, {
      token: h.sk,
      body: { enabled: true },
    });
    await deliverWalletPushes(h.keyway.ctx);
    assert.equal(patches.at(-1)!.body.state, 'ACTIVE');

    const del = await h.request('DELETE', `/api/3/people/${personId}/credentials/${credentialId}`, { token: h.sk });
    assert.equal(del.body.person_credential.status, 'revoking');
    await deliverWalletPushes(h.keyway.ctx);
    assert.equal(patches.at(-1)!.body.state, 'INACTIVE');
    const done = (await h.request('GET', `/api/3/people/${personId}/credentials/${credentialId}`, { token: h.sk })).body
      .person_credential;
    assert.equal(done.status, 'revoked', 'the PATCH succeeding confirms the Google device');
  });

  test('bad callback bodies are 400', async () => {
    assert.equal(
      (await h.request('POST', '/wallet/google/callback', { body: { protocolVersion: 'ECv1' } })).status,
      400,
    );
  });

  test('the 24 h sweep revokes a pending Google device here: callbacks verify, so it could have been confirmed', async () => {
    const { ps } = await redeemedCredential(h);
    const pass = await h.request('POST', '/api/3/passes', { token: ps, body: { platform: 'google' } });
    assert.equal(pass.status, 200, pass.text);
    h.clock.advance(25 * 3600);
    assert.ok((await sweepPendingDevices(h.keyway.ctx)) >= 1);
    const device = await h.store.db
      .selectFrom('devices')
      .select('status')
      .where('id', '=', pass.body.device_id)
      .executeTakeFirstOrThrow();
    assert.equal(device.status, 'revoked');
  });
});

describe('Google Wallet without callback keys or REST API (KEYWAY_GOOGLE_CALLBACK_KEYS=off): nothing could confirm a save', () => {
  let h: Harness;
  before(async () => {
    // Development's default verifies the dev phone's saves (the dev callback keys): off, nothing can.
    h = await createHarness({ env: { KEYWAY_GOOGLE_CALLBACK_KEYS: 'off' } });
  });
  after(async () => {
    h.assertLogsClean();
    await h.close();
  });

  test('the 24 h sweep leaves the pending Google device pending (an Apple one is still revoked)', async () => {
    const { ps } = await redeemedCredential(h);
    const google = await h.request('POST', '/api/3/passes', { token: ps, body: { platform: 'google' } });
    assert.equal(google.status, 200, google.text);
    const apple = await h.request('POST', '/api/3/passes', { token: ps, body: { platform: 'apple' } });
    assert.equal(apple.status, 200, apple.text);
    h.secrets.add(
      new URL(apple.body.url).pathname
        .split('/')
        .pop()!
        .replace(/\.pkpass$/, ''),
    );
    h.clock.advance(25 * 3600);
    assert.equal(await sweepPendingDevices(h.keyway.ctx), 1);
    const status = async (id: string) =>
      (await h.store.db.selectFrom('devices').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;
    assert.equal(
      await status(google.body.device_id),
      'pending',
      'a Google device nothing could have confirmed is not revoked',
    );
    assert.equal(await status(apple.body.device_id), 'revoked');
  });
});
