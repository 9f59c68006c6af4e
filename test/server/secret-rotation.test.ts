// Secret rotation's failure modes (issue 13 point 3): a row made under a key the server no longer
// has must fail visibly, never leave work stuck.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dispatchWebhooks } from '../../server/webhooks/dispatcher.js';
import { createHarness, TestClock, type Harness } from '../helpers/harness.js';
import { startReceiver, type Receiver } from '../helpers/peers.js';
import { fetchPass, redeemedCredential, requestApplePass } from '../helpers/passes.js';

describe('a webhook secret under an unknown key', () => {
  let h: Harness;
  let rx: Receiver;
  before(async () => {
    rx = await startReceiver();
    h = await createHarness({ clock: new TestClock(Date.now()) });
  });
  after(async () => {
    await h.close();
    await rx.close();
  });

  test('records a failed attempt naming the cause instead of throwing before the send', async () => {
    const r = await h.request('POST', '/api/3/webhooks', { token: h.sk, body: { webhook: { url: rx.url, events: ['credential.created'] } } });
    assert.equal(r.status, 201, r.text);
    // As if KEYWAY_SECRET_PREVIOUS had been removed before this row was re-encrypted.
    await h.store.db.updateTable('webhooks').set({ secret_enc: 'deadbeef.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }).where('id', '=', r.body.webhook.id).execute();
    const person = await h.request('POST', '/api/3/people', { token: h.sk, body: { person: { first_name: 'Rot', last_name: 'Ate' } } });
    await h.request('POST', `/api/3/people/${person.body.person.id}/credentials`, { token: h.sk, body: { person_credential: { credential_type_id: 6, value: '482193' } } });
    assert.equal(await dispatchWebhooks(h.keyway.ctx), 0);
    assert.equal(rx.received.length, 0, 'nothing unsigned is sent');
    const rows = await h.store.db.selectFrom('webhook_deliveries').selectAll().where('webhook_id', '=', r.body.webhook.id).execute();
    assert.equal(rows.length, 1);
    assert.equal(rows[0].attempts, 1, 'the attempt is recorded');
    assert.equal(rows[0].claimed_until, null, 'and the claim released');
    assert.match(rows[0].last_error ?? '', /KEYWAY_SECRET_PREVIOUS/);
  });
});

describe('a pass whose authentication token is under an unknown key', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness();
  });
  after(() => h.close());

  test('the PassKit latest-pass endpoint answers 401, not 500', async () => {
    const { ps } = await redeemedCredential(h);
    const req = await requestApplePass(h, ps);
    const pass = await fetchPass(h, req.url);
    const ptid = pass.passJson.passTypeIdentifier as string;
    await h.store.db.updateTable('devices').set({ auth_token_enc: 'deadbeef.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }).where('id', '=', req.device_id).execute();
    const res = await h.keyway.app.request(`/wallet/apple/v1/passes/${ptid}/${pass.passJson.serialNumber}`, { headers: { authorization: `ApplePass ${pass.passJson.authenticationToken}` } });
    assert.equal(res.status, 401, await res.text());
  });
});
