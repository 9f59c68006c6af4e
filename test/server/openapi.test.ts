import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { ERRORS } from '../../server/domain/errors.js';
import { announceExpiringCertificates } from '../../server/domain/wallets/certificate-expiry.js';
import { WEBHOOK_EVENTS } from '../../server/domain/webhooks/endpoints.js';
import { dispatchWebhooks } from '../../server/webhooks/dispatcher.js';
import {
  createHarness,
  type Harness,
  issueWalletPass,
  OTHER_ORIGIN,
  PARTNER_ORIGIN,
  TestClock,
} from '../helpers/harness.js';
import { type AnswerChecker, answerChecker, type OpenApiDoc } from '../helpers/openapi.js';
import { clientSession, fetchPass, redeemedCredential, requestApplePass } from '../helpers/passes.js';
import { type Receiver, startReceiver } from '../helpers/peers.js';
import { freshSchema, PG_URL, skipWithoutPostgres } from '../helpers/pg.js';
import { check, freshPhone, latestSms, personWithPhone, resend, startVerification, wrongCode } from '../helpers/sms.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';

/** docs/api.md "/openapi.json is complete": read from the served document, as a client generator would. */
let h: Harness;
let doc: OpenApiDoc;
let checker: AnswerChecker;
let rx: Receiver;
before(async () => {
  rx = await startReceiver();
  // Real time, so the webhook timestamps are now.
  h = await createHarness({ clock: new TestClock(Date.now()) });
  doc = (await h.request('GET', '/openapi.json')).body;
  checker = answerChecker(doc);
});
after(async () => {
  h.assertLogsClean();
  await h.close();
  await rx.close();
});

const operations = () =>
  Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method, op })));

test('every operation of /openapi.json has a unique, URL-safe operationId', () => {
  const seen = new Map<string, string>();
  for (const { path, method, op } of operations()) {
    const where = `${method.toUpperCase()} ${path}`;
    assert.ok(op.operationId, `${where} has no operationId`);
    assert.match(op.operationId, /^[A-Za-z][A-Za-z0-9_]*$/, `${where}: ${op.operationId}`);
    assert.ok(!seen.has(op.operationId), `${where} and ${seen.get(op.operationId)} share ${op.operationId}`);
    seen.set(op.operationId, where);
  }
  assert.ok(seen.size > 20, `${seen.size} operations`);
});

