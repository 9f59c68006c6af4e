// HID wallet badges (type 10, SPEC §16): adding one to a wallet through HID's web provisioning —
// `POST /api/3/passes/platforms` (the template's wallets) and `POST /api/3/passes {platform}`: Apple's
// provisioning payload (the issuance token spent once, a spent or expired one replaced once, then
// 409), Google's sign-in (an ID token verified with jose against a local JWKS; forged → 401) and save
// URL; HID Origo down or slow → 503 with the token not spent. Against the strict local Origo, on SQLite
// and PostgreSQL.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { ensureHostedKey } from '../../server/domain/callers/keys.js';
import { sweepExpiredInvitations, sweepPendingDevices } from '../../server/domain/credentials/sweeps.js';
import { syncDueHidCredentials } from '../../server/domain/hid/sync.js';
import { createHarness, type Harness, PARTNER_ORIGIN, TestClock } from '../helpers/harness.js';
import { type OrigoPeer, type PeerPass, startOrigoPeer } from '../helpers/origo-peer.js';
import { clientSession } from '../helpers/passes.js';
import { skipWithoutPostgres } from '../helpers/pg.js';

const POLL_S = 30;
const DEADLINE_MS = 1500;
const GOOGLE_CLIENT_ID = 'keyway-test.apps.googleusercontent.com';
const APPLE_WINDOW = 'http://127.0.0.1:9/apple-window/index.html';

/**
 * Google's published ID-token keys, served locally; `sign` makes an ID token as Google would. The set
 * also holds a key without `alg` (`k2`), so only the verifier's own pin refuses another algorithm.
 * `answer`: 'keys' as Google does, a status (500) instead, or 'down' (the connection refused).
 */
