// A door value belongs to one holder (review, round two, point 4): a card number or PIN another live
// credential holds is refused with 409 value_in_use, on SQLite and PostgreSQL, even when two arrive at once.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createHarness, type Harness } from '../helpers/harness.js';
import { skipWithoutPostgres } from '../helpers/pg.js';

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`door values on ${backend}: one holder each`, async () => {
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

    const person = async (first_name: string) =>
      (await h.request('POST', '/api/3/people', { token: h.sk, body: { first_name, last_name: 'Holder' } })).body.person
        .id as number;
    const issue = (personId: number, credential_type_id: number, value: string) =>
      h.request('POST', `/api/3/people/${personId}/credentials`, {
        token: h.sk,
        body: { person_credential: { credential_type_id, value } },
      });
    const verify = (value: string) => h.request('POST', '/api/3/access/verify', { token: h.sk, body: { value } });

    test('a duplicate PIN or card number for another person → 409 value_in_use; nothing is stored', async () => {
      const ada = await person('Ada');
      const bob = await person('Bob');
      assert.equal((await issue(ada, 6, '482916')).status, 201);
      const pin = await issue(bob, 6, '482916');
      assert.equal(pin.status, 409, pin.text);
      assert.equal(pin.body.error.code, 'value_in_use');
      assert.ok(!pin.text.includes('482916'), 'the answer does not repeat the value');
      assert.equal((await issue(ada, 1, '00451234')).status, 201);
      const card = await issue(bob, 1, '00451234');
      assert.equal(card.status, 409, card.text);
      assert.equal(card.body.error.code, 'value_in_use');
      const bobs = await h.request('GET', `/api/3/people/${bob}/credentials`, { token: h.sk });
      assert.deepEqual(bobs.body.person_credentials, [], 'no credential was created for Bob');
      assert.equal((await verify('482916')).body.person_id, ada, 'the door still names the one holder');
    });

    test('the same person’s card number on a wallet pass stays allowed (elumo)', async () => {
      const eve = await person('Eve');
      assert.equal((await issue(eve, 1, '00779911')).status, 201);
      const pass = await issue(eve, 9, '00779911');
      assert.equal(pass.status, 201, pass.text);
      const other = await issue(await person('Mallory'), 9, '00779911');
      assert.equal(other.status, 409, 'but not on another person’s pass');
    });

    test('once the holder’s credential is revoked, the value may be given to someone else', async () => {
      const old = await person('Old');
      const card = await issue(old, 1, '00112233');
      assert.equal(card.status, 201);
      const del = await h.request('DELETE', `/api/3/people/${old}/credentials/${card.body.person_credential.id}`, {
        token: h.sk,
      });
      assert.equal(del.status, 202);
      const next = await person('Next');
      const again = await issue(next, 1, '00112233');
      assert.equal(again.status, 201, again.text);
      const r = await verify('00112233');
      assert.deepEqual([r.body.allowed, r.body.person_id], [true, next]);
    });

    test('ten people given the same PIN at once: exactly one gets it', async () => {
      const people = await Promise.all(Array.from({ length: 10 }, (_, i) => person(`Racer${i}`)));
      const answers = await Promise.all(people.map((p) => issue(p, 6, '90817263')));
      const statuses = answers.map((a) => a.status).sort();
      assert.deepEqual(statuses, [201, ...Array(9).fill(409)], answers.map((a) => a.text.slice(0, 80)).join('\n'));
    });
  });
}
