import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createKey } from '../../server/domain/callers/keys.js';
import { createHarness, type Harness, issueWalletPass } from '../helpers/harness.js';
import { fetchPass, redeemedCredential, requestApplePass } from '../helpers/passes.js';

/** The reader value printed in a device's pass (its QR code). */
async function deviceValue(h: Harness, url: string): Promise<string> {
  const pass = await fetchPass(h, url);
  assert.equal(pass.status, 200);
  const value = pass.passJson.barcodes[0].message as string;
  h.secrets.add(value);
  return value;
}

describe('POST /api/3/access/verify', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness();
  });
  after(async () => {
    h.assertLogsClean();
    await h.close();
  });

  const verify = (value: string, token = h.sk) => h.request('POST', '/api/3/access/verify', { token, body: { value } });

  test('per-device values: each phone opens doors; one revoked phone is refused at once, the other still opens', async () => {
    const { ps, personId, credentialId } = await redeemedCredential(h);
    const a = await requestApplePass(h, ps);
    const b = await requestApplePass(h, ps);
    const va = await deviceValue(h, a.url);
    const vb = await deviceValue(h, b.url);
    assert.notEqual(va, vb);
    assert.ok(va.length >= 16);

    const ra = await verify(va);
    assert.equal(ra.status, 200, ra.text);
    assert.deepEqual(ra.body, {
      allowed: true,
      credential_id: credentialId,
      person_id: personId,
      device_id: a.device_id,
    });

    const del = await h.request(
      'DELETE',
      `/api/3/people/${personId}/credentials/${credentialId}/devices/${a.device_id}`,
      { token: h.sk },
    );
    assert.equal(del.status, 202, del.text);
    const refused = await verify(va);
    assert.equal(refused.body.allowed, false);
    assert.equal(refused.body.reason, 'device_revoked');
    assert.equal(refused.body.device_id, a.device_id);
    assert.equal((await verify(vb)).body.allowed, true, 'the other phone keeps working');

    const events = await h.request('GET', `/api/3/events?type=access.checked&subject=credential:${credentialId}`, {
      token: h.sk,
    });
    assert.equal(events.body.events.length, 3);
    assert.equal(events.body.events[0].data.allowed, true);
    assert.equal(events.body.events[1].data.reason, 'device_revoked');
    assert.ok(!JSON.stringify(events.body).includes(va), 'the value itself is never in the audit log');
  });

  test('disabled, suspended, revoked and unknown values are refused with a reason', async () => {
    const { ps, personId, credentialId } = await redeemedCredential(h);
    const d = await requestApplePass(h, ps);
    const v = await deviceValue(h, d.url);
    await h.request('PUT', `/api/3/people/${personId}/credentials/${credentialId}`, {
      token: h.sk,
      body: { enabled: false },
    });
    assert.deepEqual((await verify(v)).body.reason, 'credential_disabled');
    await h.request('PUT', `/api/3/people/${personId}/credentials/${credentialId}`, {
      token: h.sk,
      body: { enabled: true },
    });
    assert.equal((await verify(v)).body.allowed, true);
    const del = await h.request('DELETE', `/api/3/people/${personId}/credentials/${credentialId}`, { token: h.sk });
    assert.equal(del.status, 202);
    const r = await verify(v);
    assert.equal(r.body.allowed, false);
    assert.ok(['credential_revoked', 'device_revoked'].includes(r.body.reason), r.text);

    const unknown = await verify('no-such-value-0000');
    assert.deepEqual(unknown.body, { allowed: false, reason: 'unknown_value' });
  });

  test('a shared value opens doors while the credential is live; a suspended card is refused', async () => {
    const shared = await issueWalletPass(h, {}, { value: 'CARD-0042-SHARED' });
    h.secrets.add('CARD-0042-SHARED');
    assert.equal((await verify('CARD-0042-SHARED')).body.reason, 'credential_not_provisioned', 'invited: not yet');
    const r = await h.request('POST', '/api/3/invitations/redeem', {
      token: h.pk,
      body: { invitation_code: shared.code },
    });
    assert.equal(r.status, 200);
    const ok = await verify('CARD-0042-SHARED');
    assert.deepEqual(ok.body, { allowed: true, credential_id: shared.credentialId, person_id: shared.personId });

    const person = await h.request('POST', '/api/3/people', {
      token: h.sk,
      body: { first_name: 'Card', last_name: 'Holder' },
    });
    const card = await h.request('POST', `/api/3/people/${person.body.person.id}/credentials`, {
      token: h.sk,
      body: { credential_type_id: 1, value: '0099887766' },
    });
    assert.equal((await verify('0099887766')).body.allowed, true);
    await h.request('PUT', `/api/3/people/${person.body.person.id}/credentials/${card.body.person_credential.id}`, {
      token: h.sk,
      body: { enabled: false },
    });
    assert.equal((await verify('0099887766')).body.reason, 'credential_suspended');
  });

  test('scope account.access or account.person; the read-only scope is 403 insufficient_scope; bad bodies are 400', async () => {
    const door = (await createKey(h.keyway.ctx, { kind: 'secret', scopes: ['account.access'] })).key;
    h.secrets.add(door);
    assert.equal((await verify('x', door)).status, 200, 'a door controller key checks values');
    assert.equal((await h.request('GET', '/api/3/people', { token: door })).status, 403, '…and may call nothing else');
    const read = await verify('x', h.skRead);
    assert.equal(read.status, 403);
    assert.equal(read.body.error.code, 'insufficient_scope');
    assert.equal((await verify('x', h.pk)).status, 401);
    const bad = await h.request('POST', '/api/3/access/verify', { token: h.sk, body: { value: '' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'invalid_request');
  });

  test('refused checks count ≤ 100 a minute per key: no key can walk the PIN space; other keys are unaffected', async () => {
    const walker = (await createKey(h.keyway.ctx, { kind: 'secret', scopes: ['account.access'] })).key;
    h.secrets.add(walker);
    const statuses: number[] = [];
    for (let pin = 0; pin < 105; pin++) statuses.push((await verify(String(pin).padStart(4, '0'), walker)).status);
    assert.deepEqual(statuses.slice(0, 100), Array(100).fill(200));
    assert.deepEqual(statuses.slice(100), Array(5).fill(429), 'the 101st refused check is limited');
    const limited = await verify('0000', walker);
    assert.equal(limited.body.error.code, 'rate_limited');
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
    assert.equal((await verify('0000')).status, 200, 'another key still checks');
    h.clock.advance(61);
    assert.equal((await verify('0000', walker)).status, 200, 'the next minute the key checks again');
  });
});
