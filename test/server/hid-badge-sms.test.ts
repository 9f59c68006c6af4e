// SPEC §16: a badge (type 10) is issued "exactly as for type 9 — so flows A and B (code, QR, SMS code,
// SMS link, hand-off) reach a badge unchanged". Flow B: a person whose credential is a badge gives their
// number, the SMS's code or its link verifies them, and the ps_ they get is the badge's, ready for
// `POST /api/3/passes/platforms`. Against the strict local Origo, on SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createHarness, type Harness } from '../helpers/harness.js';
import { type OrigoPeer, startOrigoPeer } from '../helpers/origo-peer.js';
import { skipWithoutPostgres } from '../helpers/pg.js';
import { check, freshPhone, latestSms, startVerification } from '../helpers/sms.js';

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`an SMS reaches a badge (${backend})`, async () => {
    const skip = backend === 'postgres' ? await skipWithoutPostgres() : false;
    let h: Harness;
    let peer: OrigoPeer;
    before(async () => {
      if (skip) return;
      peer = await startOrigoPeer();
      h = await createHarness({ backend, env: { ...peer.env, ...peer.passEnv } });
    });
    after(async () => {
      if (skip) return;
      h.assertLogsClean();
      await h.close();
      await peer.close();
    });

    /** A person with this phone whose one credential is a badge. */
    async function badgeHolder(): Promise<{ phone: string; personId: number; cid: string }> {
      const phone = freshPhone();
      const p = await h.request('POST', '/api/3/people', {
        token: h.sk,
        body: { person: { first_name: 'Badge', last_name: 'Texted', phone } },
      });
      assert.equal(p.status, 201, p.text);
      const c = await h.request('POST', `/api/3/people/${p.body.person.id}/credentials`, {
        token: h.sk,
        body: { person_credential: { credential_type_id: 10 } },
      });
      assert.equal(c.status, 201, c.text);
      return { phone, personId: p.body.person.id, cid: c.body.person_credential.id };
    }

    test('the SMS code verifies a badge holder: the ps_ is the badge’s, and no wallet pass is made beside it', {
      skip,
    }, async () => {
      const { phone, personId, cid } = await badgeHolder();
      const start = await startVerification(h, phone);
      assert.equal(start.status, 202, start.text);
      const sms = await latestSms(h, phone);
      const ok = await check(h, start.body.verification_id, sms.code);
      assert.equal(ok.status, 200, ok.text);
      assert.deepEqual(ok.body.credential, { id: cid, status: 'provisioning', credential_type_id: 10 });
      const platforms = await h.request('POST', '/api/3/passes/platforms', {
        token: ok.body.provisioning_token,
        body: {},
      });
      assert.equal(platforms.status, 200, platforms.text);
      assert.ok(Array.isArray(platforms.body.platforms) && platforms.body.platforms.length > 0, platforms.text);
      const list = await h.request('GET', `/api/3/people/${personId}/credentials`, { token: h.sk });
      assert.deepEqual(
        list.body.person_credentials.map((c: { credential_type_id: number }) => c.credential_type_id),
        [10],
        'the badge is the credential; no type 9 was issued for the SMS',
      );
    });

    test('the SMS link verifies a badge holder too', { skip }, async () => {
      const { phone, cid } = await badgeHolder();
      const start = await startVerification(h, phone);
      assert.equal(start.status, 202, start.text);
      const sms = await latestSms(h, phone);
      const link = await h.request('POST', `/v/${sms.token}`);
      assert.ok(link.status < 400, `${link.status} ${link.text.slice(0, 200)}`);
      const row = await h.store.db
        .selectFrom('credentials')
        .select('status')
        .where('id', '=', cid)
        .executeTakeFirstOrThrow();
      assert.equal(row.status, 'provisioning');
    });
  });
}
