import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cryptoRandom } from '../../server/crypto/secrets.js';
import { sweepExpiredInvitations } from '../../server/domain/credentials/sweeps.js';
import { generateInvitationCode, normalizeInvitationCode } from '../../server/domain/invitations/code.js';
import { createHarness, type Harness, issueWalletPass, OTHER_ORIGIN, PARTNER_ORIGIN } from '../helpers/harness.js';

describe('invitation codes', () => {
  test('12 Crockford base32 symbols shown as XXX-XXX-XXX-XXX, all distinct over many draws', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const code = generateInvitationCode(cryptoRandom);
      assert.match(code, /^[0-9A-HJKMNP-TV-Z]{3}-[0-9A-HJKMNP-TV-Z]{3}-[0-9A-HJKMNP-TV-Z]{3}-[0-9A-HJKMNP-TV-Z]{3}$/);
      seen.add(code);
    }
    assert.equal(seen.size, 2000);
  });

  test('normalisation forgives case, spaces, dashes and look-alikes', () => {
    assert.equal(normalizeInvitationCode('7kx-9qm-2hr-4td'), '7KX9QM2HR4TD');
    assert.equal(normalizeInvitationCode(' 7KX 9QM 2HR 4TD '), '7KX9QM2HR4TD');
    assert.equal(normalizeInvitationCode('OIL-000-111-222'), '011000111222');
    assert.equal(normalizeInvitationCode('7KX-9QM-2HR'), null);
    assert.equal(normalizeInvitationCode('UUU-UUU-UUU-UUU'), null);
  });
});

