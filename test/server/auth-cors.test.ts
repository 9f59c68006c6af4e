import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createKey, revokeKey } from '../../server/domain/callers/keys.js';
import { createHarness, type Harness, issueWalletPass, OTHER_ORIGIN, PARTNER_ORIGIN } from '../helpers/harness.js';

let h: Harness;
before(async () => {
  h = await createHarness();
});
after(async () => {
  h.assertLogsClean();
  await h.close();
});

test('a preflight needs no key: it echoes an origin listed on an active publishable key', async () => {
  const res = await h.request('OPTIONS', '/api/3/invitations/redeem', {
    headers: { origin: PARTNER_ORIGIN, 'access-control-request-method': 'POST' },
  });
  assert.equal(res.status, 204);
  assert.equal(res.headers.get('access-control-allow-origin'), PARTNER_ORIGIN);
  assert.match(res.headers.get('vary') ?? '', /Origin/);
  assert.equal(res.headers.get('access-control-allow-headers'), 'authorization, content-type, idempotency-key');
  assert.ok(Number(res.headers.get('access-control-max-age')) > 0);
  const app = await h.request('OPTIONS', '/api/3/invitations/redeem', { headers: { origin: 'capacitor://localhost' } });
  assert.equal(
    app.headers.get('access-control-allow-origin'),
    'capacitor://localhost',
    'app web-view origins may be listed',
  );
});

test('a preflight from an origin on no list gets no Access-Control-Allow-Origin, never * nor null', async () => {
  for (const origin of [OTHER_ORIGIN, 'null']) {
    const res = await h.request('OPTIONS', '/api/3/invitations/redeem', { headers: { origin } });
    assert.equal(res.headers.get('access-control-allow-origin'), null);
  }
});

test('the real request enforces the key’s own list: another key’s origin is 403 origin_not_allowed', async () => {
  const other = await createKey(h.keyway.ctx, { kind: 'publishable', origins: [OTHER_ORIGIN] });
  const pre = await h.request('OPTIONS', '/api/3/invitations/redeem', { headers: { origin: OTHER_ORIGIN } });
  assert.equal(
    pre.headers.get('access-control-allow-origin'),
    OTHER_ORIGIN,
    'the preflight answers from the union of keys',
  );
  const { code } = await issueWalletPass(h);
  const res = await h.request('POST', '/api/3/invitations/redeem', {
    token: h.pk,
    body: { invitation_code: code },
    headers: { origin: OTHER_ORIGIN },
  });
  assert.equal(res.status, 403);
  assert.equal(res.body.error.code, 'origin_not_allowed');
  assert.equal(res.headers.get('access-control-allow-origin'), null);
  const ok = await h.request('POST', '/api/3/invitations/redeem', {
    token: other.key,
    body: { invitation_code: code },
    headers: { origin: OTHER_ORIGIN },
  });
  assert.equal(ok.status, 200, 'the refused request did not consume the code');
  assert.equal(ok.headers.get('access-control-allow-origin'), OTHER_ORIGIN);
  assert.equal(ok.headers.get('access-control-expose-headers'), 'Date, Retry-After');
  h.secrets.add(other.key);
});

