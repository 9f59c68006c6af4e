// The staff console's session over real HTTP against `keyway serve` in production (docs/console.md):
// passkey enrolment and sign-in, the cookie's flags, the Origin check, the role matrix, the
// sign-in limit, spent and lapsed enrolment links, a replayed assertion, a disabled member.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { TEST_SECRET } from '../helpers/harness.js';
import { runCli, type ServerProcess, startServerProcess } from '../helpers/process.js';
import { SoftAuthenticator } from '../helpers/soft-authenticator.js';

const ORIGIN = 'https://keys.example.com';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-console-'));
const ENV: Record<string, string> = {
  KEYWAY_DATA_DIR: dir,
  DATABASE_URL: `sqlite:${path.join(dir, 'k.db')}`,
  KEYWAY_SECRET: TEST_SECRET,
  PUBLIC_URL: ORIGIN,
  KEYWAY_SMS_PROVIDER: 'webhook',
  KEYWAY_SMS_WEBHOOK_URL: 'https://sms.example.com/hook',
  KEYWAY_SMS_WEBHOOK_SECRET: `whsec_${Buffer.alloc(32, 7).toString('base64')}`,
  KEYWAY_PASSES: 'off',
};

let server: ServerProcess;
before(async () => {
  const env = { ...ENV };
  server = await startServerProcess(env, 'serve');
});
after(async () => {
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A browser's view of the console: its cookie, its Origin on unsafe methods. */
class Browser {
  cookie = '';
  lastSetCookie = '';
  constructor(
    readonly origin: string | null = ORIGIN,
    readonly ip = '127.0.0.1',
  ) {}
  async call(method: string, p: string, body?: unknown, headers: Record<string, string> = {}) {
    const h: Record<string, string> = { ...headers };
    if (this.cookie) h.cookie = this.cookie;
    if (this.origin && method !== 'GET') h.origin = this.origin;
    if (body !== undefined) h['content-type'] = 'application/json';
    const res = await fetch(server.url + p, {
      method,
      headers: h,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const set = res.headers.get('set-cookie');
    if (set) {
      this.lastSetCookie = set;
      const m = /^(__Host-keyway_console)=([^;]*)/.exec(set);
      if (m) this.cookie = m[2] ? `${m[1]}=${m[2]}` : '';
    }
    const text = await res.text();
    return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : null };
  }
}

async function invite(email: string, role: string): Promise<string> {
  const r = await runCli(['staff', 'invite', email, '--role', role], ENV);
  assert.equal(r.code, 0, r.stderr);
  const link = r.stdout.trim();
  assert.match(link, /^https:\/\/keys\.example\.com\/console\/enrol#enr_[A-Za-z0-9]+$/);
  return link.split('#')[1];
}

async function enrol(b: Browser, auth: SoftAuthenticator, token: string) {
  const opts = await b.call('POST', '/console/auth/enrol/options', { token });
  assert.equal(opts.status, 200, JSON.stringify(opts.json));
  assert.equal(opts.json.options.authenticatorSelection.userVerification, 'required');
  assert.equal(opts.json.options.authenticatorSelection.residentKey, 'required');
  return b.call('POST', '/console/auth/enrol', { token, response: auth.create(opts.json.options, ORIGIN) });
}

async function signIn(b: Browser, auth: SoftAuthenticator) {
  const opts = await b.call('POST', '/console/auth/signin/options', {});
  assert.equal(opts.status, 200, JSON.stringify(opts.json));
  const assertion = auth.get(opts.json.options, ORIGIN);
  return { answer: await b.call('POST', '/console/auth/signin', { response: assertion }), assertion };
}

describe('the staff console in production', () => {
  const adminKey = new SoftAuthenticator();
  const admin = new Browser();

  test('an admin enrols from a CLI-made link; the cookie is __Host-, HttpOnly, Secure, SameSite=Strict, Path=/', async () => {
    const token = await invite('ada@example.com', 'admin');
    const r = await enrol(admin, adminKey, token);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal(r.json.staff.role, 'admin');
    assert.equal(r.headers.get('cache-control'), 'no-store');
    const flags = admin.lastSetCookie.split(';').map((s) => s.trim().toLowerCase());
    assert.ok(flags[0].startsWith('__host-keyway_console=kcs_'));
    for (const f of ['httponly', 'secure', 'samesite=strict', 'path=/'])
      assert.ok(flags.includes(f), `${f} in ${admin.lastSetCookie}`);
    assert.ok(!flags.some((f) => f.startsWith('domain=')));
    const me = await admin.call('GET', '/console/auth/session');
    assert.equal(me.json.staff.email, 'ada@example.com');
    assert.equal(me.json.staff.passkeys.length, 1);

    // The same link again: spent.
    const again = await new Browser().call('POST', '/console/auth/enrol/options', { token });
    assert.equal(again.status, 410);
    assert.equal(again.json.error.code, 'link_expired');
  });

  test('the console page: strict CSP (no inline code, no third party), never framed, never cached', async () => {
    for (const p of ['/console', '/console/people/1', '/console/enrol']) {
      const res = await fetch(server.url + p);
      assert.equal(res.status, 200);
      const csp = res.headers.get('content-security-policy') ?? '';
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.match(csp, /style-src 'self'(;|$)/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.ok(!/unsafe-|https?:/.test(csp), csp);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      assert.ok(!/<script(?![^>]*\bsrc=)/.test(await res.text()), 'no inline script');
    }
  });

  test('an enrolment link past its 24 h is refused', async () => {
    const token = await invite('late@example.com', 'viewer');
    const db = new Database(path.join(dir, 'k.db'));
    db.prepare(
      "update staff_tokens set expires_at = '2000-01-01T00:00:00.000Z' where kind = 'enrol' and used_at is null",
    ).run();
    db.close();
    const r = await new Browser().call('POST', '/console/auth/enrol/options', { token });
    assert.equal(r.status, 410);
    assert.equal(r.json.error.code, 'link_expired');
  });

  test('the session calls /api/3 as a staff member; unsafe methods need the console Origin', async () => {
    const created = await admin.call('POST', '/api/3/people', { first_name: 'Grace', last_name: 'Hopper' });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const events = await admin.call('GET', '/api/3/events?type=person.created');
    // SPEC §14: Cache-Control: no-store on answers — the console's /api/3 answers too (people, audit).
    assert.equal(created.headers.get('cache-control'), 'no-store');
    assert.equal(events.headers.get('cache-control'), 'no-store');
    assert.equal(
      events.json.events[0].actor,
      `staff:${(await admin.call('GET', '/console/auth/session')).json.staff.id}`,
    );

    const noOrigin = new Browser(null);
    noOrigin.cookie = admin.cookie;
    const a = await noOrigin.call('POST', '/api/3/people', { first_name: 'No', last_name: 'Origin' });
    assert.equal(a.status, 403);
    assert.equal(a.json.error.code, 'origin_not_allowed');
    const evil = new Browser('https://evil.example');
    evil.cookie = admin.cookie;
    const b = await evil.call('POST', '/api/3/people', { first_name: 'Evil', last_name: 'Site' });
    assert.equal(b.status, 403);
    assert.equal(b.json.error.code, 'origin_not_allowed');
    const c = await evil.call('POST', '/console/auth/signin/options', {});
    assert.equal(c.status, 403);
    assert.equal(c.json.error.code, 'origin_not_allowed');
  });

  test('a viewer reads, and a hand-made POST is 403 insufficient_scope', async () => {
    const viewer = new Browser();
    const r = await enrol(viewer, new SoftAuthenticator(), await invite('vic@example.com', 'viewer'));
    assert.equal(r.status, 200);
    assert.equal((await viewer.call('GET', '/api/3/people')).status, 200);
    const post = await viewer.call('POST', '/api/3/people', { first_name: 'Not', last_name: 'Allowed' });
    assert.equal(post.status, 403);
    assert.equal(post.json.error.code, 'insufficient_scope');
    const staff = await viewer.call('GET', '/api/3/staff');
    assert.equal(staff.status, 403);
    assert.equal(staff.json.error.code, 'insufficient_scope');
  });

  test('an operator issues but may not manage staff', async () => {
    const op = new Browser();
    await enrol(op, new SoftAuthenticator(), await invite('otto@example.com', 'operator'));
    assert.equal((await op.call('POST', '/api/3/people', { first_name: 'Op', last_name: 'Made' })).status, 201);
    const inv = await op.call('POST', '/api/3/staff', { email: 'x@example.com', role: 'admin' });
    assert.equal(inv.status, 403);
    assert.equal(inv.json.error.code, 'insufficient_scope');
  });

  test('sign out ends the session on the server; sign in again; a replayed assertion is refused', async () => {
    const old = admin.cookie;
    assert.equal((await admin.call('POST', '/console/auth/signout', {})).status, 204);
    const stale = new Browser();
    stale.cookie = old;
    assert.equal((await stale.call('GET', '/api/3/people')).status, 401);

    const { answer, assertion } = await signIn(admin, adminKey);
    assert.equal(answer.status, 200, JSON.stringify(answer.json));
    assert.notEqual(admin.cookie, old);
    assert.equal((await admin.call('GET', '/api/3/people')).status, 200);

    const replay = await new Browser().call('POST', '/console/auth/signin', { response: assertion });
    assert.equal(replay.status, 401);
    assert.equal(replay.json.error.code, 'unauthorized');
  });

  test('an admin invites in the console and sees the link once; a disabled member’s cookie stops working', async () => {
    const inv = await admin.call('POST', '/api/3/staff', { email: 'dora@example.com', role: 'operator' });
    assert.equal(inv.status, 201, JSON.stringify(inv.json));
    const dora = new Browser();
    assert.equal((await enrol(dora, new SoftAuthenticator(), inv.json.enrolment_url.split('#')[1])).status, 200);
    assert.equal((await dora.call('GET', '/api/3/people')).status, 200);
    const listed = await admin.call('GET', '/api/3/staff');
    assert.ok(!JSON.stringify(listed.json).includes('enr_'), 'the link is never shown again');
    const r = await runCli(['staff', 'disable', 'dora@example.com'], ENV);
    assert.equal(r.code, 0, r.stderr);
    const after = await dora.call('GET', '/api/3/people');
    assert.equal(after.status, 401);
  });

  test('the last passkey cannot be removed', async () => {
    const me = (await admin.call('GET', '/console/auth/session')).json.staff;
    const r = await admin.call('DELETE', `/console/auth/passkeys/${encodeURIComponent(me.passkeys[0].id)}`);
    assert.equal(r.status, 409);
    assert.equal(r.json.error.code, 'invalid_transition');
  });

  test('ten failed sign-ins a minute from one address → 429 with Retry-After', async () => {
    const stranger = new Browser();
    const fake = new SoftAuthenticator();
    fake.create({ challenge: 'x', rp: { id: 'keys.example.com' }, user: { id: 'nobody' } }, ORIGIN);
    let last = { status: 0, headers: new Headers(), json: null as unknown as { error: { code: string } } };
    for (let i = 0; i < 11; i++) {
      const opts = await stranger.call('POST', '/console/auth/signin/options', {});
      if (opts.status === 429) {
        last = opts;
        break;
      }
      last = await stranger.call('POST', '/console/auth/signin', { response: fake.get(opts.json.options, ORIGIN) });
    }
    assert.equal(last.status, 429);
    assert.ok(Number(last.headers.get('retry-after')) >= 1);
  });
});