describe('POST /api/3/invitations/redeem', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness({ env: { KEYWAY_LIMIT_REDEEM_PER_IP_MIN: '30', KEYWAY_INVITE_TTL: '7d' } });
  });
  after(async () => {
    h.assertLogsClean();
    await h.close();
  });

  test('a code typed sloppily redeems once: ps_ token, credential → provisioning, first name only', async () => {
    const { code, credentialId } = await issueWalletPass(h, {
      first_name: 'Ada',
      last_name: 'Lovelace',
      email: 'ada@example.com',
    });
    const sloppy = code.toLowerCase().replace(/-/g, ' ').replace(/0/g, 'o').replace(/1/g, 'l');
    const res = await h.request('POST', '/api/3/invitations/redeem', {
      token: h.pk,
      body: { invitation_code: sloppy },
      headers: { origin: PARTNER_ORIGIN },
    });
    assert.equal(res.status, 200, res.text);
    assert.match(res.body.provisioning_token, /^ps_[A-Za-z0-9_]{40,}$/);
    assert.deepEqual(res.body.credential, { id: credentialId, status: 'provisioning', credential_type_id: 9 });
    assert.ok(
      res.body.provisioning_token.startsWith(`ps_${credentialId.slice(5)}_`),
      'a ps_ names its credential (docs/elements.md)',
    );
    assert.deepEqual(res.body.person, { first_name: 'Ada' });
    assert.deepEqual(res.body.wallets, ['apple', 'google']);
    assert.equal(Date.parse(res.body.expires_at) - h.clock.now().getTime(), 15 * 60 * 1000);
    assert.equal(res.headers.get('access-control-allow-origin'), PARTNER_ORIGIN);
    const again = await h.request('POST', '/api/3/invitations/redeem', {
      token: h.pk,
      body: { invitation_code: code },
    });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'invitation_used');
  });

  test('the ps_ token is bound to the minting key’s origins', async () => {
    const { code, credentialId } = await issueWalletPass(h);
    const res = await h.request('POST', '/api/3/invitations/redeem', { token: h.pk, body: { invitation_code: code } });
    const ps = res.body.provisioning_token;
    const fromPartner = await h.request('GET', `/api/3/credentials/${credentialId}/status`, {
      token: ps,
      headers: { origin: PARTNER_ORIGIN },
    });
    assert.equal(fromPartner.status, 200);
    assert.equal(fromPartner.body.status, 'provisioning');
    const fromElsewhere = await h.request('GET', `/api/3/credentials/${credentialId}/status`, {
      token: ps,
      headers: { origin: OTHER_ORIGIN },
    });
    assert.equal(fromElsewhere.status, 403);
    assert.equal(fromElsewhere.body.error.code, 'origin_not_allowed');
    const other = await issueWalletPass(h);
    const notMine = await h.request('GET', `/api/3/credentials/${other.credentialId}/status`, { token: ps });
    assert.equal(notMine.status, 404);
    h.clock.advance(15 * 60 + 1);
    const expired = await h.request('GET', `/api/3/credentials/${credentialId}/status`, { token: ps });
    assert.equal(expired.status, 401);
  });

  test('unknown, malformed, expired and disabled codes each get their own error', async () => {
    const unknown = await h.request('POST', '/api/3/invitations/redeem', {
      token: h.pk,
      body: { invitation_code: '000-000-000-000' },
    });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error.code, 'invitation_not_found');
    const malformed = await h.request('POST', '/api/3/invitations/redeem', {
      token: h.pk,
      body: { invitation_code: 'hello' },
    });
    assert.equal(malformed.body.error.code, 'invitation_not_found');
    const disabled = await issueWalletPass(h, {}, { enabled: false });
    const d = await h.request('POST', '/api/3/invitations/redeem', {
      token: h.pk,
      body: { invitation_code: disabled.code },
    });
    assert.equal(d.status, 403);
    assert.equal(d.body.error.code, 'credential_disabled');
    await h.request('PUT', `/api/3/people/${disabled.personId}/credentials/${disabled.credentialId}`, {
      token: h.sk,
      body: { enabled: true },
    });
    const nowOk = await h.request('POST', '/api/3/invitations/redeem', {
      token: h.pk,
      body: { invitation_code: disabled.code },
    });
    assert.equal(nowOk.status, 200, 'a refused disabled redemption did not burn the code');
    const exp = await issueWalletPass(h);
    h.clock.advance(7 * 86400 + 1);
    const e = await h.request('POST', '/api/3/invitations/redeem', {
      token: h.pk,
      body: { invitation_code: exp.code },
    });
    assert.equal(e.status, 410);
    assert.equal(e.body.error.code, 'invitation_expired');
  });

  test('the expiry sweep moves invited → expired; a re-issue brings it back to invited', async () => {
    await sweepExpiredInvitations(h.keyway.ctx); // earlier tests moved the clock
    const { personId, credentialId } = await issueWalletPass(h);
    assert.equal(await sweepExpiredInvitations(h.keyway.ctx), 0);
    h.clock.advance(7 * 86400 + 5);
    assert.ok((await sweepExpiredInvitations(h.keyway.ctx)) >= 1);
    const read = await h.request('GET', `/api/3/people/${personId}/credentials/${credentialId}`, { token: h.sk });
    assert.equal(read.body.person_credential.status, 'expired');
    const re = await h.request('POST', `/api/3/people/${personId}/credentials/${credentialId}/invitation`, {
      token: h.sk,
    });
    assert.equal(re.body.person_credential.status, 'invited');
    const redeem = await h.request('POST', '/api/3/invitations/redeem', {
      token: h.pk,
      body: { invitation_code: re.body.person_credential.invitation_code },
    });
    assert.equal(redeem.status, 200);
  });

  test('the per-IP limit is checked before the lookup: the 31st attempt in a minute is 429 even with a valid code', async () => {
    const { code } = await issueWalletPass(h);
    const ip = '203.0.113.77';
    for (let i = 0; i < 30; i++) {
      const r = await h.request('POST', '/api/3/invitations/redeem', {
        token: h.pk,
        body: { invitation_code: `000-000-000-${String(i).padStart(3, '0')}` },
        ip,
      });
      assert.equal(r.status, 404);
    }
    const limited = await h.request('POST', '/api/3/invitations/redeem', {
      token: h.pk,
      body: { invitation_code: code },
      ip,
    });
    assert.equal(limited.status, 429);
    assert.equal(limited.body.error.code, 'rate_limited');
    const retry = Number(limited.headers.get('retry-after'));
    assert.ok(retry >= 1 && retry <= 60);
    const otherIp = await h.request('POST', '/api/3/invitations/redeem', {
      token: h.pk,
      body: { invitation_code: code },
      ip: '203.0.113.78',
    });
    assert.equal(otherIp.status, 200, 'the code was not consumed by the limited attempt');
  });

  test('redeem takes a publishable key only; a secret key or a session is 401', async () => {
    const { code } = await issueWalletPass(h);
    const bySk = await h.request('POST', '/api/3/invitations/redeem', { token: h.sk, body: { invitation_code: code } });
    assert.equal(bySk.status, 401);
    const none = await h.request('POST', '/api/3/invitations/redeem', { body: { invitation_code: code } });
    assert.equal(none.status, 401);
    assert.equal(none.body.error.code, 'unauthorized');
  });
});