async function startGoogleKeys(nowS: () => number) {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const loose = await generateKeyPair('PS256');
  const jwk2 = { ...(await exportJWK(loose.publicKey)), kid: 'k2', use: 'sig' };
  const sockets = new Set<import('node:net').Socket>();
  const state = { answer: 'keys' as 'keys' | 'down' | number, fetches: 0 };
  const server = http.createServer((_req, res) => {
    state.fetches++;
    if (typeof state.answer === 'number') {
      res.writeHead(state.answer, { 'content-type': 'text/plain' });
      res.end('scripted failure');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [jwk, jwk2] }));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}/oauth2/v3/certs`;
  const forger = (await generateKeyPair('RS256')).privateKey;
  const sign = (
    claims: { sub?: string; aud?: string; iss?: string; exp?: number } = {},
    key: CryptoKey | Parameters<SignJWT['sign']>[0] = privateKey,
    header: { alg: string; kid: string } = { alg: 'RS256', kid: 'k1' },
  ) =>
    new SignJWT({ email: 'badge@example.com' })
      .setProtectedHeader(header)
      .setIssuer(claims.iss ?? 'https://accounts.google.com')
      .setAudience(claims.aud ?? GOOGLE_CLIENT_ID)
      .setSubject(claims.sub ?? '110169484474386276334')
      .setIssuedAt(nowS())
      .setExpirationTime(claims.exp ?? nowS() + 3600)
      .sign(key);
  /** A token signed with another algorithm (PS256) by a key Google's set holds. */
  const signOtherAlg = () => sign({}, loose.privateKey, { alg: 'PS256', kid: 'k2' });
  return {
    url,
    sign,
    signOtherAlg,
    forger,
    state,
    /** Connection refused until `up()`. */
    async down() {
      state.answer = 'down';
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
    async up() {
      state.answer = 'keys';
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        if (!server.listening) return r();
        server.close(() => r());
      }),
  };
}

interface World {
  h: Harness;
  peer: OrigoPeer;
  google: Awaited<ReturnType<typeof startGoogleKeys>>;
}

async function startWorld(backend: 'sqlite' | 'postgres'): Promise<World> {
  const clock = new TestClock();
  const peer = await startOrigoPeer({ now: () => clock.now().getTime() });
  const google = await startGoogleKeys(() => Math.floor(clock.now().getTime() / 1000)); // Keyway's clock
  const h = await createHarness({
    backend,
    clock,
    env: {
      ...peer.env,
      ...peer.passEnv,
      KEYWAY_HID_ORIGO_POLL_S: String(POLL_S),
      KEYWAY_HID_APPLE_WINDOW_URL: APPLE_WINDOW,
      KEYWAY_GOOGLE_SIGN_IN_CLIENT_ID: GOOGLE_CLIENT_ID,
      KEYWAY_GOOGLE_ID_TOKEN_KEYS_URL: google.url,
    },
    configure: (config) => {
      config.hidOrigo!.deadlineMs = DEADLINE_MS;
    },
  });
  return { h, peer, google };
}

// The people involved, acting.
async function issueBadge(w: World): Promise<{ personId: number; cid: string; code: string; pass: PeerPass }> {
  const p = await w.h.request('POST', '/api/3/people', {
    token: w.h.sk,
    body: { person: { first_name: 'Badge', last_name: 'Holder' } },
  });
  assert.equal(p.status, 201, p.text);
  const r = await w.h.request('POST', `/api/3/people/${p.body.person.id}/credentials`, {
    token: w.h.sk,
    body: { person_credential: { credential_type_id: 10 } },
  });
  assert.equal(r.status, 201, r.text);
  const cid = r.body.person_credential.id;
  return {
    personId: p.body.person.id,
    cid,
    code: r.body.person_credential.invitation_code,
    pass: await passOf(w, cid),
  };
}
/** The person redeems the code (flow A): the element's ps_. */
async function redeem(w: World, code: string): Promise<string> {
  const r = await w.h.request('POST', '/api/3/invitations/redeem', { token: w.h.pk, body: { invitation_code: code } });
  assert.equal(r.status, 200, r.text);
  return r.body.provisioning_token;
}
async function passOf(w: World, cid: string): Promise<PeerPass> {
  const row = await w.h.store.db
    .selectFrom('hid_passes')
    .select('origo_pass_id')
    .where('credential_id', '=', cid)
    .executeTakeFirstOrThrow();
  return w.peer.passes.get(row.origo_pass_id)!;
}
const platforms = (w: World, token: string, body: Record<string, unknown> = {}) =>
  w.h.request('POST', '/api/3/passes/platforms', { token, body });
const press = (w: World, token: string, body: Record<string, unknown>) =>
  w.h.request('POST', '/api/3/passes', { token, body, headers: { 'accept-language': 'de-DE,de;q=0.9' } });
const read = async (w: World, personId: number, cid: string) =>
  (await w.h.request('GET', `/api/3/people/${personId}/credentials/${cid}`, { token: w.h.sk })).body.person_credential;
async function pollLater(w: World, seconds = POLL_S) {
  w.h.clock.advance(seconds);
  await syncDueHidCredentials(w.h.keyway.ctx);
}
async function tokenSpentInKeyway(w: World, cid: string): Promise<boolean> {
  const row = await w.h.store.db
    .selectFrom('hid_passes')
    .select('token_spent_at')
    .where('credential_id', '=', cid)
    .executeTakeFirstOrThrow();
  return row.token_spent_at !== null;
}
function assertUpstream(r: { status: number; body: any; headers: Headers }) {
  assert.equal(r.status, 503, JSON.stringify(r.body));
  assert.equal(r.body.error.code, 'upstream_unavailable');
  assert.ok(Number(r.headers.get('retry-after')) > 0);
}

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`HID wallet badges: web provisioning (${backend})`, async () => {
    const skip = backend === 'postgres' ? await skipWithoutPostgres() : false;
    let w: World;
    before(async () => {
      if (!skip) w = await startWorld(backend);
    });
    after(async () => {
      if (skip) return;
      await w.h.close();
      await w.peer.close();
      await w.google.close();
    });

    it('platforms: the wallets the template supports (asked once, the token not spent); not for other credentials', {
      skip,
    }, async () => {
      const b = await issueBadge(w);
      const ps = await redeem(w, b.code);
      const r = await platforms(w, ps);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.body, { platforms: ['apple', 'google'] });
      assert.equal(b.pass.tokenSpent, false);
      assert.equal(await tokenSpentInKeyway(w, b.cid), false);
      const calls = w.peer.count('POST', /^web:\/v2\/platforms$/);
      assert.equal((await platforms(w, ps)).status, 200);
      assert.equal(w.peer.count('POST', /^web:\/v2\/platforms$/), calls, 'kept');

      // A template with Apple Wallet only: only Apple's button.
      w.peer.templateWallets = ['apple'];
      try {
        const apple = await issueBadge(w);
        const r2 = await platforms(w, await redeem(w, apple.code));
        assert.deepEqual(r2.body, { platforms: ['apple'] });
        const g = await press(w, await clientSession(w.h, apple.personId), {
          platform: 'google',
          credential_id: apple.cid,
        });
        assert.equal(g.status, 428, 'sign-in first'); // then the template check refuses google
      } finally {
        w.peer.templateWallets = ['apple', 'google'];
      }

      // Not redeemed yet: a cs_ cannot skip the invitation.
      const invited = await issueBadge(w);
      const cs = await clientSession(w.h, invited.personId);
      const early = await platforms(w, cs, { credential_id: invited.cid });
      assert.equal(early.status, 409, early.text);
      // A wallet-pass credential's ps_ has no badge.
      const other = await w.h.request('POST', '/api/3/people', {
        token: w.h.sk,
        body: { person: { first_name: 'W', last_name: 'P' } },
      });
      const nine = await w.h.request('POST', `/api/3/people/${other.body.person.id}/credentials`, {
        token: w.h.sk,
        body: { person_credential: { credential_type_id: 9 } },
      });
      const ps9 = await redeem(w, nine.body.person_credential.invitation_code);
      assert.equal((await platforms(w, ps9)).status, 404);
    });

    it('Apple: the payload for the provisioning window; the token spent once; the wallet confirms the device', {
      skip,
    }, async () => {
      const b = await issueBadge(w);
      const ps = await redeem(w, b.code);
      const r = await press(w, ps, { platform: 'apple' });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.body.apple_provisioning, {
        window_url: APPLE_WINDOW,
        partner_id: 'ORG-HID-TEST',
        card_type: 'ACCESS_CORPORATE',
        payload: b.pass.provisioned[0].payload,
      });
      assert.equal(b.pass.provisioned[0].language, 'de');
      assert.ok(b.pass.tokenSpent);
      let cred = await read(w, b.personId, b.cid);
      assert.equal(cred.status, 'provisioning');
      assert.deepEqual(
        cred.devices.map((d: any) => [d.id, d.platform, d.status]),
        [[r.body.device_id, 'apple', 'pending']],
      );
      // Apple's window added it to the iPhone (and its Watch): the pending device is the iPhone.
      w.peer.provisionPass(b.pass.id, ['IPHONE', 'APPLE_WATCH']);
      await pollLater(w);
      cred = await read(w, b.personId, b.cid);
      assert.equal(cred.status, 'active');
      const iphone = cred.devices.find((d: any) => d.kind === 'iphone');
      assert.equal(iphone.id, r.body.device_id);
      assert.equal(iphone.status, 'active');
      assert.deepEqual(cred.devices.map((d: any) => d.kind).sort(), ['iphone', 'watch']);

      // Held by a wallet: a new token is not to be had → 409 provisioning_unavailable.
      const again = await press(w, ps, { platform: 'apple' });
      assert.equal(again.status, 409, again.text);
      assert.equal(again.body.error.code, 'provisioning_unavailable');
      w.h.assertLogsClean();
      assert.ok(!w.h.logs.join('\n').includes(b.pass.issuanceToken), 'the issuance token is never logged');
    });

    it('a spent or expired issuance token: a new Pass once (the old one cancelled), never revoking the credential', {
      skip,
    }, async () => {
      const b = await issueBadge(w);
      const ps = await redeem(w, b.code);
      const first = await press(w, ps, { platform: 'apple' });
      assert.equal(first.status, 200, first.text);
      // The person closed Apple's window (444) and presses again: the token is spent.
      const second = await press(w, ps, { platform: 'apple' });
      assert.equal(second.status, 200, second.text);
      const renewed = await passOf(w, b.cid);
      assert.notEqual(renewed.id, b.pass.id, 'a new Pass');
      assert.deepEqual(second.body.apple_provisioning.payload, renewed.provisioned[0].payload);
      assert.ok(b.pass.deleting || b.pass.status === 'CANCELLED', 'the old Pass deleted at Origo');
      w.peer.completePassDeletions();
      await pollLater(w);
      assert.equal((await read(w, b.personId, b.cid)).status, 'provisioning', 'the old Pass gone is not a revocation');

      // Expired: Origo's clock past the token's validity.
      const e = await issueBadge(w);
      await redeem(w, e.code);
      w.h.clock.advance(e.pass.validity + 60);
      const cs = await clientSession(w.h, e.personId); // the ps_ lapsed meanwhile; the partner's app mints a cs_
      const late = await press(w, cs, { platform: 'apple', credential_id: e.cid });
      assert.equal(late.status, 200, late.text);
      assert.notEqual((await passOf(w, e.cid)).id, e.pass.id);
      assert.equal(e.pass.provisioned.length, 0);
    });

    it('a second press before the next read-back never deletes a Pass a wallet holds or is adding: 409, the device confirmed', {
      skip,
    }, async () => {
      // Apple's window added the badge to the iPhone; the person presses again before Keyway read Origo back.
      const b = await issueBadge(w);
      const ps = await redeem(w, b.code);
      const first = await press(w, ps, { platform: 'apple' });
      assert.equal(first.status, 200, first.text);
      w.peer.provisionPass(b.pass.id, ['IPHONE']);
      const again = await press(w, ps, { platform: 'apple' });
      assert.equal(again.status, 409, again.text);
      assert.equal(again.body.error.code, 'provisioning_unavailable');
      assert.match(again.body.error.message, /already in a wallet/);
      assert.equal((await passOf(w, b.cid)).id, b.pass.id, 'no new Pass');
      assert.equal(b.pass.deleting, false, 'the Pass the iPhone holds is not deleted');
      assert.equal(b.pass.status, 'ACTIVE');
      // The read Keyway made before renewing counts: the press's pending device is the iPhone now.
      const cred = await read(w, b.personId, b.cid);
      assert.equal(cred.status, 'active');
      assert.deepEqual(
        cred.devices.map((d: any) => [d.id, d.kind, d.status]),
        [[first.body.device_id, 'iphone', 'active']],
      );

      // Google's save page still adding it (Origo lists the device, not yet ACTIVE): not deleted either.
      const g = await issueBadge(w);
      const gps = await redeem(w, g.code);
      const gFirst = await press(w, gps, { platform: 'google', id_token: await w.google.sign() });
      assert.equal(gFirst.status, 200, gFirst.text);
      g.pass.devices.push({ id: 'pd-adding', deviceType: 'ANDROID_PHONE', status: 'PROVISIONING' });
      const gAgain = await press(w, gps, { platform: 'google', id_token: await w.google.sign() });
      assert.equal(gAgain.status, 409, gAgain.text);
      assert.equal(gAgain.body.error.code, 'provisioning_unavailable');
      assert.equal((await passOf(w, g.cid)).id, g.pass.id, 'no new Pass');
      assert.equal(g.pass.deleting, false);

      // A state Keyway does not know (no device listed, or under another name) counts as held too.
      const u = await issueBadge(w);
      const ups = await redeem(w, u.code);
      assert.equal((await press(w, ups, { platform: 'apple' })).status, 200);
      u.pass.status = 'PERSONALIZED';
      const uAgain = await press(w, ups, { platform: 'apple' });
      assert.equal(uAgain.status, 409, uAgain.text);
      assert.equal((await passOf(w, u.cid)).id, u.pass.id, 'no new Pass');
      assert.equal(u.pass.deleting, false);

      // Deleted at Origo without Keyway (HID's portal): revoked, as the read-back would, never renewed.
      const x = await issueBadge(w);
      const xps = await redeem(w, x.code);
      assert.equal((await press(w, xps, { platform: 'apple' })).status, 200);
      x.pass.status = 'CANCELLED';
      const xAgain = await press(w, xps, { platform: 'apple' });
      assert.equal(xAgain.status, 409, xAgain.text);
      assert.equal(xAgain.body.error.code, 'provisioning_unavailable');
      assert.equal((await passOf(w, x.cid)).id, x.pass.id, 'no new Pass');
      assert.equal((await read(w, x.personId, x.cid)).status, 'revoked');

      // Origo down at that read: 503, nothing renewed or deleted.
      const d = await issueBadge(w);
      const dps = await redeem(w, d.code);
      assert.equal((await press(w, dps, { platform: 'apple' })).status, 200);
      // Keyway spent its copy of the token at the first press: the second goes straight to the read.
      const creates = w.peer.count('POST', /^pass-api:\/pass$/);
      const reads = w.peer.count('GET', /^pass-api:\/pass\//);
      w.peer.failNext(5, 503);
      const down = await press(w, dps, { platform: 'apple' });
      w.peer.failNext(0);
      assertUpstream(down);
      assert.ok(w.peer.count('GET', /^pass-api:\/pass\//) > reads, 'Origo was asked for the Pass');
      assert.equal(w.peer.count('POST', /^pass-api:\/pass$/), creates, 'no new Pass');
      assert.equal(d.pass.deleting, false);
      w.h.assertLogsClean();
    });

    it('Origo down or slow at provisioning → 503, the token not spent, no device; down at platforms → 503', {
      skip,
    }, async () => {
      const b = await issueBadge(w);
      const ps = await redeem(w, b.code);
      await w.peer.down();
      try {
        assertUpstream(await platforms(w, ps));
        assertUpstream(await press(w, ps, { platform: 'apple' }));
      } finally {
        await w.peer.up();
      }
      w.peer.failNext(5, 503);
      assertUpstream(await press(w, ps, { platform: 'apple' }));
      w.peer.failNext(0);
      assert.equal(b.pass.tokenSpent, false);
      assert.equal(await tokenSpentInKeyway(w, b.cid), false);
      assert.deepEqual((await read(w, b.personId, b.cid)).devices, []);

      // Slow: Origo spends the token, its answer comes after the deadline. Keyway gives its copy back;
      // the next press finds it refused and makes a new Pass.
      w.peer.stall(DEADLINE_MS + 1000, { path: /^web:\/v2\/provision$/ });
      const t0 = performance.now();
      const slow = await press(w, ps, { platform: 'apple' });
      w.peer.stall(0);
      assertUpstream(slow);
      assert.ok(performance.now() - t0 < DEADLINE_MS + 900);
      assert.ok(b.pass.tokenSpent, 'Origo acted');
      assert.equal(await tokenSpentInKeyway(w, b.cid), false, 'given back');
      assert.deepEqual((await read(w, b.personId, b.cid)).devices, []);
      const next = await press(w, ps, { platform: 'apple' });
      assert.equal(next.status, 200, next.text);
      assert.notEqual((await passOf(w, b.cid)).id, b.pass.id);
    });

    it('flows reach a badge unchanged: the desktop hand-off carries it to the phone; a lapsed code re-issued provisions with a new Pass', {
      skip,
    }, async () => {
      const b = await issueBadge(w);
      const ps = await redeem(w, b.code);
      const created = await w.h.request('POST', '/api/3/handoffs', { token: ps, headers: { origin: PARTNER_ORIGIN } });
      assert.equal(created.status, 201, created.text);
      const handoff = /#h=(h_[A-Za-z0-9]+)$/.exec(created.body.url)![1];
      w.h.secrets.add(handoff);
      const hosted = await ensureHostedKey(w.h.keyway.ctx);
      const phone = await w.h.request('POST', '/api/3/handoffs/redeem', {
        token: hosted,
        body: { handoff_token: handoff },
        headers: { origin: w.h.keyway.ctx.config.publicUrl },
      });
      assert.equal(phone.status, 200, phone.text);
      assert.equal(phone.body.credential.credential_type_id, 10);
      const onPhone = await press(w, phone.body.provisioning_token, { platform: 'apple' });
      assert.equal(onPhone.status, 200, onPhone.text);
      assert.ok(onPhone.body.apple_provisioning.payload);

      // Never redeemed, the code lapses (and the issuance token with it); the operator re-issues.
      const lapsed = await issueBadge(w);
      w.h.clock.advance(lapsed.pass.validity + 60);
      await sweepExpiredInvitations(w.h.keyway.ctx);
      assert.equal((await read(w, lapsed.personId, lapsed.cid)).status, 'expired');
      const again = await w.h.request('POST', `/api/3/people/${lapsed.personId}/credentials/${lapsed.cid}/invitation`, {
        token: w.h.sk,
      });
      assert.ok(again.status === 200 || again.status === 201, again.text);
      assert.equal(again.body.person_credential.status, 'invited');
      const nps = await redeem(w, again.body.person_credential.invitation_code);
      const r = await press(w, nps, { platform: 'apple' });
      assert.equal(r.status, 200, r.text);
      const renewed = await passOf(w, lapsed.cid);
      assert.notEqual(renewed.id, lapsed.pass.id, 'a new Pass for the lapsed token');
      assert.deepEqual(r.body.apple_provisioning.payload, renewed.provisioned[0].payload);
    });

    it("a pending device nobody added is revoked after 24 h, Google's included (HID Origo, not Google, confirms a badge)", {
      skip,
    }, async () => {
      const b = await issueBadge(w);
      const ps = await redeem(w, b.code);
      const g = await press(w, ps, { platform: 'google', id_token: await w.google.sign() });
      assert.equal(g.status, 200, g.text);
      w.h.clock.advance(25 * 3600);
      await sweepPendingDevices(w.h.keyway.ctx);
      const cred = await read(w, b.personId, b.cid);
      assert.deepEqual(
        cred.devices.map((d: any) => [d.id, d.status]),
        [[g.body.device_id, 'revoked']],
      );
      assert.equal(cred.status, 'provisioning');
    });

    it("Google's keys unreachable or failing → 503 upstream_unavailable (not 401), Origo not asked; once they answer, the sign-in works", {
      skip,
    }, async () => {
      // A fresh instance: the key set is fetched at the first sign-in and then kept.
      const fresh = await startWorld(backend);
      try {
        const b = await issueBadge(fresh);
        const ps = await redeem(fresh, b.code);
        assert.equal((await platforms(fresh, ps)).status, 200);
        for (const failure of ['down', 500, 503] as const) {
          if (failure === 'down') await fresh.google.down();
          else fresh.google.state.answer = failure;
          const r = await press(fresh, ps, { platform: 'google', id_token: await fresh.google.sign() });
          assertUpstream(r);
          assert.match(r.body.error.message, /Google/);
          if (failure === 'down') await fresh.google.up();
        }
        assert.equal(b.pass.tokenSpent, false, 'nothing reached Origo');
        assert.equal(await tokenSpentInKeyway(fresh, b.cid), false);
        assert.deepEqual((await read(fresh, b.personId, b.cid)).devices, []);
        fresh.google.state.answer = 'keys';
        const ok = await press(fresh, ps, { platform: 'google', id_token: await fresh.google.sign() });
        assert.equal(ok.status, 200, ok.text);
        fresh.h.assertLogsClean();
      } finally {
        await fresh.h.close();
        await fresh.peer.close();
        await fresh.google.close();
      }
    });

    it('Google: sign in first (428 with the client id), a forged ID token → 401, a verified one → the save URL', {
      skip,
    }, async () => {
      const b = await issueBadge(w);
      const ps = await redeem(w, b.code);
      const bare = await press(w, ps, { platform: 'google' });
      assert.equal(bare.status, 428, bare.text);
      assert.equal(bare.body.error.code, 'google_sign_in_required');
      assert.equal(bare.body.error.details.client_id, GOOGLE_CLIENT_ID);

      const forged = await w.google.sign({}, w.google.forger);
      for (const idToken of [
        forged,
        await w.google.sign({ aud: 'someone-else.apps.googleusercontent.com' }),
        await w.google.sign({ iss: 'https://evil.example' }),
        await w.google.sign({ exp: Math.floor(w.h.clock.now().getTime() / 1000) - 3600 }), // expired on Keyway's clock
        await w.google.signOtherAlg(), // Google signs with RS256 only
        'not.a.jwt',
      ]) {
        const r = await press(w, ps, { platform: 'google', id_token: idToken });
        assert.equal(r.status, 401, r.text);
        assert.equal(r.body.error.code, 'google_sign_in_invalid');
      }
      assert.equal(b.pass.tokenSpent, false, 'nothing reached Origo');

      const sub = '110169484474386276334';
      const ok = await press(w, ps, { platform: 'google', id_token: await w.google.sign({ sub }) });
      assert.equal(ok.status, 200, ok.text);
      const blob = b.pass.provisioned[0].payload;
      assert.equal(ok.body.url, `https://pay.google.com/gp/t/savecard/${blob}?provisioning_source=web`);
      const linking = b.pass.provisioned[0].linking;
      assert.equal(linking.aud, GOOGLE_CLIENT_ID);
      assert.equal(
        linking.hashedUserId,
        crypto
          .createHash('sha256')
          .update(sub + linking.nonce)
          .digest('hex'),
      );
      w.peer.provisionPass(b.pass.id, ['ANDROID_PHONE']);
      await pollLater(w);
      const cred = await read(w, b.personId, b.cid);
      assert.equal(cred.status, 'active');
      assert.deepEqual(
        cred.devices.map((d: any) => [d.id, d.platform, d.kind, d.status]),
        [[ok.body.device_id, 'google', 'android', 'active']],
      );
      const logs = w.h.logs.join('\n');
      assert.ok(!logs.includes(forged) && !logs.includes(sub), 'no ID token or Google account id in logs');
    });
  });
}
