// The door check's refused-check limit holds under concurrency (review, round two, point 2): counted
// atomically before the decision, given back when the check is allowed, on SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { REFUSED_CHECKS_PER_MINUTE } from '../../server/domain/access/door-check.js';
import { createKey } from '../../server/domain/callers/keys.js';
import { createHarness, type Harness } from '../helpers/harness.js';
import { skipWithoutPostgres } from '../helpers/pg.js';

/** `total` calls with `width` always in flight (a pool sized like PostgreSQL's would answer 503 to a thousand at once). */
async function inFlight<T>(width: number, total: number, call: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < total) {
        const i = next++;
        out[i] = await call(i);
      }
    }),
  );
  return out;
}

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`door-check limit on ${backend}`, async () => {
    const reason = backend === 'postgres' ? await skipWithoutPostgres() : false;
    if (reason) {
      test(`${backend} suite`, { skip: reason }, () => undefined);
      return;
    }
    let h: Harness;
    before(async () => {
      h = await createHarness({ backend });
    });
    after(async () => {
      h.assertLogsClean();
      await h.close();
    });
    const verify = (value: string, token: string) =>
      h.request('POST', '/api/3/access/verify', { token, body: { value } });
    const doorKey = async () => {
      const key = (await createKey(h.keyway.ctx, { kind: 'secret', scopes: ['account.access'] })).key;
      h.secrets.add(key);
      return key;
    };

    test('1,000 concurrent wrong checks: at most the limit refused and counted, the rest 429', async () => {
      const walker = await doorKey();
      const answers = await inFlight(64, 1000, (i) => verify(`guess-${String(i).padStart(6, '0')}`, walker));
      const refused = answers.filter((a) => a.status === 200);
      const limited = answers.filter((a) => a.status === 429);
      assert.ok(
        refused.every((a) => a.body.allowed === false),
        'every answered check was a refusal',
      );
      assert.equal(refused.length + limited.length, 1000, `other statuses: ${answers.map((a) => a.status)}`);
      assert.ok(
        refused.length <= REFUSED_CHECKS_PER_MINUTE,
        `${refused.length} wrong guesses answered in one minute (limit ${REFUSED_CHECKS_PER_MINUTE})`,
      );
      assert.equal(refused.length, REFUSED_CHECKS_PER_MINUTE, 'and the limit itself is reached, not undershot');
      assert.ok(
        limited.every((a) => a.body.error.code === 'rate_limited' && Number(a.headers.get('retry-after')) >= 1),
      );
    });

    test('an allowed check gives its count back: a key at limit − 1 that opens a door still has one refusal left', async () => {
      const key = await doorKey();
      const person = await h.request('POST', '/api/3/people', {
        token: h.sk,
        body: { first_name: 'A', last_name: 'B' },
      });
      const card = await h.request('POST', `/api/3/people/${person.body.person.id}/credentials`, {
        token: h.sk,
        body: { credential_type_id: 1, value: '55501234' },
      });
      assert.equal(card.status, 201);
      for (let i = 0; i < REFUSED_CHECKS_PER_MINUTE - 1; i++) assert.equal((await verify(`no-${i}`, key)).status, 200);
      for (let i = 0; i < 5; i++) assert.equal((await verify('55501234', key)).body.allowed, true);
      assert.equal((await verify('no-last', key)).status, 200, 'the 100th refusal is still answered');
      assert.equal((await verify('no-more', key)).status, 429, 'the 101st is limited');
    });
  });
}
