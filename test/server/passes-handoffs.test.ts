import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ensureHostedKey } from '../../server/domain/callers/keys.js';
import { createHarness, type Harness, PARTNER_ORIGIN } from '../helpers/harness.js';
import { clientSession, redeemedCredential } from '../helpers/passes.js';

const PUBLIC_URL = 'http://127.0.0.1:8787';

/** The hand-off token from its URL, remembered as a secret the logs must never show. */
function handoffToken(h: Harness, url: string): string {
  const m = /^http:\/\/127\.0\.0\.1:8787\/p#h=(h_[A-Za-z0-9]+)$/.exec(url);
  assert.ok(m, url);
  h.secrets.add(m[1]);
  return m[1];
}

describe('hand-offs: POST /api/3/handoffs and /api/3/handoffs/redeem', () => {
  let h: Harness;
  let hosted: string;
  before(async () => {
    h = await createHarness();
    hosted = await ensureHostedKey(h.keyway.ctx);
    h.secrets.add(hosted);
  });
  after(async () => {
    h.assertLogsClean();
    await h.close();
  });

  test('a ps_ minted by a hand-off cannot mint another hand-off: 403 handoff_not_allowed (docs/api.md)', async () => {
    const { ps } = await redeemedCredential(h, { first_name: 'Chain' });
    const created = await h.request('POST', '/api/3/handoffs', { token: ps, headers: { origin: PARTNER_ORIGIN } });
    assert.equal(created.status, 201, created.text);
    const redeemed = await h.request('POST', '/api/3/handoffs/redeem', {
      token: hosted,
      body: { handoff_token: handoffToken(h, created.body.url) },
      headers: { origin: PUBLIC_URL },
    });
    assert.equal(redeemed.status, 200, redeemed.text);
    const phone = redeemed.body.provisioning_token;
    h.secrets.add(phone);
    const again = await h.request('POST', '/api/3/handoffs', { token: phone, headers: { origin: PUBLIC_URL } });
    assert.equal(again.status, 403, again.text);
    assert.equal(again.body.error.code, 'handoff_not_allowed');
    const pass = await h.request('POST', '/api/3/passes', {
      token: phone,
      body: { platform: 'apple' },
      headers: { origin: PUBLIC_URL },
    });
    assert.equal(pass.status, 200, 'the carried session still does its job');
    h.secrets.add(
      new URL(pass.body.url).pathname
        .split('/')
        .pop()!
        .replace(/\.pkpass$/, ''),
    );
  });

  test('a credential holds at most 10 pending devices: the 11th pass request is 429 rate_limited with Retry-After', async () => {
    const { ps } = await redeemedCredential(h, { first_name: 'Many' });
    for (let i = 0; i < 10; i++) {
      const r = await h.request('POST', '/api/3/passes', { token: ps, body: { platform: 'apple' } });
      assert.equal(r.status, 200, r.text);
      h.secrets.add(
        new URL(r.body.url).pathname
          .split('/')
          .pop()!
          .replace(/\.pkpass$/, ''),
      );
    }
    const eleventh = await h.request('POST', '/api/3/passes', { token: ps, body: { platform: 'apple' } });
    assert.equal(eleventh.status, 429, eleventh.text);
    assert.equal(eleventh.body.error.code, 'rate_limited');
    assert.ok(Number(eleventh.headers.get('retry-after')) >= 1);
  });

  test('a ps_ makes a 5-minute link (never the ps_ itself) that redeems once for a ps_ bound to PUBLIC_URL', async () => {
    const { ps, credentialId } = await redeemedCredential(h, { first_name: 'Ada' });
    const created = await h.request('POST', '/api/3/handoffs', { token: ps, headers: { origin: PARTNER_ORIGIN } });
    assert.equal(created.status, 201, created.text);
    const token = handoffToken(h, created.body.url);
    assert.ok(!created.text.includes(ps));
    assert.ok((token.length - 2) * Math.log2(62) >= 128);
    assert.equal(Date.parse(created.body.expires_at) - h.clock.now().getTime(), 5 * 60 * 1000);

    const redeemed = await h.request('POST', '/api/3/handoffs/redeem', {
      token: hosted,
      body: { handoff_token: token },
      headers: { origin: PUBLIC_URL },
    });
    assert.equal(redeemed.status, 200, redeemed.text);
    assert.match(redeemed.body.provisioning_token, /^ps_[A-Za-z0-9_]{40,}$/);
    assert.notEqual(redeemed.body.provisioning_token, ps);
    assert.deepEqual(redeemed.body.credential, { id: credentialId, status: 'provisioning', credential_type_id: 9 });
    assert.deepEqual(redeemed.body.person, { first_name: 'Ada' });
    assert.deepEqual(redeemed.body.wallets, ['apple', 'google']);
    assert.equal(Date.parse(redeemed.body.expires_at) - h.clock.now().getTime(), 15 * 60 * 1000);

    const phone = redeemed.body.provisioning_token;
    const onHosted = await h.request('POST', '/api/3/passes', {
      token: phone,
      body: { platform: 'apple' },
      headers: { origin: PUBLIC_URL },
    });
    assert.equal(onHosted.status, 200, onHosted.text);
    h.secrets.add(new URL(onHosted.body.url).pathname);
    const onPartner = await h.request('POST', '/api/3/passes', {
      token: phone,
      body: { platform: 'apple' },
      headers: { origin: PARTNER_ORIGIN },
    });
    assert.equal(onPartner.status, 403, 'the phone’s ps_ is bound to PUBLIC_URL');
    assert.equal(onPartner.body.error.code, 'origin_not_allowed');

    const again = await h.request('POST', '/api/3/handoffs/redeem', { token: hosted, body: { handoff_token: token } });
    assert.equal(again.status, 410);
    assert.equal(again.body.error.code, 'link_expired');

    const events = await h.request('GET', `/api/3/events?subject=credential:${credentialId}`, { token: h.sk });
    const types = events.body.events.map((e: { type: string }) => e.type);
    assert.ok(types.includes('handoff.created') && types.includes('handoff.redeemed'), types.join());
  });

  test('a hand-off lapses after 5 minutes', async () => {
    const { ps } = await redeemedCredential(h);
    const token = handoffToken(h, (await h.request('POST', '/api/3/handoffs', { token: ps })).body.url);
    h.clock.advance(5 * 60);
    const late = await h.request('POST', '/api/3/handoffs/redeem', { token: h.pk, body: { handoff_token: token } });
    assert.equal(late.status, 410);
    assert.equal(late.body.error.code, 'link_expired');
    const unknown = await h.request('POST', '/api/3/handoffs/redeem', {
      token: h.pk,
      body: { handoff_token: `h_${'B'.repeat(43)}` },
    });
    assert.equal(unknown.status, 410);
    const empty = await h.request('POST', '/api/3/handoffs/redeem', { token: h.pk, body: {} });
    assert.equal(empty.status, 400);
    assert.ok(empty.body.error.details.fields.handoff_token);
  });

  test('a cs_ names its credential; tokens of the wrong kind are 401', async () => {
    const mine = await redeemedCredential(h);
    const other = await redeemedCredential(h);
    const cs = await clientSession(h, mine.personId);
    const noId = await h.request('POST', '/api/3/handoffs', { token: cs, body: {} });
    assert.equal(noId.status, 400);
    const notMine = await h.request('POST', '/api/3/handoffs', {
      token: cs,
      body: { credential_id: other.credentialId },
    });
    assert.equal(notMine.status, 404);
    const ok = await h.request('POST', '/api/3/handoffs', { token: cs, body: { credential_id: mine.credentialId } });
    assert.equal(ok.status, 201, ok.text);
    const token = handoffToken(h, ok.body.url);
    for (const t of [h.pk, h.sk]) assert.equal((await h.request('POST', '/api/3/handoffs', { token: t })).status, 401);
    for (const t of [cs, mine.ps, h.sk])
      assert.equal(
        (await h.request('POST', '/api/3/handoffs/redeem', { token: t, body: { handoff_token: token } })).status,
        401,
      );
    const redeemed = await h.request('POST', '/api/3/handoffs/redeem', { token: h.pk, body: { handoff_token: token } });
    assert.equal(redeemed.status, 200, 'the refused attempts did not spend it');
    assert.equal(redeemed.body.credential.id, mine.credentialId);
  });

  test('a disabled credential: no hand-off, and a link made before refuses without being spent', async () => {
    const { ps, personId, credentialId } = await redeemedCredential(h);
    const token = handoffToken(h, (await h.request('POST', '/api/3/handoffs', { token: ps })).body.url);
    await h.request('PUT', `/api/3/people/${personId}/credentials/${credentialId}`, {
      token: h.sk,
      body: { enabled: false },
    });
    const create = await h.request('POST', '/api/3/handoffs', { token: ps });
    assert.equal(create.status, 403);
    assert.equal(create.body.error.code, 'credential_disabled');
    const redeem = await h.request('POST', '/api/3/handoffs/redeem', { token: h.pk, body: { handoff_token: token } });
    assert.equal(redeem.status, 403);
    assert.equal(redeem.body.error.code, 'credential_disabled');
    await h.request('PUT', `/api/3/people/${personId}/credentials/${credentialId}`, {
      token: h.sk,
      body: { enabled: true },
    });
    assert.equal(
      (await h.request('POST', '/api/3/handoffs/redeem', { token: h.pk, body: { handoff_token: token } })).status,
      200,
    );
  });

  test('hand-off redeems share the per-IP redeem limit with invitation codes, checked before the lookup', async () => {
    const { ps } = await redeemedCredential(h);
    const token = handoffToken(h, (await h.request('POST', '/api/3/handoffs', { token: ps })).body.url);
    const ip = '203.0.113.90';
    for (let i = 0; i < 15; i++) {
      assert.equal(
        (
          await h.request('POST', '/api/3/invitations/redeem', {
            token: h.pk,
            body: { invitation_code: '000-000-000-000' },
            ip,
          })
        ).status,
        404,
      );
      assert.equal(
        (
          await h.request('POST', '/api/3/handoffs/redeem', {
            token: h.pk,
            body: { handoff_token: `h_${'C'.repeat(43)}` },
            ip,
          })
        ).status,
        410,
      );
    }
    const limited = await h.request('POST', '/api/3/handoffs/redeem', {
      token: h.pk,
      body: { handoff_token: token },
      ip,
    });
    assert.equal(limited.status, 429);
    assert.equal(limited.body.error.code, 'rate_limited');
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
    const elsewhere = await h.request('POST', '/api/3/handoffs/redeem', {
      token: h.pk,
      body: { handoff_token: token },
      ip: '203.0.113.91',
    });
    assert.equal(elsewhere.status, 200, 'the limited attempt did not spend the link');
  });
});
