import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sha256 } from '../../server/crypto/secrets.js';
import { sweepPendingDevices } from '../../server/domain/credentials/sweeps.js';
import { devChain, openssl, tempDir } from '../fixtures/wallet/dev-chain.js';
import { createHarness, type Harness, issueWalletPass, PARTNER_ORIGIN } from '../helpers/harness.js';
import { clientSession, fetchPass, redeemedCredential, requestApplePass } from '../helpers/passes.js';

const PUBLIC_URL = 'http://127.0.0.1:8787';

function verifySignature(files: Record<string, Uint8Array>) {
  const dir = tempDir('keyway-pkpass-');
  writeFileSync(join(dir, 'manifest.json'), files['manifest.json']);
  writeFileSync(join(dir, 'signature'), files.signature);
  const chain = devChain();
  return openssl([
    'cms',
    '-verify',
    '-binary',
    '-inform',
    'DER',
    '-in',
    join(dir, 'signature'),
    '-content',
    join(dir, 'manifest.json'),
    '-CAfile',
    chain.paths.root,
    '-certfile',
    chain.paths.wwdr,
    '-purpose',
    'any',
    '-out',
    '/dev/null',
  ]);
}

describe('Apple passes: POST /api/3/passes and GET /passes/{token}.pkpass', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness({ env: { KEYWAY_BRAND_NAME: 'Acme Offices', KEYWAY_BRAND_COLOR: '#0b6e4f' } });
  });
  after(async () => {
    h.assertLogsClean();
    await h.close();
  });

  test('redeem → request → download: a signed pass openssl verifies against the dev chain, once', async () => {
    const { ps, credentialId, personId } = await redeemedCredential(h, { first_name: 'Ada', last_name: 'Lovelace' });
    const res = await h.request('POST', '/api/3/passes', {
      token: ps,
      body: { platform: 'apple' },
      headers: { origin: PARTNER_ORIGIN },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get('access-control-allow-origin'), PARTNER_ORIGIN);
    assert.match(res.body.device_id, /^dev_[A-Za-z0-9]+$/);
    const m = /^http:\/\/127\.0\.0\.1:8787\/passes\/(dl_[A-Za-z0-9]+)\.pkpass$/.exec(res.body.url);
    assert.ok(m, res.body.url);
    const token = m[1];
    h.secrets.add(token);
    assert.ok((token.length - 3) * Math.log2(62) >= 128, 'download token carries ≥ 128 bits');

    const pass = await fetchPass(h, res.body.url);
    assert.equal(pass.status, 200, pass.bytes.toString());
    assert.equal(pass.headers.get('content-type'), 'application/vnd.apple.pkpass');
    assert.equal(pass.headers.get('cache-control'), 'no-store');
    for (const f of [
      'pass.json',
      'manifest.json',
      'signature',
      'icon.png',
      'icon@2x.png',
      'icon@3x.png',
      'en.lproj/pass.strings',
      'de.lproj/pass.strings',
      'ar.lproj/pass.strings',
    ]) {
      assert.ok(pass.files[f], `${f} is in the .pkpass`);
    }
    const manifest = JSON.parse(Buffer.from(pass.files['manifest.json']).toString('utf8')) as Record<string, string>;
    assert.deepEqual(
      Object.keys(manifest).sort(),
      Object.keys(pass.files)
        .filter((f) => f !== 'manifest.json' && f !== 'signature')
        .sort(),
    );
    for (const [name, hash] of Object.entries(manifest))
      assert.equal(createHash('sha1').update(pass.files[name]).digest('hex'), hash, name);
    const ok = verifySignature(pass.files);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stderr, /Verification successful/);
    const tampered = {
      ...pass.files,
      'manifest.json': Buffer.from(
        Buffer.from(pass.files['manifest.json']).toString().replace('"pass.json":"', '"pass.json":"0'),
      ),
    };
    assert.notEqual(verifySignature(tampered).status, 0, 'one changed byte of manifest.json fails the signature');

    const pj = pass.passJson;
    assert.equal(pj.passTypeIdentifier, devChain().passTypeId);
    assert.equal(pj.teamIdentifier, devChain().teamId);
    assert.equal(pj.organizationName, 'Acme Offices');
    assert.equal(pj.backgroundColor, 'rgb(11, 110, 79)');
    assert.equal(pj.generic.primaryFields[0].value, 'Ada Lovelace');
    assert.equal(pj.webServiceURL, `${PUBLIC_URL}/wallet/apple`);
    assert.ok(pj.authenticationToken.length >= 16);
    assert.equal(pj.barcodes[0].format, 'PKBarcodeFormatQR');
    assert.ok(pj.barcodes[0].message.length >= 16);
    assert.equal(pj.nfc, undefined);
    h.secrets.add(pj.authenticationToken);
    h.secrets.add(pj.barcodes[0].message);

    // The device row: its serial, the token hashed and encrypted, its own value hashed and encrypted.
    const device = await h.store.db
      .selectFrom('devices')
      .selectAll()
      .where('id', '=', res.body.device_id)
      .executeTakeFirstOrThrow();
    assert.equal(device.status, 'pending');
    assert.equal(device.platform, 'apple');
    assert.equal(device.credential_id, credentialId);
    assert.equal(device.serial_number, pj.serialNumber);
    assert.equal(device.auth_token_hash, sha256(pj.authenticationToken));
    assert.equal(h.keyway.ctx.keys.decrypt(device.auth_token_enc!, device.id), pj.authenticationToken);
    assert.equal(device.value_hash, h.keyway.ctx.keys.lookupHash('value', pj.barcodes[0].message));
    assert.ok(!device.value_enc!.includes(pj.barcodes[0].message));

    const second = await fetchPass(h, res.body.url);
    assert.equal(second.status, 410);
    assert.equal(second.passJson.error.code, 'link_expired');

    const events = await h.request('GET', `/api/3/events?subject=credential:${credentialId}`, { token: h.sk });
    const types = events.body.events.map((e: { type: string }) => e.type);
    assert.ok(types.includes('pass.requested') && types.includes('device.added'), types.join());
    const outbox = await h.store.db
      .selectFrom('outbox')
      .selectAll()
      .where('credential_id', '=', credentialId)
      .where('event_type', '=', 'device.added')
      .execute();
    assert.equal(outbox.length, 1);
    assert.deepEqual(
      (({ event, device_id, platform, person_id }) => ({ event, device_id, platform, person_id }))(
        JSON.parse(outbox[0].payload),
      ),
      { event: 'device.added', device_id: res.body.device_id, platform: 'apple', person_id: personId },
    );
    const view = await h.request('GET', `/api/3/people/${personId}/credentials/${credentialId}`, { token: h.sk });
    assert.deepEqual(
      view.body.person_credential.devices.map((d: { id: string; status: string }) => [d.id, d.status]),
      [[res.body.device_id, 'pending']],
    );
  });

  test('per_device mode: two phones get different reader values; shared mode: the same one', async () => {
    const perDevice = await redeemedCredential(h);
    const a = await fetchPass(h, (await requestApplePass(h, perDevice.ps)).url);
    const b = await fetchPass(h, (await requestApplePass(h, perDevice.ps)).url);
    assert.notEqual(a.passJson.barcodes[0].message, b.passJson.barcodes[0].message);
    assert.notEqual(a.passJson.serialNumber, b.passJson.serialNumber);
    assert.notEqual(a.passJson.authenticationToken, b.passJson.authenticationToken);

    const shared = await redeemedCredential(h, {}, { value: 'CARD00012345678', value_mode: 'shared' });
    const c = await fetchPass(h, (await requestApplePass(h, shared.ps)).url);
    const d = await fetchPass(h, (await requestApplePass(h, shared.ps)).url);
    assert.equal(c.passJson.barcodes[0].message, 'CARD00012345678');
    assert.equal(d.passJson.barcodes[0].message, 'CARD00012345678');
    assert.notEqual(c.passJson.serialNumber, d.passJson.serialNumber);
    for (const p of [a, b, c, d])
      h.secrets.add(p.passJson.authenticationToken), h.secrets.add(p.passJson.barcodes[0].message);
  });

  test('who may ask: a publishable or secret key is 401; a bad platform 400; a disabled credential 403; another person’s 404', async () => {
    const mine = await redeemedCredential(h);
    for (const token of [h.pk, h.sk, undefined]) {
      const r = await h.request('POST', '/api/3/passes', { token, body: { platform: 'apple' } });
      assert.equal(r.status, 401);
      assert.equal(r.body.error.code, 'unauthorized');
    }
    const bad = await h.request('POST', '/api/3/passes', { token: mine.ps, body: { platform: 'windows' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'invalid_request');
    assert.ok(bad.body.error.details.fields.platform);
    const junk = await h.request('POST', '/api/3/passes', {
      token: mine.ps,
      raw: '{nope',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(junk.status, 400);
    assert.equal(junk.body.error.code, 'invalid_json');

    const other = await redeemedCredential(h);
    const notMine = await h.request('POST', '/api/3/passes', {
      token: mine.ps,
      body: { platform: 'apple', credential_id: other.credentialId },
    });
    assert.equal(notMine.status, 404);
    assert.equal(notMine.body.error.code, 'not_found');
    const cs = await clientSession(h, mine.personId);
    const csOther = await h.request('POST', '/api/3/passes', {
      token: cs,
      body: { platform: 'apple', credential_id: other.credentialId },
    });
    assert.equal(csOther.status, 404);
    const csNoId = await h.request('POST', '/api/3/passes', { token: cs, body: { platform: 'apple' } });
    assert.equal(csNoId.status, 400);
    assert.ok(csNoId.body.error.details.fields.credential_id);
    const csMine = await h.request('POST', '/api/3/passes', {
      token: cs,
      body: { platform: 'apple', credential_id: mine.credentialId },
    });
    assert.equal(csMine.status, 200, csMine.text);
    h.secrets.add(new URL(csMine.body.url).pathname);

    const invited = await issueWalletPass(h, {}, {});
    const csInvited = await h.request('POST', '/api/3/passes', {
      token: await clientSession(h, invited.personId),
      body: { platform: 'apple', credential_id: invited.credentialId },
    });
    assert.equal(csInvited.status, 409, 'an invitation must be redeemed before a pass');
    assert.equal(csInvited.body.error.code, 'invalid_transition');

    const link = await requestApplePass(h, mine.ps);
    const off = await h.request('PUT', `/api/3/people/${mine.personId}/credentials/${mine.credentialId}`, {
      token: h.sk,
      body: { enabled: false },
    });
    assert.equal(off.status, 200);
    const disabled = await h.request('POST', '/api/3/passes', { token: mine.ps, body: { platform: 'apple' } });
    assert.equal(disabled.status, 403);
    assert.equal(disabled.body.error.code, 'credential_disabled');
    const blocked = await fetchPass(h, link.url);
    assert.equal(blocked.status, 403, 'a link minted before the disable does not deliver');
    await h.request('PUT', `/api/3/people/${mine.personId}/credentials/${mine.credentialId}`, {
      token: h.sk,
      body: { enabled: true },
    });
    assert.equal((await fetchPass(h, link.url)).status, 200, 'the refused download did not spend the link');

    const revoked = await h.request('DELETE', `/api/3/people/${mine.personId}/credentials/${mine.credentialId}`, {
      token: h.sk,
    });
    assert.equal(revoked.status, 202);
    const afterRevoke = await h.request('POST', '/api/3/passes', { token: mine.ps, body: { platform: 'apple' } });
    assert.equal(afterRevoke.status, 409);
  });

  test('a download link lives 15 minutes; unknown and malformed tokens are 410, other paths 404', async () => {
    const { ps } = await redeemedCredential(h);
    const link = await requestApplePass(h, ps);
    h.clock.advance(15 * 60 + 1);
    const late = await fetchPass(h, link.url);
    assert.equal(late.status, 410);
    assert.equal(late.passJson.error.code, 'link_expired');
    assert.equal((await fetchPass(h, `${PUBLIC_URL}/passes/dl_${'A'.repeat(43)}.pkpass`)).status, 410);
    assert.equal((await fetchPass(h, `${PUBLIC_URL}/passes/nonsense.pkpass`)).status, 410);
    assert.equal((await fetchPass(h, `${PUBLIC_URL}/passes/dl_${'A'.repeat(43)}`)).status, 404);
  });

  test('a pending device unconfirmed for 24 h is revoked by the sweep; its link dies with it', async () => {
    h.clock.advance(24 * 3600);
    await sweepPendingDevices(h.keyway.ctx); // devices earlier tests left behind are now old enough
    const { ps, credentialId } = await redeemedCredential(h);
    const link = await requestApplePass(h, ps);
    h.clock.advance(24 * 3600 - 60);
    assert.equal(await sweepPendingDevices(h.keyway.ctx), 0);
    h.clock.advance(60);
    assert.equal(await sweepPendingDevices(h.keyway.ctx), 1);
    const device = await h.store.db
      .selectFrom('devices')
      .selectAll()
      .where('id', '=', link.device_id)
      .executeTakeFirstOrThrow();
    assert.equal(device.status, 'revoked');
    const outbox = await h.store.db
      .selectFrom('outbox')
      .select('event_type')
      .where('credential_id', '=', credentialId)
      .execute();
    assert.deepEqual(
      outbox.map((o) => o.event_type).filter((t) => t.startsWith('device.')),
      ['device.added', 'device.revoked'],
    );
    const events = await h.request('GET', `/api/3/events?subject=credential:${credentialId}&type=device.revoked`, {
      token: h.sk,
    });
    assert.equal(events.body.events[0].actor, 'system');
    assert.equal(await sweepPendingDevices(h.keyway.ctx), 0);
  });

  test('/readyz reports the signer; /openapi.json documents the pass and hand-off endpoints', async () => {
    const ready = await h.request('GET', '/readyz');
    assert.equal(ready.status, 200, ready.text);
    assert.equal(ready.body.checks.signer, 'ok');
    const doc = await h.request('GET', '/openapi.json');
    for (const p of ['/api/3/passes', '/passes/{download_token}.pkpass', '/api/3/handoffs', '/api/3/handoffs/redeem'])
      assert.ok(doc.body.paths[p], p);
    assert.ok(
      doc.body.paths['/passes/{download_token}.pkpass'].get.responses['200'].content['application/vnd.apple.pkpass'],
    );
  });
});

describe('Apple passes: configuration', () => {
  test('KEYWAY_APPLE_NFC_PUBLIC_KEY puts the reader value into VAS nfc too', async () => {
    const nfcKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      .publicKey.export({ format: 'der', type: 'spki' })
      .toString('base64');
    const h = await createHarness({ env: { KEYWAY_APPLE_NFC_PUBLIC_KEY: nfcKey } });
    try {
      const { ps } = await redeemedCredential(h);
      const pass = await fetchPass(h, (await requestApplePass(h, ps)).url);
      assert.deepEqual(pass.passJson.nfc, { message: pass.passJson.barcodes[0].message, encryptionPublicKey: nfcKey });
      h.secrets.add(pass.passJson.barcodes[0].message);
      h.assertLogsClean();
    } finally {
      await h.close();
    }
  });

  test('without signing material /readyz is 503 (signer not loaded) and no wallet is offered', async () => {
    const h = await createHarness({ wallet: null });
    try {
      const ready = await h.request('GET', '/readyz');
      assert.equal(ready.status, 503);
      assert.equal(ready.body.checks.signer, 'not loaded');
      const { ps } = await redeemedCredential(h);
      const r = await h.request('POST', '/api/3/passes', { token: ps, body: { platform: 'apple' } });
      assert.equal(r.status, 400);
      h.assertLogsClean();
    } finally {
      await h.close();
    }
  });

  test('KEYWAY_PASSES=off: no signer check, no wallets, no passes', async () => {
    const h = await createHarness({ env: { KEYWAY_PASSES: 'off' } });
    try {
      const ready = await h.request('GET', '/readyz');
      assert.equal(ready.status, 200);
      assert.equal(ready.body.checks.signer, undefined);
      const issued = await issueWalletPass(h);
      const redeem = await h.request('POST', '/api/3/invitations/redeem', {
        token: h.pk,
        body: { invitation_code: issued.code },
      });
      assert.deepEqual(redeem.body.wallets, []);
      const r = await h.request('POST', '/api/3/passes', {
        token: redeem.body.provisioning_token,
        body: { platform: 'google' },
      });
      assert.equal(r.status, 400);
      assert.equal(r.body.error.code, 'invalid_request');
      h.assertLogsClean();
    } finally {
      await h.close();
    }
  });
});
