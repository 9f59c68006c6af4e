import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createHarness, issueWalletPass, type Harness } from '../helpers/harness.js';

/**
 * Malformed and fuzzed input on every documented route never produces a 5xx (docs/api.md:
 * "no 5xx from user input"). Routes come from /openapi.json so new routes are covered too.
 */
let h: Harness;
let ids: { personId: number; credentialId: string };
before(async () => {
  h = await createHarness({ env: { KEYWAY_LIMIT_REDEEM_PER_IP_MIN: '100000' } });
  ids = await issueWalletPass(h);
});
after(async () => {
  h.assertLogsClean();
  await h.close();
});

// Deterministic PRNG so a failure reproduces.
function mulberry32(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = mulberry32(20261123);
const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];

const WEIRD_VALUES: unknown[] = [
  null, true, false, 0, -1, 1e308, -0, 3.5, Number.MAX_SAFE_INTEGER + 2, '', ' ', 'x'.repeat(10_000), '\u0000', '💥', '<script>', "' or 1=1 --",
  '+', '+999999999999999999', '٠١٢٣٤٥٦٧٨٩', [], [1, 2], {}, { $gt: '' }, { nested: { deep: [null] } }, '2026-13-45T99:99:99Z', 'cred_../../etc',
];
const FIELDS = ['first_name', 'last_name', 'email', 'phone', 'enabled', 'group_ids', 'credential_type_id', 'value', 'deliver', 'value_mode', 'invitation_code', 'person_id', 'origins', 'platform', 'credential_id', 'code', 'phone_number', 'country', 'handoff_token', 'url', 'events'];
const WRAPS = [undefined, 'person', 'person_credential', 'webhook'];

function randomBody(): { raw: string } {
  const r = rand();
  if (r < 0.1) return { raw: pick(['{', '[', 'null', '"str"', '123', '{"a":', '\u0000\u0001', '{"person": null}', '{"person": []}', '{"person_credential": "x"}', 'true']) };
  const obj: Record<string, unknown> = {};
  const n = Math.floor(rand() * 6);
  for (let i = 0; i < n; i++) obj[pick(FIELDS)] = pick(WEIRD_VALUES);
  const wrap = pick(WRAPS);
  return { raw: JSON.stringify(wrap ? { [wrap]: obj } : obj) };
}

function concretePaths(path: string): string[] {
  const fillers: Record<string, string[]> = {
    id: [String(ids.personId), '0', '-1', '99999999999999999999', 'abc', '1.5', '%00'],
    cid: [ids.credentialId, 'cred_nope', '..', 'x'.repeat(300)],
    device_id: ['dev_nope', ''],
  };
  let out = [path];
  for (const [name, values] of Object.entries(fillers)) {
    if (!path.includes(`{${name}}`)) continue;
    out = out.flatMap((p) => values.map((v) => p.replace(`{${name}}`, encodeURIComponent(v))));
  }
  return out.map((p) => p.replace(/\{\w+\}/g, 'x'));
}

test('every route answers malformed bodies, params and queries with 4xx, never 5xx', async () => {
  const doc = (await h.request('GET', '/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
  const tokens = [h.sk, h.skRead, h.pk, undefined, 'ps_' + 'A'.repeat(40)];
  let requests = 0;
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const method of Object.keys(ops)) {
      for (const p of concretePaths(path)) {
        for (let i = 0; i < 12; i++) {
          const query = rand() < 0.3 ? `?limit=${pick(['0', '-5', 'abc', '1e9', '50'])}&cursor=${pick(['', 'zzz', '%FF', '1'])}&phone=${pick(['', '+1', 'abc'])}` : '';
          const res = await h.request(method.toUpperCase(), p + query, {
            token: pick(tokens),
            ...randomBody(),
            headers: { 'content-type': pick(['application/json', 'text/plain', 'application/x-www-form-urlencoded']) },
          });
          requests++;
          assert.ok(res.status < 500, `${method.toUpperCase()} ${p}${query} → ${res.status} ${res.text.slice(0, 200)}`);
          if (res.status >= 400 && res.headers.get('content-type')?.includes('json')) {
            assert.equal(typeof res.body.error.code, 'string', `error shape for ${method} ${p}`);
            assert.equal(typeof res.body.error.message, 'string');
          }
        }
      }
    }
  }
  assert.ok(requests > 300, `fuzzed ${requests} requests`);
});

test('a 5xx from an internal fault hides its internals', async () => {
  const g = await createHarness();
  g.keyway.app.get('/__boom', () => {
    throw new Error('secret internal detail at /var/lib/db');
  });
  const res = await g.request('GET', '/__boom');
  await g.close();
  assert.equal(res.status, 500);
  assert.deepEqual(Object.keys(res.body.error).sort(), ['code', 'message']);
  assert.equal(res.body.error.code, 'internal_error');
  assert.ok(!res.text.includes('secret internal detail'));
  assert.ok(g.logs.some((l) => l.includes('secret internal detail')), 'the log keeps the cause');
});