test('a request without Origin (a server, curl) is not origin-checked', async () => {
  const { code } = await issueWalletPass(h);
  const res = await h.request('POST', '/api/3/invitations/redeem', { token: h.pk, body: { invitation_code: code } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('access-control-allow-origin'), null);
});

test('authentication comes before everything: no token, a bad token, a revoked key are 401', async () => {
  assert.equal((await h.request('GET', '/api/3/people')).status, 401);
  assert.equal((await h.request('GET', '/api/3/people', { token: 'sk_thisisnotarealkey_000000' })).status, 401);
  assert.equal((await h.request('GET', '/api/3/people', { token: 'garbage' })).status, 401);
  const res = await h.request('GET', '/api/3/people', { headers: { authorization: 'Basic Zm9vOmJhcg==' } });
  assert.equal(res.status, 401);
  assert.equal(res.body.error.code, 'unauthorized');
  const temp = await createKey(h.keyway.ctx, { kind: 'secret' });
  h.secrets.add(temp.key);
  assert.equal((await h.request('GET', '/api/3/people', { token: temp.key })).status, 200);
  await revokeKey(h.keyway.ctx, temp.view.id);
  assert.equal((await h.request('GET', '/api/3/people', { token: temp.key })).status, 401);
});

test('a publishable key cannot use the admin API; it cannot read status (cs_/ps_ only)', async () => {
  const admin = await h.request('GET', '/api/3/people', { token: h.pk });
  assert.equal(admin.status, 401);
  const { credentialId } = await issueWalletPass(h);
  const status = await h.request('GET', `/api/3/credentials/${credentialId}/status`, { token: h.pk });
  assert.equal(status.status, 401);
  const bySk = await h.request('GET', `/api/3/credentials/${credentialId}/status`, { token: h.sk });
  assert.equal(bySk.status, 401);
});

test('keys are stored as SHA-256 only and last_used_at is kept', async () => {
  const rows = await h.store.db.selectFrom('api_keys').selectAll().execute();
  const dump = JSON.stringify(rows);
  assert.ok(!dump.includes(h.sk) && !dump.includes(h.pk));
  await h.request('GET', '/api/3/people', { token: h.sk });
  const sk = rows.find((r) => r.key_hint === h.sk.slice(-4) && r.kind === 'secret');
  const after = await h.store.db
    .selectFrom('api_keys')
    .select('last_used_at')
    .where('id', '=', sk!.id)
    .executeTakeFirst();
  assert.ok(after?.last_used_at);
});

test('/openapi.json is OpenAPI 3.1 generated from the schemas; /docs renders it with local assets only', async () => {
  const doc = await h.request('GET', '/openapi.json');
  assert.equal(doc.status, 200);
  assert.equal(doc.body.openapi, '3.1.0');
  for (const p of [
    '/api/3/people',
    '/api/3/people/{id}/credentials',
    '/api/3/invitations/redeem',
    '/api/3/credentials/{cid}/status',
    '/api/3/events',
  ]) {
    assert.ok(doc.body.paths[p], `documents ${p}`);
  }
  assert.ok(doc.body.components.schemas.PersonCredential);
  const docs = await h.request('GET', '/docs');
  assert.equal(docs.status, 200);
  assert.match(docs.text, /\/api\/3\/invitations\/redeem/);
  assert.doesNotMatch(docs.text, /<script|https?:\/\/(?!127\.0\.0\.1)[a-z0-9.-]+\/[^"]*\.(js|css)/i);
  assert.match(docs.headers.get('content-security-policy') ?? '', /style-src 'nonce-/);
});

test('health and readiness', async () => {
  const health = (await h.request('GET', '/healthz')).body;
  assert.equal(health.ok, true);
  assert.match(health.instance_id, /^[0-9a-f]{16}$/, 'this deployment’s id (SPEC §15), nothing of the secret');
  const ready = await h.request('GET', '/readyz');
  assert.equal(ready.status, 200);
  assert.equal(ready.body.checks.database, 'ok');
  assert.equal(ready.body.checks.migrations, 'ok');
  assert.equal((await h.request('GET', '/favicon.ico')).status, 200);
});

test('unknown endpoints and methods answer the error shape', async () => {
  const res = await h.request('GET', '/api/3/nope', { token: h.sk });
  assert.equal(res.status, 404);
  assert.equal(res.body.error.code, 'not_found');
});

test('an expired or unknown token from a listed origin gets a 401 the widget can read', async () => {
  const res = await h.request('GET', '/api/3/credentials/cred_x/status', {
    token: `ps_${'Z'.repeat(43)}`,
    headers: { origin: PARTNER_ORIGIN },
  });
  assert.equal(res.status, 401);
  assert.equal(res.headers.get('access-control-allow-origin'), PARTNER_ORIGIN);
  const stranger = await h.request('GET', '/api/3/credentials/cred_x/status', {
    token: `ps_${'Z'.repeat(43)}`,
    headers: { origin: 'https://stranger.example' },
  });
  assert.equal(stranger.headers.get('access-control-allow-origin'), null);
});

test('an error answer keeps the CORS, Vary and request-id headers middleware set before it', async () => {
  const res = await h.request('POST', '/api/3/verifications/ver_doesnotexist00/check', {
    token: h.pk,
    body: { code: '123456' },
    headers: { origin: PARTNER_ORIGIN },
  });
  assert.equal(res.status, 404);
  assert.equal(res.headers.get('access-control-allow-origin'), PARTNER_ORIGIN);
  assert.equal(res.headers.get('vary'), 'Origin');
  assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
  assert.match(res.headers.get('x-request-id') ?? '', /^[\w.-]{8,64}$/);
  assert.equal(res.body.error.code, 'not_found');
});

// Review, round two, point 12: outside development /readyz says what is wrong only to the metrics token's holder.
test('/readyz outside development: status and check names for everyone, what is wrong only with the metrics token', async () => {
  const metricsToken = 'readyz-metrics-token-0123456789';
  const g = await createHarness({
    wallet: null, // passes on without signing material: the signer check fails, with a reason
    configure: (config) => {
      config.dev = false;
      config.metricsToken = metricsToken;
    },
  });
  try {
    const anyone = await g.request('GET', '/readyz');
    assert.equal(anyone.status, 503);
    assert.equal(anyone.body.ok, false);
    assert.deepEqual(Object.keys(anyone.body.checks).sort(), ['database', 'migrations', 'shutdown', 'signer']);
    assert.deepEqual(new Set(Object.values(anyone.body.checks)), new Set(['ok', 'failing']), anyone.text);
    const operator = await g.request('GET', '/readyz', { headers: { authorization: `Bearer ${metricsToken}` } });
    assert.equal(operator.status, 503);
    assert.notEqual(operator.body.checks.signer, 'failing', 'the token holder reads the reason');
    assert.notEqual(operator.body.checks.signer, 'ok');
    const wrong = await g.request('GET', '/readyz', { headers: { authorization: 'Bearer not-the-token-000000' } });
    assert.equal(wrong.body.checks.signer, 'failing');
  } finally {
    await g.close();
  }
});
