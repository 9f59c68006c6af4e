/**
 * Issue 28: the statements a request sends to PostgreSQL, counted from the pool's own query log —
 * every `query` of every client the pool hands out while the request runs (async context), the
 * notification sent after it included. A redemption and an SMS start send at most 4, a wrong-code
 * check 1 (a key in use: its look-up is answered from the read cache). Each statement is a network round trip; see docs/deploy.md for what they cost.
 */
import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import { after, before, describe, test } from 'node:test';
import type pg from 'pg';
import { createHarness, type Harness, issueWalletPass } from '../helpers/harness.js';
import { skipWithoutPostgres } from '../helpers/pg.js';
import { check, latestSms, personWithPhone, startVerification, wrongCode } from '../helpers/sms.js';

const skip = await skipWithoutPostgres();

/** The pool's query log: the SQL of each statement a client of `pool` sent inside `counting`. */
function queryLog(pool: pg.Pool) {
  const request = new AsyncLocalStorage<string[]>();
  const watched = new WeakSet<object>();
  const connect = pool.connect.bind(pool) as () => Promise<pg.PoolClient>;
  (pool as { connect: unknown }).connect = async () => {
    const client = await connect();
    if (!watched.has(client)) {
      watched.add(client);
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as { query: unknown }).query = (...args: unknown[]) => {
        const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text: string }).text;
        request.getStore()?.push(text.replace(/\s+/g, ' ').slice(0, 160));
        return query(...args);
      };
    }
    return client;
  };
  return async <T>(work: () => Promise<T>): Promise<{ result: T; statements: string[] }> => {
    const statements: string[] = [];
    const result = await request.run(statements, work);
    await new Promise((r) => setTimeout(r, 50)); // a statement sent without waiting for it (a notification) is counted too
    return { result, statements };
  };
}

describe('PostgreSQL round trips in the request', { skip }, () => {
  let h: Harness;
  let counting: ReturnType<typeof queryLog>;
  before(async () => {
    h = await createHarness({ backend: 'postgres' });
    counting = queryLog(h.store.pool!);
    // The key's first use reads it and stamps `last_used_at` (at most once a while per key), then it
    // is answered from the read cache: the requests counted below are those of a key in use.
    for (let i = 0; i < 2; i++)
      await h.request('POST', '/api/3/invitations/redeem', { token: h.pk, body: { invitation_code: 'unknown' } });
  });
  after(async () => {
    await h.close();
  });

  test('an invitation redemption sends at most 4 statements', async () => {
    const { code, credentialId } = await issueWalletPass(h);
    const { result: res, statements } = await counting(() =>
      h.request('POST', '/api/3/invitations/redeem', { token: h.pk, body: { invitation_code: code } }),
    );
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.credential.id, credentialId);
    console.log(`redemption, ${statements.length} statements:\n  ${statements.join('\n  ')}`);
    assert.ok(statements.length <= 4, `${statements.length} statements:\n${statements.join('\n')}`);
    // Everything the redemption writes is there, once.
    const events = await h.store.db
      .selectFrom('events')
      .select('type')
      .where('subject', '=', `credential:${credentialId}`)
      .execute();
    assert.deepEqual(
      events
        .map((e) => e.type)
        .filter((t) => t !== 'credential.created' && t !== 'invitation.issued') // the issue's own events
        .sort(),
      ['credential.status_changed', 'invitation.redeemed'],
    );
    const outbox = await h.store.db
      .selectFrom('outbox')
      .select('event_type')
      .where('credential_id', '=', credentialId)
      .execute();
    assert.deepEqual(outbox.map((o) => o.event_type).sort(), ['credential.created', 'credential.status_changed']);
    const again = await h.request('POST', '/api/3/invitations/redeem', {
      token: h.pk,
      body: { invitation_code: code },
    });
    assert.equal(again.body?.error?.code, 'invitation_used');
  });

  test('an SMS verification start sends at most 4 statements', async () => {
    const { phone } = await personWithPhone(h);
    const { result: res, statements } = await counting(() => startVerification(h, phone));
    assert.equal(res.status, 202, res.text);
    console.log(`SMS start, ${statements.length} statements:\n  ${statements.join('\n  ')}`);
    assert.ok(statements.length <= 4, `${statements.length} statements:\n${statements.join('\n')}`);
    const queued = await h.store.db
      .selectFrom('message_queue')
      .select('ref')
      .where('ref', '=', res.body.verification_id)
      .execute();
    assert.equal(queued.length, 1);
  });

  test('a wrong-code check sends 1 statement, and the right code still succeeds after it', async () => {
    const { phone } = await personWithPhone(h);
    const start = await startVerification(h, phone);
    assert.equal(start.status, 202, start.text);
    await h.flushMessages();
    const sms = await latestSms(h, phone);
    const { result: res, statements } = await counting(() => check(h, start.body.verification_id, wrongCode(sms.code)));
    assert.equal(res.status, 422, res.text);
    assert.equal(res.body.error.code, 'incorrect_code');
    assert.equal(res.body.error.details.attempts_left, 4);
    console.log(`wrong-code check, ${statements.length} statement(s):\n  ${statements.join('\n  ')}`);
    assert.equal(statements.length, 1, statements.join('\n'));
    const ok = await check(h, start.body.verification_id, sms.code);
    assert.equal(ok.status, 200, ok.text);
  });
});
