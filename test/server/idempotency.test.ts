import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { createHarness, type Harness, issueWalletPass, PARTNER_ORIGIN } from '../helpers/harness.js';

let h: Harness;
before(async () => {
  h = await createHarness();
});
after(async () => {
  h.assertLogsClean();
  await h.close();
});

test('the same Idempotency-Key and body replays the first answer instead of acting twice', async () => {
  const body = { person: { first_name: 'Idem', last_name: 'Potent' } };
  const a = await h.request('POST', '/api/3/people', { token: h.sk, body, headers: { 'idempotency-key': 'k-1' } });
  const b = await h.request('POST', '/api/3/people', { token: h.sk, body, headers: { 'idempotency-key': 'k-1' } });
  assert.equal(a.status, 201);
  assert.equal(b.status, 201);
  assert.deepEqual(b.body, a.body);
  assert.equal(b.headers.get('idempotent-replayed'), 'true');
  const list = await h.request('GET', '/api/3/people?email=', { token: h.sk });
  assert.equal(list.body.people.filter((p: { first_name: string }) => p.first_name === 'Idem').length, 1);
});

test('the same key with another body is 422 idempotency_mismatch', async () => {
  await h.request('POST', '/api/3/people', {
    token: h.sk,
    body: { first_name: 'A', last_name: 'B' },
    headers: { 'idempotency-key': 'k-2' },
  });
  const res = await h.request('POST', '/api/3/people', {
    token: h.sk,
    body: { first_name: 'A', last_name: 'C' },
    headers: { 'idempotency-key': 'k-2' },
  });
  assert.equal(res.status, 422);
  assert.equal(res.body.error.code, 'idempotency_mismatch');
});

test('keys are scoped per caller and path', async () => {
  const a = await h.request('POST', '/api/3/people', {
    token: h.sk,
    body: { first_name: 'Scope', last_name: 'One' },
    headers: { 'idempotency-key': 'shared' },
  });
  const other = await h.request('POST', '/api/3/client_sessions', {
    token: h.sk,
    body: { person_id: a.body.person.id },
    headers: { 'idempotency-key': 'shared' },
  });
  assert.equal(other.status, 201, 'another path is another scope');
});

test('a redemption retried with its key gets the same token back within 15 minutes, not after; stored encrypted', async () => {
  const { code } = await issueWalletPass(h);
  const first = await h.request('POST', '/api/3/invitations/redeem', {
    token: h.pk,
    body: { invitation_code: code },
    headers: { 'idempotency-key': 'r-1' },
    ip: '198.51.100.1',
  });
  assert.equal(first.status, 200);
  const retry = await h.request('POST', '/api/3/invitations/redeem', {
    token: h.pk,
    body: { invitation_code: code },
    headers: { 'idempotency-key': 'r-1' },
    ip: '198.51.100.1',
  });
  assert.equal(retry.status, 200);
  assert.equal(retry.body.provisioning_token, first.body.provisioning_token);
  const otherIp = await h.request('POST', '/api/3/invitations/redeem', {
    token: h.pk,
    body: { invitation_code: code },
    headers: { 'idempotency-key': 'r-1' },
    ip: '198.51.100.2',
  });
  assert.equal(otherIp.status, 409, 'for a publishable key the scope is (key, client IP)');
  const rows = await h.store.db.selectFrom('idempotency').selectAll().execute();
  assert.ok(!JSON.stringify(rows).includes(first.body.provisioning_token), 'the stored answer is encrypted');
  h.clock.advance(16 * 60);
  const late = await h.request('POST', '/api/3/invitations/redeem', {
    token: h.pk,
    body: { invitation_code: code },
    headers: { 'idempotency-key': 'r-1' },
    ip: '198.51.100.1',
  });
  assert.notEqual(late.status, 200);
  assert.ok(!late.text.includes(first.body.provisioning_token));
});

test('an error answer is not remembered: the same key may be retried after fixing the cause', async () => {
  const bad = await h.request('POST', '/api/3/people', {
    token: h.sk,
    body: { first_name: 'Only' },
    headers: { 'idempotency-key': 'k-err' },
  });
  assert.equal(bad.status, 400);
  const again = await h.request('POST', '/api/3/people', {
    token: h.sk,
    body: { first_name: 'Only' },
    headers: { 'idempotency-key': 'k-err' },
  });
  assert.equal(again.status, 400);
});

// Review, round two, point 8: a keyed flood of bad bodies wrote the idempotency record twice per request.
test('an Idempotency-Key costs no write before the body is valid', async () => {
  const changes = async () =>
    Number((await sql<{ n: number }>`select total_changes() as n`.execute(h.store.db)).rows[0].n);
  const before = await changes();
  for (let i = 0; i < 20; i++) {
    const bad = await h.request('POST', '/api/3/verifications', {
      token: h.pk,
      body: { phone_number: 42 },
      headers: { 'idempotency-key': `flood-${i}`, origin: PARTNER_ORIGIN },
    });
    assert.equal(bad.status, 400, bad.text);
  }
  assert.equal((await changes()) - before, 0, 'twenty keyed bad bodies wrote nothing');
});
