// GET /api/3/events with the console's Activity filters (docs/console.md "Activity"): type (exact or
// a prefix), actor, subject, a time range; newest first; bad values are 400; on both backends.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createHarness, type Harness } from '../helpers/harness.js';
import { skipWithoutPostgres } from '../helpers/pg.js';

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`the audit log's filters (${backend})`, async () => {
    const skip = backend === 'postgres' ? await skipWithoutPostgres() : false;
    let h: Harness;
    let grace: number;
    let alan: number;
    let middle: string;
    before(async () => {
      if (skip) return;
      h = await createHarness({ backend });
      const add = async (first_name: string, last_name: string) =>
        (await h.request('POST', '/api/3/people', { token: h.sk, body: { person: { first_name, last_name } } })).body
          .person.id as number;
      grace = await add('Grace', 'Hopper');
      h.clock.advance(3600);
      middle = h.clock.now().toISOString();
      alan = await add('Alan', 'Turing');
      await h.request('PUT', `/api/3/people/${alan}`, { token: h.sk, body: { person: { last_name: 'Turing!' } } });
    });
    after(() => h?.close());
    const events = async (query: string) => {
      const r = await h.request('GET', `/api/3/events?${query}`, { token: h.skRead });
      assert.equal(r.status, 200, r.text);
      return r.body.events.map((e: { type: string; subject: string }) => `${e.type} ${e.subject}`);
    };

    test('type exact or by prefix, subject and actor; newest first', { skip }, async () => {
      assert.deepEqual(await events('type=person.created'), [
        `person.created person:${alan}`,
        `person.created person:${grace}`,
      ]);
      assert.deepEqual(await events('type=person.*'), [
        `person.updated person:${alan}`,
        `person.created person:${alan}`,
        `person.created person:${grace}`,
      ]);
      assert.deepEqual(await events(`subject=person:${grace}`), [`person.created person:${grace}`]);
      const all = (await h.request('GET', '/api/3/events?type=person.created', { token: h.skRead })).body.events;
      const actor = all[0].actor;
      assert.match(actor, /^key:/);
      assert.equal((await events(`actor=${encodeURIComponent(actor)}&type=person.*`)).length, 3);
      assert.deepEqual(await events('actor=staff:stf_nobody'), []);
      assert.deepEqual(await events('type=person%25'), [], 'a % is a plain character');
    });

    test('since and until bound the time, as ISO instants; a bad one is 400', { skip }, async () => {
      assert.deepEqual(await events(`type=person.*&until=${encodeURIComponent(middle)}`), [
        `person.created person:${grace}`,
      ]);
      assert.deepEqual(await events(`type=person.*&since=${encodeURIComponent(middle)}`), [
        `person.updated person:${alan}`,
        `person.created person:${alan}`,
      ]);
      const offset = encodeURIComponent(middle.replace('Z', '+00:00'));
      assert.equal((await events(`type=person.*&since=${offset}`)).length, 2);
      const bad = await h.request('GET', '/api/3/events?since=yesterday', { token: h.skRead });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error.code, 'invalid_request');
      assert.ok(bad.body.error.details.fields.since);
    });
  });
}
