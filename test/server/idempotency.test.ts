import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { createHarness, type Harness, issueWalletPass, PARTNER_ORIGIN } from '../helpers/harness.js';
import { skipWithoutPostgres } from '../helpers/pg.js';
import { freshPhone } from '../helpers/sms.js';

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

// Review, round two, point 8 (rest): a keyed request refused by a rate limit wrote the record and took it back
// (an insert and a delete per request). Counted by a trigger on the idempotency table, on both databases.
for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`an Idempotency-Key is written only after validation and the rate limits, on ${backend}`, async () => {
    const reason = backend === 'postgres' ? await skipWithoutPostgres() : false;
    if (reason) {
      test(`${backend} suite`, { skip: reason }, () => undefined);
      return;
    }
    let k: Harness;
    before(async () => {
      k = await createHarness({
        backend,
        env: { KEYWAY_LIMIT_REDEEM_PER_IP_MIN: '3', KEYWAY_LIMIT_SENDS_PER_PHONE_HOUR: '2' },
      });
      // Every insert into the idempotency table leaves a row in idem_writes.
      await sql`create table idem_writes (n integer)`.execute(k.store.db);
      if (backend === 'sqlite') {
        await sql`create trigger idem_written after insert on idempotency begin insert into idem_writes values (1); end`.execute(
          k.store.db,
        );
      } else {
        await sql`create function idem_written() returns trigger language plpgsql as $$ begin insert into idem_writes values (1); return new; end $$`.execute(
          k.store.db,
        );
        await sql`create trigger idem_written after insert on idempotency for each row execute function idem_written()`.execute(
          k.store.db,
        );
      }
    });
    after(async () => {
      k.assertLogsClean();
      await k.close();
    });
    const writes = async () =>
      Number((await sql<{ n: number | string }>`select count(*) as n from idem_writes`.execute(k.store.db)).rows[0].n);
    const rows = async () =>
      Number((await sql<{ n: number | string }>`select count(*) as n from idempotency`.execute(k.store.db)).rows[0].n);
    const redeem = (code: string, key: string, ip: string) =>
      k.request('POST', '/api/3/invitations/redeem', {
        token: k.pk,
        body: { invitation_code: code },
        headers: { 'idempotency-key': key, origin: PARTNER_ORIGIN },
        ip,
      });

    test('a keyed invalid body and a keyed request over a rate limit write nothing; a valid keyed retry replays', async () => {
      const { code } = await issueWalletPass(k);
      const before = { writes: await writes(), rows: await rows() };
      const bad = await k.request('POST', '/api/3/invitations/redeem', {
        token: k.pk,
        body: { invitation_code: 42 },
        headers: { 'idempotency-key': 'bad-body', origin: PARTNER_ORIGIN },
        ip: '198.51.100.40',
      });
      assert.equal(bad.status, 400, bad.text);
      // Three redemption attempts a minute from one address: the fourth is refused before anything is written.
      const ip = '198.51.100.41';
      for (let i = 0; i < 3; i++) assert.equal((await redeem('0000-0000-0000', `miss-${i}`, ip)).status, 404);
      const afterMisses = await writes();
      const limited = await redeem(code, 'over-limit', ip);
      assert.equal(limited.status, 429, limited.text);
      assert.equal(await writes(), afterMisses, 'a redemption refused by its rate limit wrote no idempotency record');
      // Two sends an hour to one number: the third start is refused before anything is written.
      const phone = freshPhone();
      for (let i = 0; i < 2; i++) assert.equal((await startKeyed(k, phone, `send-${i}`)).status, 202);
      const afterSends = await writes();
      const third = await startKeyed(k, phone, 'send-over');
      assert.equal(third.status, 429, third.text);
      assert.equal(await writes(), afterSends, 'a start refused by its rate limit wrote no idempotency record');
      // A code that is not 6 digits is a bad body too.
      const started = await startKeyed(k, freshPhone(), 'send-other');
      const badCode = await k.request('POST', `/api/3/verifications/${started.body.verification_id}/check`, {
        token: k.pk,
        body: { code: '12-ab' },
        headers: { 'idempotency-key': 'bad-code', origin: PARTNER_ORIGIN },
        ip: '198.51.100.43',
      });
      assert.equal(badCode.status, 400, badCode.text);
      assert.equal(badCode.body.error.details.fields.code, 'Enter the 6 digits from the text message.');
      assert.equal(await writes(), afterSends + 1, 'a keyed code that is not 6 digits wrote no idempotency record');
      assert.equal(afterSends - before.writes, 3 + 2, 'only the requests that ran were recorded');
      assert.equal((await rows()) - before.rows, 3, 'and only the three starts kept (an error answer is not)');
      // A valid keyed request and its retry: the retry replays and counts against no limit.
      const first = await redeem(code, 'good', '198.51.100.42');
      assert.equal(first.status, 200, first.text);
      for (let i = 0; i < 4; i++) {
        const retry = await redeem(code, 'good', '198.51.100.42');
        assert.equal(retry.status, 200, retry.text);
        assert.equal(retry.headers.get('idempotent-replayed'), 'true');
        assert.equal(retry.body.provisioning_token, first.body.provisioning_token);
      }
      assert.equal((await redeem('0000-0000-0000', 'next', '198.51.100.42')).status, 404, 'replays counted nothing');
    });
  });
}

function startKeyed(k: Harness, phone: string, key: string) {
  return k.request('POST', '/api/3/verifications', {
    token: k.pk,
    body: { phone_number: phone },
    headers: { 'idempotency-key': key, origin: PARTNER_ORIGIN },
    ip: '198.51.100.43',
  });
}
