// HID Seos badges in the wallets (credential type 10, SPEC §16): configuration, and issuing through a
// strict local HID Origo (Credential Management API v3) over HTTP, on SQLite and PostgreSQL.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { restoreIssuanceToken, spendIssuanceToken } from '../../server/domain/hid/badges.js';
import { createHarness, type Harness, TestClock } from '../helpers/harness.js';
import { type OrigoPeer, startOrigoPeer } from '../helpers/origo-peer.js';
import { skipWithoutPostgres } from '../helpers/pg.js';

async function createPerson(h: Harness, person: Record<string, unknown>): Promise<number> {
  const r = await h.request('POST', '/api/3/people', { token: h.sk, body: { person } });
  assert.equal(r.status, 201, r.text);
  return r.body.person.id;
}
const issueBadge = (h: Harness, personId: number, extra: Record<string, unknown> = {}) =>
  h.request('POST', `/api/3/people/${personId}/credentials`, {
    token: h.sk,
    body: { person_credential: { credential_type_id: 10, ...extra } },
  });

describe('HID wallet badges not configured', () => {
  let h: Harness;
  let peer: OrigoPeer;
  before(async () => {
    peer = await startOrigoPeer();
    h = await createHarness({ backend: 'sqlite', env: peer.env }); // type 8 yes, no pass template
  });
  after(async () => {
    await h.close();
    await peer.close();
  });

  it('type 10 is neither listed nor creatable without a pass template', async () => {
    const types = await h.request('GET', '/api/3/credential_types');
    assert.deepEqual(
      types.body.credential_types.map((t: { id: number }) => t.id),
      [1, 6, 8, 9],
    );
    const personId = await createPerson(h, { first_name: 'No', last_name: 'Template' });
    const r = await issueBadge(h, personId);
    assert.equal(r.status, 422);
    assert.equal(r.body.error.code, 'unknown_credential_type');
    assert.equal(peer.passes.size, 0);
  });
});

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`HID wallet badges: issuing through HID Origo (${backend})`, async () => {
    const skip = backend === 'postgres' ? await skipWithoutPostgres() : false;
    let h: Harness;
    let peer: OrigoPeer;
    before(async () => {
      if (skip) return;
      const clock = new TestClock();
      peer = await startOrigoPeer({ now: () => clock.now().getTime() });
      h = await createHarness({ backend, clock, env: { ...peer.env, ...peer.passEnv } });
    });
    after(async () => {
      if (skip) return;
      await h.close();
      await peer.close();
    });

    it('type 10 is offered when configured', { skip }, async () => {
      const r = await h.request('GET', '/api/3/credential_types');
      assert.deepEqual(
        r.body.credential_types.map((t: { id: number }) => t.id),
        [1, 6, 8, 9, 10],
      );
      const badge = r.body.credential_types.find((t: { id: number }) => t.id === 10);
      assert.equal(badge.name, 'HID Wallet Badge');
      assert.equal(badge.format, 'mobile');
    });

    it('issuing creates the Origo Pass from the template; 201 invited with a Keyway code and link; the token kept encrypted and spent once', {
      skip,
    }, async () => {
      const personId = await createPerson(h, { first_name: 'Badge', last_name: 'Holder' });
      const r = await issueBadge(h, personId);
      assert.equal(r.status, 201, r.text);
      const cred = r.body.person_credential;
      assert.equal(cred.status, 'invited');
      assert.equal(cred.credential_type_id, 10);
      assert.ok(cred.invitation_code, 'a Keyway invitation code, as for type 9');
      assert.ok(cred.invitation_url);
      const user = [...peer.users.values()].find((u) => u.externalId === `keyway-person-${personId}`)!;
      const passes = [...peer.passes.values()].filter((p) => p.userId === String(user.id));
      assert.equal(passes.length, 1);
      assert.equal(passes[0].passTemplateId, peer.passEnv.KEYWAY_HID_PASS_TEMPLATE_ID);
      const row = await h.store.db
        .selectFrom('hid_passes')
        .selectAll()
        .where('credential_id', '=', cred.id)
        .executeTakeFirstOrThrow();
      assert.equal(row.origo_pass_id, passes[0].id);
      assert.ok(row.issuance_token_enc && !row.issuance_token_enc.includes(passes[0].issuanceToken), 'encrypted');
      // Single use: one taker gets it; a call that never reached Origo gives it back.
      const ctx = h.keyway.ctx;
      const at = new Date().toISOString();
      assert.equal(await spendIssuanceToken(ctx, cred.id, at), passes[0].issuanceToken);
      assert.equal(await spendIssuanceToken(ctx, cred.id, new Date().toISOString()), null);
      await restoreIssuanceToken(ctx, cred.id, at);
      assert.equal(await spendIssuanceToken(ctx, cred.id, new Date().toISOString()), passes[0].issuanceToken);
      h.assertLogsClean();
    });

    it('a value is refused for type 10 and nothing reaches Origo', { skip }, async () => {
      const personId = await createPerson(h, { first_name: 'Val', last_name: 'Ue' });
      const before = peer.passes.size;
      const r = await issueBadge(h, personId, { value: '1234' });
      assert.equal(r.status, 400);
      assert.equal(peer.passes.size, before);
    });

    it('Origo down or refusing at issue → 503 upstream_unavailable and nothing stored', { skip }, async () => {
      const personId = await createPerson(h, { first_name: 'Down', last_name: 'Origo' });
      await peer.down();
      try {
        const r = await issueBadge(h, personId);
        assert.equal(r.status, 503);
        assert.equal(r.body.error.code, 'upstream_unavailable');
        assert.ok(Number(r.headers.get('retry-after')) > 0);
      } finally {
        await peer.up();
      }
      peer.failNext(3, 503); // the pass create fails after the user was found
      const again = await issueBadge(h, personId);
      assert.equal(again.status, 503);
      peer.failNext(0);
      const list = await h.request('GET', `/api/3/people/${personId}/credentials`, { token: h.sk });
      assert.deepEqual(list.body.person_credentials, []);
      const rows = await h.store.db
        .selectFrom('hid_passes')
        .innerJoin('credentials', 'credentials.id', 'hid_passes.credential_id')
        .select('hid_passes.credential_id')
        .where('credentials.person_id', '=', personId)
        .execute();
      assert.deepEqual(rows, []);
    });
  });
}
