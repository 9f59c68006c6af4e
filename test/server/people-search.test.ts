// The console's search box and status filter on GET /api/3/people (docs/console.md), on both backends.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createHarness, type Harness } from '../helpers/harness.js';
import { skipWithoutPostgres } from '../helpers/pg.js';

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`people search (${backend})`, async () => {
    const skip = backend === 'postgres' ? await skipWithoutPostgres() : false;
    let h: Harness;
    before(async () => {
      if (skip) return;
      h = await createHarness({ backend });
      const add = (person: Record<string, string>) =>
        h.request('POST', '/api/3/people', { token: h.sk, body: { person } });
      await add({ first_name: 'Grace', last_name: 'Hopper', email: 'grace@navy.example', phone: '+447400123456' });
      await add({ first_name: 'Ada', last_name: 'Lovelace', email: 'ada_100@example.com' });
      const alan = await add({ first_name: 'Alan', last_name: 'Turing' });
      await h.request('POST', `/api/3/people/${alan.body.person.id}/credentials`, {
        token: h.sk,
        body: { person_credential: { credential_type_id: 9 } },
      });
    });
    after(() => h?.close());
    const names = async (query: string) =>
      (await h.request('GET', `/api/3/people?${query}`, { token: h.skRead })).body.people.map(
        (p: { last_name: string }) => p.last_name,
      );

    test('q matches part of a name, email or phone, any case; % and _ are plain characters', { skip }, async () => {
      assert.deepEqual(await names('q=HOPP'), ['Hopper']);
      assert.deepEqual(await names('q=navy'), ['Hopper']);
      assert.deepEqual(await names('q=7400%20123'), ['Hopper']);
      assert.deepEqual(await names('q=ada%20love'), ['Lovelace']);
      assert.deepEqual(await names('q=%25'), []);
      assert.deepEqual(await names('q=_'), ['Lovelace']);
      assert.deepEqual(await names('q=nobody'), []);
    });

    test('credential_status keeps people holding a credential in that status', { skip }, async () => {
      assert.deepEqual(await names('credential_status=invited'), ['Turing']);
      assert.deepEqual(await names('credential_status=active'), []);
      const bad = await h.request('GET', '/api/3/people?credential_status=lost', { token: h.skRead });
      assert.equal(bad.status, 400);
    });
  });
}