test('redocly’s recommended rules report no error', async () => {
  const config = await createConfig({ extends: ['recommended'] });
  const problems = await lintFromString({ source: JSON.stringify(doc), absoluteRef: 'openapi.json', config });
  const errors = problems
    .filter((p) => p.severity === 'error')
    .map((p) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`);
  assert.deepEqual(errors, []);
});

test('what the shared middleware answers is declared on every operation it runs for', () => {
  for (const { path, method, op } of operations()) {
    const where = `${method.toUpperCase()} ${path}`;
    const statuses = Object.keys(op.responses);
    if (path.startsWith('/api/3/')) assert.ok(statuses.includes('403'), `${where}: 403 origin_not_allowed`);
    if (path.startsWith('/api/3/') && method === 'post') {
      assert.ok(
        op.parameters?.some((p) => p.in === 'header' && p.name === 'Idempotency-Key'),
        `${where}: Idempotency-Key`,
      );
      for (const s of ['400', '409', '422']) assert.ok(statuses.includes(s), `${where}: ${s} of Idempotency-Key`);
    }
    if (method !== 'get') assert.ok(statuses.includes('413'), `${where}: 413 payload_too_large`);
    if ((op.security ?? []).length) assert.ok(statuses.includes('401'), `${where}: 401`);
    for (const s of ['429', '503'])
      if (op.responses[s]) assert.ok(op.responses[s].headers?.['Retry-After'], `${where}: ${s} declares Retry-After`);
    assert.ok(Array.isArray(op.security), `${where}: security stated, [] when none`);
  }
  assert.deepEqual(Object.keys(doc.webhooks ?? {}).sort(), [...WEBHOOK_EVENTS, 'webhook.test'].sort());
  // A body the server needs is required (it reads an empty body as {}): people need names, a hand-off needs nothing.
  assert.equal(doc.paths['/api/3/people'].post.requestBody?.required, true);
  assert.equal(doc.paths['/api/3/handoffs'].post.requestBody?.required, false);
  const passkit = Object.entries(doc.paths).filter(([p]) => p.startsWith('/wallet/apple/'));
  for (const [p, ops] of passkit) {
    for (const [m, op] of Object.entries(ops)) {
      const expected =
        p.endsWith('/log') || (m === 'get' && p.endsWith('{passTypeIdentifier}')) ? [] : [{ ApplePass: [] }];
      assert.deepEqual(op.security, expected, `${m} ${p}`);
    }
  }
});

test('each error schema carries exactly its status’s codes, and docs/errors.md lists the same table', () => {
  const schemas = (
    doc.components as {
      schemas: Record<string, { properties: { error: { properties: { code: { enum: string[] } } } } }>;
    }
  ).schemas;
  for (const [name, schema] of Object.entries(schemas).filter(([n]) => /^Error\d{3}$/.test(n))) {
    const status = Number(name.slice(5));
    const codes = Object.entries(ERRORS)
      .filter(([, [s]]) => s === status)
      .map(([c]) => c);
    assert.deepEqual(schema.properties.error.properties.code.enum, codes, name);
  }
  const documented = [
    ...fs
      .readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8')
      .matchAll(/^\| (\d{3}) +\| `(\w+)` +\|/gm),
  ].map((m) => [m[2], Number(m[1])]);
  assert.deepEqual(
    documented,
    Object.entries(ERRORS).map(([code, [status]]) => [code, status]),
  );
});

test('/docs, rendered from the document, shows the webhook deliveries too', async () => {
  const page = (await h.request('GET', '/docs')).text;
  for (const event of Object.keys(doc.webhooks ?? {})) assert.ok(page.includes(`<code>${event}</code>`), event);
});

describe('real answers are ones the document told of', () => {
  const problems: string[] = [];
  const statuses = new Set<number>();
  type Opts = Parameters<Harness['request']>[2];
  /** h.request, with the answer held against the document. */
  async function call(method: string, path: string, opts: Opts = {}) {
    const r = await h.request(method, path, opts);
    problems.push(...checker.problems(method, path, r));
    statuses.add(r.status);
    return r;
  }
  /** app.request for what h.request cannot read (headers of our own, binary, SSE). */
  async function raw(
    method: string,
    path: string,
    init: { headers?: Record<string, string>; body?: string } = {},
    stream = false,
  ) {
    const res = await h.keyway.app.request(path, {
      method,
      headers: { 'x-forwarded-for': '198.51.100.20', ...init.headers },
      body: init.body,
    });
    let text = '';
    if (stream) await res.body?.cancel();
    else text = await res.text();
    const seen = { status: res.status, headers: res.headers, text };
    problems.push(...checker.problems(method, path, stream ? { ...seen, headers: res.headers, text: '' } : seen));
    statuses.add(res.status);
    return seen;
  }
  after(() => {
    assert.deepEqual(problems, []);
  });

  test('the admin API, its errors and Idempotency-Key', async () => {
    const sk = { token: h.sk };
    await call('GET', '/healthz');
    await call('GET', '/readyz');
    await call('GET', '/api/3/credential_types');
    const person = await call('POST', '/api/3/people', {
      ...sk,
      body: { person: { first_name: 'Ada', last_name: 'Lovelace', phone: '+447400123456' } },
    });
    assert.equal(person.status, 201);
    const id = person.body.person.id;
    assert.equal((await call('POST', '/api/3/people', { ...sk, body: { person: { first_name: '' } } })).status, 400);
    assert.equal(
      (
        await call('POST', '/api/3/people', {
          ...sk,
          raw: '{"person":',
          headers: { 'content-type': 'application/json' },
        })
      ).status,
      400,
    );
    assert.equal((await call('POST', '/api/3/people', { body: { first_name: 'A', last_name: 'B' } })).status, 401);
    assert.equal(
      (await call('POST', '/api/3/people', { token: h.skRead, body: { first_name: 'A', last_name: 'B' } })).status,
      403,
    );
    assert.equal(
      (await call('GET', '/api/3/credential_types', { token: h.pk, headers: { origin: OTHER_ORIGIN } })).status,
      403,
    );
    assert.equal((await call('GET', '/api/3/people?limit=0', sk)).status, 400);
    assert.equal((await call('GET', '/api/3/people?cursor=zzz', sk)).status, 400);
    await call('GET', '/api/3/people?limit=2', sk);
    assert.equal((await call('GET', '/api/3/people/99999999', sk)).status, 404);
    await call('GET', `/api/3/people/${id}`, { token: h.skRead });
    await call('PUT', `/api/3/people/${id}`, { ...sk, body: { last_name: 'King' } });
    assert.equal((await call('PATCH', `/api/3/people/${id}`, sk)).status, 405);
    assert.equal((await call('GET', '/api/3/nothing-here', sk)).status, 404);

    const cred = await call('POST', `/api/3/people/${id}/credentials`, {
      ...sk,
      body: { person_credential: { credential_type_id: 9 } },
    });
    assert.equal(cred.status, 201);
    const cid = cred.body.person_credential.id;
    assert.equal(
      (await call('POST', `/api/3/people/${id}/credentials`, { ...sk, body: { credential_type_id: 77 } })).status,
      422,
    );
    await call('POST', `/api/3/people/${id}/credentials`, { ...sk, body: { credential_type_id: 6, value: '4242' } });
    await call('GET', `/api/3/people/${id}/credentials`, { token: h.skRead });
    assert.equal((await call('GET', `/api/3/people/${id}/credentials?cursor=nope`, sk)).status, 400);
    await call('GET', `/api/3/people/${id}/credentials/${cid}`, sk);
    await call('POST', `/api/3/people/${id}/credentials/${cid}/invitation`, sk);
    await call('PUT', `/api/3/people/${id}/credentials/${cid}`, { ...sk, body: { enabled: false } });
    await call('PUT', `/api/3/people/${id}/credentials/${cid}`, {
      ...sk,
      body: { person_credential: { enabled: true } },
    });
    await call('DELETE', `/api/3/people/${id}/credentials/${cid}/devices/dev_nope`, sk);
    assert.equal((await call('DELETE', `/api/3/people/${id}/credentials/${cid}`, sk)).status, 202);
    assert.equal(
      (await call('PUT', `/api/3/people/${id}/credentials/${cid}`, { ...sk, body: { enabled: false } })).status,
      409,
    );

    const key = { ...sk, headers: { 'idempotency-key': 'openapi-test-1' } };
    assert.equal(
      (await call('POST', '/api/3/people', { ...key, body: { first_name: 'Idem', last_name: 'Potent' } })).status,
      201,
    );
    const replay = await call('POST', '/api/3/people', { ...key, body: { first_name: 'Idem', last_name: 'Potent' } });
    assert.equal(replay.headers.get('idempotent-replayed'), 'true');
    assert.equal(
      (await call('POST', '/api/3/people', { ...key, body: { first_name: 'Other', last_name: 'Body' } })).status,
      422,
    );
    assert.equal(
      (
        await call('POST', '/api/3/people', {
          ...sk,
          headers: { 'idempotency-key': 'k'.repeat(300) },
          body: { first_name: 'A', last_name: 'B' },
        })
      ).status,
      400,
    );
    assert.equal(
      (
        await raw('POST', '/api/3/people', {
          headers: { authorization: `Bearer ${h.sk}`, 'content-type': 'application/json' },
          body: JSON.stringify({ first_name: 'x'.repeat(70_000) }),
        })
      ).status,
      413,
    );
    assert.equal(
      (
        await raw('POST', '/wallet/apple/v1/log', {
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ logs: ['x'.repeat(70_000)] }),
        })
      ).status,
      413,
    );

    await call('POST', '/api/3/client_sessions', { ...sk, body: { person_id: id } });
    assert.equal((await call('POST', '/api/3/client_sessions', { ...sk, body: { person_id: 99999999 } })).status, 404);
    await call('POST', '/api/3/access/verify', { ...sk, body: { value: 'nothing-opens' } });
    await call('GET', '/api/3/events?limit=3', sk);
    assert.equal((await call('GET', '/api/3/events?cursor=abc', sk)).status, 400);
    assert.equal((await call('DELETE', `/api/3/people/${id}`, sk)).status, 202);
  });

  test('webhooks: the endpoints, and every delivery’s body against the document’s webhooks', async () => {
    const sk = { token: h.sk };
    const wh = await call('POST', '/api/3/webhooks', {
      ...sk,
      body: { webhook: { url: rx.url, events: [...WEBHOOK_EVENTS] } },
    });
    assert.equal(wh.status, 201);
    const whId = wh.body.webhook.id;
    await call('GET', '/api/3/webhooks', sk);
    await call('GET', `/api/3/webhooks/${whId}`, sk);
    await call('POST', `/api/3/webhooks/${whId}/rotate_secret`, sk);
    await call('POST', `/api/3/webhooks/${whId}/test`, sk);

    // Every event once: created, added, status changes (redeem, revoke), revoked, verified.
    const { ps, personId, credentialId } = await redeemedCredential(h);
    await requestApplePass(h, ps);
    await call('DELETE', `/api/3/people/${personId}/credentials/${credentialId}`, sk);
    const { phone } = await personWithPhone(h);
    const started = await startVerification(h, phone);
    await check(h, started.body.verification_id, (await latestSms(h, phone)).code);
    // certificate.expiring: the same deployment seen ten days before its pass certificate lapses.
    const ctx = h.keyway.ctx;
    const lapse = ctx.wallet!.apple!.material.certificate.notAfter.getTime();
    await announceExpiringCertificates({ ...ctx, clock: { now: () => new Date(lapse - 10 * 86_400_000) } });
    await dispatchWebhooks(h.keyway.ctx);
    await call('GET', `/api/3/webhooks/${whId}/deliveries`, sk);
    const seenEvents = new Set<string>();
    for (const r of rx.received) {
      const body = JSON.parse(r.body);
      seenEvents.add(body.event);
      assert.ok(doc.webhooks?.[body.event], `${body.event} is a webhook of the document`);
      problems.push(
        ...checker
          .schemaProblems(
            ['webhooks', body.event, 'post', 'requestBody', 'content', 'application/json', 'schema'],
            body,
          )
          .map((p) => `webhook ${body.event}: ${p}; ${r.body}`),
      );
    }
    assert.deepEqual([...seenEvents].sort(), [...WEBHOOK_EVENTS, 'webhook.test'].sort());
    assert.equal((await call('DELETE', `/api/3/webhooks/${whId}`, sk)).status, 204);
    assert.equal((await call('GET', `/api/3/webhooks/${whId}`, sk)).status, 404);
  });

  test('the widgets’ routes: redeem, verifications, passes, hand-offs, status and its stream', async () => {
    const pk = { token: h.pk, headers: { origin: PARTNER_ORIGIN } };
    const issued = await issueWalletPass(h);
    assert.equal(
      (await call('POST', '/api/3/invitations/redeem', { ...pk, body: { invitation_code: 'NOPE-NOPE-NOPE' } })).status,
      404,
    );
    const redeemed = await call('POST', '/api/3/invitations/redeem', { ...pk, body: { invitation_code: issued.code } });
    assert.equal(redeemed.status, 200);
    assert.equal(
      (await call('POST', '/api/3/invitations/redeem', { ...pk, body: { invitation_code: issued.code } })).status,
      409,
    );
    const ps = redeemed.body.provisioning_token;
    assert.equal((await call('POST', '/api/3/passes', { token: h.pk, body: { platform: 'apple' } })).status, 401);
    assert.equal((await call('POST', '/api/3/passes', { token: ps, body: { platform: 'nokia' } })).status, 400);
    const pass = await call('POST', '/api/3/passes', { token: ps, body: { platform: 'apple' } });
    assert.equal(pass.status, 200);
    const download = new URL(pass.body.url).pathname;
    h.secrets.add(download.split('/').pop()!.replace('.pkpass', ''));
    assert.equal((await raw('GET', download)).status, 200);
    assert.equal((await raw('GET', download)).status, 410);
    await call('GET', `/api/3/credentials/${issued.credentialId}/status`, { token: ps });
    assert.equal((await call('GET', '/api/3/credentials/cred_nope/status', { token: ps })).status, 404);
    const stream = await raw(
      'GET',
      `/api/3/credentials/${issued.credentialId}/status/stream`,
      { headers: { authorization: `Bearer ${ps}` } },
      true,
    );
    assert.equal(stream.status, 200);

    const invited = await issueWalletPass(h);
    const cs = await clientSession(h, invited.personId);
    assert.equal(
      (
        await call('POST', '/api/3/passes', {
          token: cs,
          body: { platform: 'apple', credential_id: invited.credentialId },
        })
      ).status,
      409,
    );
    const handoff = await call('POST', '/api/3/handoffs', { token: ps, body: {} });
    assert.equal(handoff.status, 201);
    const handoffToken = new URL(handoff.body.url).hash.slice(3);
    h.secrets.add(handoffToken);
    const carried = await call('POST', '/api/3/handoffs/redeem', { ...pk, body: { handoff_token: handoffToken } });
    assert.equal(carried.status, 200);
    assert.equal(
      (await call('POST', '/api/3/handoffs', { token: carried.body.provisioning_token, body: {} })).status,
      403,
    );
    assert.equal(
      (await call('POST', '/api/3/handoffs/redeem', { ...pk, body: { handoff_token: handoffToken } })).status,
      410,
    );

    const { phone } = await personWithPhone(h);
    const started = await call('POST', '/api/3/verifications', { ...pk, body: { phone_number: phone } });
    assert.equal(started.status, 202);
    const vid = started.body.verification_id;
    const code = (await latestSms(h, phone)).code;
    problems.push(...checker.problems('POST', `/api/3/verifications/${vid}/resend`, await resend(h, vid)));
    for (let i = 0; i < 6; i++) {
      const r = await call('POST', `/api/3/verifications/${vid}/check`, { ...pk, body: { code: wrongCode(code) } });
      assert.equal(r.status, i < 4 ? 422 : 429);
    }
    assert.equal(
      (await call('POST', '/api/3/verifications', { ...pk, body: { phone_number: 'not a number' } })).status,
      400,
    );
    await call('POST', '/api/3/verifications', { ...pk, body: { phone_number: freshPhone() } });
    assert.equal(
      (await call('POST', '/api/3/verifications/ver_nope/check', { ...pk, body: { code: '123456' } })).status,
      404,
    );
  });

  test('the wallets’ protocols: PassKit (201, 200, 204, 304, 401), Google’s and HID Origo’s callbacks', async () => {
    const WS = '/wallet/apple/v1';
    const ptid = h.keyway.ctx.wallet!.apple!.material.passTypeId;
    const { ps } = await redeemedCredential(h);
    const fetched = await fetchPass(h, (await requestApplePass(h, ps)).url);
    const serial = fetched.passJson.serialNumber as string;
    const authToken = fetched.passJson.authenticationToken as string;
    h.secrets.add(authToken);
    const dli = 'a1b2c3d4e5f60718293a4b5c6d7e8f91';
    const reg = `${WS}/devices/${dli}/registrations/${ptid}/${serial}`;
    const json = { 'content-type': 'application/json' };
    const pass = { authorization: `ApplePass ${authToken}` };
    assert.equal(
      (
        await raw('POST', reg, {
          headers: { ...json, authorization: 'ApplePass wrong-token-00000000' },
          body: '{"pushToken":"p"}',
        })
      ).status,
      401,
    );
    assert.equal(
      (await raw('POST', reg, { headers: { ...json, ...pass }, body: '{"pushToken":"push-openapi-1"}' })).status,
      201,
    );
    assert.equal(
      (await raw('POST', reg, { headers: { ...json, ...pass }, body: '{"pushToken":"push-openapi-1"}' })).status,
      200,
    );
    assert.equal((await raw('POST', reg, { headers: { ...json, ...pass }, body: '{}' })).status, 400);
    const list = await raw('GET', `${WS}/devices/${dli}/registrations/${ptid}`);
    assert.equal(list.status, 200);
    const since = JSON.parse(list.text).lastUpdated;
    assert.equal(
      (await raw('GET', `${WS}/devices/${dli}/registrations/${ptid}?passesUpdatedSince=${encodeURIComponent(since)}`))
        .status,
      204,
    );
    const latest = await raw('GET', `${WS}/passes/${ptid}/${serial}`, { headers: pass });
    assert.equal(latest.status, 200);
    assert.equal(
      (
        await raw('GET', `${WS}/passes/${ptid}/${serial}`, {
          headers: { ...pass, 'if-modified-since': latest.headers.get('last-modified')! },
        })
      ).status,
      304,
    );
    assert.equal((await raw('GET', `${WS}/passes/${ptid}/${serial}`)).status, 401);
    assert.equal((await raw('DELETE', reg, { headers: pass })).status, 200);
    assert.equal(
      (await raw('POST', `${WS}/log`, { headers: json, body: '{"logs":["a wallet complaint"]}' })).status,
      200,
    );

    assert.equal((await raw('POST', '/wallet/google/callback', { headers: json, body: '{"nope":1}' })).status, 400);
    const callback = {
      signature: 'c2ln',
      intermediateSigningKey: { signedKey: '{}', signatures: ['c2ln'] },
      protocolVersion: 'ECv2SigningOnly',
      signedMessage: '{}',
    };
    assert.equal(
      (await raw('POST', '/wallet/google/callback', { headers: json, body: JSON.stringify(callback) })).status,
      401,
    );
    assert.equal(
      (
        await raw('POST', '/hid/origo/callback', {
          headers: { 'content-type': 'application/cloudevents-batch+json' },
          body: '[]',
        })
      ).status,
      404,
    );
  });

  test('the answers seen cover the document’s kinds of status', () => {
    for (const s of [200, 201, 202, 204, 304, 400, 401, 403, 404, 405, 409, 410, 413, 422, 429])
      assert.ok(statuses.has(s), `saw a ${s}`);
  });
});

describe('a database outage: 503 with Retry-After, as declared', async () => {
  const reason = await skipWithoutPostgres();
  test('every kind of route answers a declared 503 while PostgreSQL cannot be reached', {
    skip: reason ?? false,
  }, async () => {
    const schema = await freshSchema();
    const target = new URL(PG_URL);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const g = await createHarness({ env: { DATABASE_URL: proxy.url(schema.url) } });
    try {
      const gDoc = answerChecker((await g.request('GET', '/openapi.json')).body);
      const { personId, credentialId } = await issueWalletPass(g);
      proxy.cut();
      const seen: string[] = [];
      const cases: [string, string, Parameters<Harness['request']>[2]][] = [
        ['GET', '/api/3/people', { token: g.sk }],
        ['POST', '/api/3/people', { token: g.sk, body: { first_name: 'A', last_name: 'B' } }],
        ['GET', `/api/3/people/${personId}/credentials/${credentialId}`, { token: g.sk }],
        ['POST', '/api/3/invitations/redeem', { token: g.pk, body: { invitation_code: 'AAAA-BBBB-CCCC' } }],
        ['GET', '/api/3/credential_types', { token: g.pk }],
        ['GET', `/wallet/apple/v1/devices/abc/registrations/${g.keyway.ctx.wallet!.apple!.material.passTypeId}`, {}],
        ['GET', '/readyz', {}],
      ];
      for (const [method, path, opts] of cases) {
        const r = await g.request(method, path, opts);
        assert.equal(r.status, 503, `${method} ${path}: ${r.text}`);
        seen.push(...gDoc.problems(method, path, r));
      }
      assert.deepEqual(seen, []);
    } finally {
      proxy.restore();
      await g.close();
      await proxy.close();
      await schema.drop();
    }
  });
});
