// HID Seos badges in the wallets (credential type 10, SPEC §16): configuration, and issuing through a
// strict local HID Origo (Credential Management API v3) over HTTP, on SQLite and PostgreSQL.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApp } from '../../server/app.js';
import type { Config } from '../../server/config.js';
import { restoreIssuanceToken, spendIssuanceToken } from '../../server/domain/hid/badges.js';
import { syncDueHidCredentials } from '../../server/domain/hid/sync.js';
import { openStore } from '../../server/storage/db.js';
import { createHarness, type Harness, TEST_SECRET, TestClock } from '../helpers/harness.js';
import { type OrigoPeer, startOrigoPeer } from '../helpers/origo-peer.js';
import { clientSession } from '../helpers/passes.js';
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

    it('switched off later (no pass template, or no HID Origo at all): a badge left behind answers 4xx, never 5xx', {
      skip,
    }, async () => {
      // Two badges made while configured: one a wallet holds, one redeemed and waiting for its press.
      const personId = await createPerson(h, { first_name: 'Left', last_name: 'Behind' });
      const held = (await issueBadge(h, personId)).body.person_credential;
      const waiting = (await issueBadge(h, personId)).body.person_credential;
      const dropped = (await issueBadge(h, personId)).body.person_credential;
      for (const c of [held, waiting]) {
        const r = await h.request('POST', '/api/3/invitations/redeem', {
          token: h.pk,
          body: { invitation_code: c.invitation_code },
        });
        assert.equal(r.status, 200, r.text);
      }
      const cs = await clientSession(h, personId);
      const pressed = await h.request('POST', '/api/3/passes', {
        token: cs,
        body: { platform: 'apple', credential_id: held.id },
      });
      assert.equal(pressed.status, 200, pressed.text);
      const heldPass = await h.store.db
        .selectFrom('hid_passes')
        .select('origo_pass_id')
        .where('credential_id', '=', held.id)
        .executeTakeFirstOrThrow();
      peer.provisionPass(heldPass.origo_pass_id, ['IPHONE']);
      h.clock.advance(60);
      await syncDueHidCredentials(h.keyway.ctx);
      const base = `/api/3/people/${personId}/credentials`;
      // And a type-8 credential (HID Mobile Access) from the same time.
      const mobile = await h.request('POST', base, {
        token: h.sk,
        body: { person_credential: { credential_type_id: 8 } },
      });
      assert.equal(mobile.status, 201, mobile.text);
      assert.equal(
        (await h.request('GET', `${base}/${held.id}`, { token: h.sk })).body.person_credential.status,
        'active',
      );

      // The operator restarts without the pass template, then without HID Origo at all, on the same database.
      const restarts: [string, (c: Config) => Config][] = [
        ['no pass template', (c) => ({ ...c, hidPasses: undefined })],
        ['no HID Origo', (c) => ({ ...c, hidPasses: undefined, hidOrigo: undefined })],
      ];
      for (const [what, switchOff] of restarts) {
        const store = openStore(h.databaseUrl);
        const logs: string[] = [];
        const app = createApp({
          config: switchOff(h.keyway.ctx.config),
          store,
          secret: TEST_SECRET,
          clock: h.clock,
          wallet: null,
          log: (r) => logs.push(JSON.stringify(r)),
        });
        const call = async (method: string, path: string, token: string, body?: unknown) => {
          const res = await app.app.request(path, {
            method,
            headers: {
              authorization: `Bearer ${token}`,
              'x-forwarded-for': '10.9.0.1',
              ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            },
            body: body === undefined ? undefined : JSON.stringify(body),
          });
          const text = await res.text();
          return { status: res.status, body: text ? JSON.parse(text) : undefined, text };
        };
        const notConfigured = (r: { status: number; body: any; text: string }, step: string) => {
          assert.equal(r.status, 422, `${what}, ${step}: ${r.text}`);
          assert.equal(r.body.error.code, 'hid_not_configured', `${what}, ${step}`);
        };
        try {
          const session = await clientSession(h, personId);
          for (const c of [waiting, held]) // the held badge's wallets were asked and kept
            notConfigured(await call('POST', '/api/3/passes/platforms', session, { credential_id: c.id }), 'platforms');
          for (const body of [
            { platform: 'apple', credential_id: waiting.id },
            { platform: 'google', credential_id: waiting.id, id_token: 'x.y.z' },
            { platform: 'apple', credential_id: held.id },
          ])
            notConfigured(await call('POST', '/api/3/passes', session, body), `press ${body.platform}`);
          // Suspending a badge a wallet holds needs Origo: refused, the credential as it was.
          notConfigured(
            await call('PUT', `${base}/${held.id}`, h.sk, { person_credential: { enabled: false } }),
            'suspend',
          );
          const read = await call('GET', `${base}/${held.id}`, h.sk);
          assert.equal(read.status, 200, read.text);
          assert.equal(read.body.person_credential.status, 'active');
          assert.equal((await call('GET', base, h.sk)).status, 200);
          const types = await call('GET', '/api/3/credential_types', h.sk);
          assert.ok(!types.body.credential_types.some((t: { id: number }) => t.id === 10));
          if (what === 'no HID Origo') {
            // A type-8 re-issue needs Origo: refused before anything is written (no note of an invitation create).
            const intents = async () =>
              (await store.db.selectFrom('hid_invitation_intents').select('id').execute()).length;
            const notes = await intents();
            notConfigured(
              await call('POST', `${base}/${mobile.body.person_credential.id}/invitation`, h.sk),
              're-issue',
            );
            assert.equal(await intents(), notes);
          }
          // Revoking needs no answer from Origo now: `revoking`, Origo's delete owed until it is configured again.
          const revoked = await call('DELETE', `${base}/${dropped.id}`, h.sk);
          assert.equal(revoked.status, 202, revoked.text);
          assert.equal(revoked.body.person_credential.status, 'revoking');
          // The read-back leaves badges alone while it cannot reach their Pass (nothing thrown, nothing changed).
          h.clock.advance(3600);
          await syncDueHidCredentials(app.ctx);
          assert.equal((await call('GET', `${base}/${held.id}`, h.sk)).body.person_credential.status, 'active');
          assert.ok(!logs.some((l) => /"level":"error"|sync failed/.test(l)), logs.join('\n'));
        } finally {
          await app.stop();
          await store.close();
        }
      }
      // Configured again: the delete owed reaches Origo, and the badge a wallet holds is read back as before.
      const droppedPass = await h.store.db
        .selectFrom('hid_passes')
        .select('origo_pass_id')
        .where('credential_id', '=', dropped.id)
        .executeTakeFirstOrThrow();
      await syncDueHidCredentials(h.keyway.ctx);
      assert.ok(peer.passes.get(droppedPass.origo_pass_id)!.deleting, "Origo's delete sent");
      peer.completePassDeletions();
      h.clock.advance(60);
      await syncDueHidCredentials(h.keyway.ctx);
      assert.equal(
        (await h.request('GET', `${base}/${dropped.id}`, { token: h.sk })).body.person_credential.status,
        'revoked',
      );
      assert.equal(
        (await h.request('GET', `${base}/${held.id}`, { token: h.sk })).body.person_credential.status,
        'active',
      );
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
