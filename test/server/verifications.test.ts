import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cryptoRandom } from '../../server/crypto/secrets.js';
import { gsm7Length } from '../../server/delivery/templates.js';
import { createKey } from '../../server/domain/callers/keys.js';
import { generateOtp, normalizeOtp } from '../../server/domain/verifications/verifications.js';
import { createHarness, type Harness, PARTNER_ORIGIN } from '../helpers/harness.js';
import { check, freshPhone, latestSms, personWithPhone, resend, startVerification, wrongCode } from '../helpers/sms.js';

describe('one-time codes', () => {
  test('6 digits, roughly uniform; spaces, dashes and Eastern-Arabic digits forgiven', () => {
    const firsts = new Map<string, number>();
    for (let i = 0; i < 5000; i++) {
      const code = generateOtp(cryptoRandom);
      assert.match(code, /^\d{6}$/);
      firsts.set(code[0], (firsts.get(code[0]) ?? 0) + 1);
    }
    assert.equal(firsts.size, 10);
    for (const n of firsts.values()) assert.ok(n > 350 && n < 650, `leading digit count ${n}`);
    assert.equal(normalizeOtp(' 123-456 '), '123456');
    assert.equal(normalizeOtp('١٢٣ ٤٥٦'), '123456');
    assert.equal(normalizeOtp('12345'), null);
    assert.equal(normalizeOtp('12345a'), null);
  });
});

describe('POST /api/3/verifications (flow B)', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness({ env: { PUBLIC_URL: 'https://access.example.com' } });
  });
  after(async () => {
    h.assertLogsClean();
    await h.close();
  });

  test('one SMS ≤ 160 GSM-7 characters: code, short link, last line @<Origin host> #<code>; the right code grants a ps_', async () => {
    const { phone, credentialId, personId } = await personWithPhone(h, undefined, { first_name: 'Ada' });
    const start = await startVerification(h, phone);
    assert.equal(start.status, 202, start.text);
    assert.deepEqual(Object.keys(start.body).sort(), ['expires_at', 'resend_after', 'verification_id']);
    assert.equal(Date.parse(start.body.expires_at) - h.clock.now().getTime(), 600_000);
    assert.equal(Date.parse(start.body.resend_after) - h.clock.now().getTime(), 60_000);
    assert.equal(start.headers.get('access-control-allow-origin'), PARTNER_ORIGIN);

    const sms = await latestSms(h, phone);
    assert.equal(sms.count, 1);
    const septets = gsm7Length(sms.body);
    assert.ok(septets !== null && septets <= 160, `one GSM-7 segment, got ${septets}`);
    assert.ok(sms.body.endsWith(`\n@partner.example #${sms.code}`), 'WebOTP line last, host from the matched Origin');
    assert.ok(sms.body.includes(`https://access.example.com/v/${sms.token}`));
    assert.ok(sms.token.length >= 22, '≥ 128-bit link token');
    assert.ok(sms.body.includes(sms.code));

    const ok = await check(h, start.body.verification_id, sms.code.replace(/(\d{3})/, '$1 '));
    assert.equal(ok.status, 200, ok.text);
    assert.match(ok.body.provisioning_token, /^ps_/);
    assert.deepEqual(ok.body.credential, { id: credentialId, status: 'provisioning', credential_type_id: 9 });
    assert.deepEqual(ok.body.person, { first_name: 'Ada' });
    assert.deepEqual(ok.body.wallets, ['apple', 'google']);
    const status = await h.request('GET', `/api/3/credentials/${credentialId}/status`, {
      token: ok.body.provisioning_token,
      headers: { origin: PARTNER_ORIGIN },
    });
    assert.equal(status.status, 200, 'the ps_ is bound to the key’s origins');

    const again = await check(h, start.body.verification_id, sms.code);
    assert.equal(again.status, 410, 'single use');
    assert.equal(again.body.error.code, 'verification_expired');

    const events = await h.request('GET', `/api/3/events?subject=verification:${start.body.verification_id}`, {
      token: h.sk,
    });
    assert.deepEqual(
      events.body.events.map((e: { type: string }) => e.type),
      ['verification.succeeded', 'verification.started'],
    );
    assert.ok(!JSON.stringify(events.body).includes(phone), 'the audit log masks the number');
    const hooks = await h.store.db
      .selectFrom('outbox')
      .select('payload')
      .where('credential_id', '=', credentialId)
      .where('event_type', '=', 'verification.succeeded')
      .execute();
    assert.equal(hooks.length, 1);
    const hook = JSON.parse(hooks[0].payload);
    assert.deepEqual(
      [hook.event, hook.credential_id, hook.person_id, hook.method],
      ['verification.succeeded', credentialId, personId, 'code'],
    );
  });

  test('without an Origin header the @host is PUBLIC_URL’s, never anything from the body', async () => {
    const { phone } = await personWithPhone(h);
    const start = await h.request('POST', '/api/3/verifications', {
      token: h.pk,
      body: { phone_number: phone, host: 'evil.example' },
    });
    assert.equal(start.status, 202, start.text);
    const sms = await latestSms(h, phone);
    assert.ok(sms.body.endsWith(`@access.example.com #${sms.code}`));
  });

  test('5 wrong codes: 422 with attempts_left 4…1, the 5th is 429 too_many_attempts, then the right code fails too', async () => {
    const { phone } = await personWithPhone(h);
    const start = await startVerification(h, phone);
    const { code } = await latestSms(h, phone);
    const bad = wrongCode(code);
    for (let i = 1; i <= 4; i++) {
      const r = await check(h, start.body.verification_id, bad);
      assert.equal(r.status, 422);
      assert.equal(r.body.error.code, 'incorrect_code');
      assert.equal(r.body.error.details.attempts_left, 5 - i);
    }
    const fifth = await check(h, start.body.verification_id, bad);
    assert.equal(fifth.status, 429);
    assert.equal(fifth.body.error.code, 'too_many_attempts');
    assert.ok(Number(fifth.headers.get('retry-after')) >= 1);
    const right = await check(h, start.body.verification_id, code);
    assert.equal(right.status, 429);
    assert.equal(right.body.error.code, 'too_many_attempts');
    assert.ok(Number(right.headers.get('retry-after')) >= 1);
    const link = await h.request('POST', `/v/${(await latestSms(h, phone)).token}`);
    assert.equal(link.status, 410, 'the link dies with the code');
    const failed = await h.request(
      'GET',
      `/api/3/events?subject=verification:${start.body.verification_id}&type=verification.failed`,
      { token: h.sk },
    );
    assert.equal(failed.body.events.length, 1, 'the verification fails once, at lockout');
  });

  test('concurrent wrong guesses cannot exceed 5 attempts (compare-and-set in the database)', async () => {
    const { phone } = await personWithPhone(h);
    const start = await startVerification(h, phone);
    const { code } = await latestSms(h, phone);
    const results = await Promise.all(
      Array.from({ length: 12 }, () => check(h, start.body.verification_id, wrongCode(code))),
    );
    const wrong = results.filter((r) => r.status === 422).length;
    const locked = results.filter((r) => r.status === 429).length;
    assert.equal(wrong, 4);
    assert.equal(locked, 8);
    const row = await h.store.db
      .selectFrom('verifications')
      .select('attempts')
      .where('id', '=', start.body.verification_id)
      .executeTakeFirstOrThrow();
    assert.equal(row.attempts, 5);
    assert.equal((await check(h, start.body.verification_id, code)).status, 429);
  });

  test('a resend before 60 s → 429 rate_limited with Retry-After and no new message; later a new code, the old one dies', async () => {
    const { phone } = await personWithPhone(h);
    const start = await startVerification(h, phone);
    const first = await latestSms(h, phone);
    h.clock.advance(20);
    const early = await resend(h, start.body.verification_id);
    assert.equal(early.status, 429);
    assert.equal(early.body.error.code, 'rate_limited');
    assert.equal(early.headers.get('retry-after'), '40');
    assert.equal((await latestSms(h, phone)).count, 1, 'no new message');

    h.clock.advance(41);
    const later = await resend(h, start.body.verification_id);
    assert.equal(later.status, 202, later.text);
    assert.deepEqual(Object.keys(later.body).sort(), ['expires_at', 'resend_after', 'verification_id']);
    const second = await latestSms(h, phone);
    assert.equal(second.count, 2);
    assert.notEqual(second.token, first.token);
    if (second.code !== first.code) {
      const old = await check(h, start.body.verification_id, first.code);
      assert.equal(old.status, 422, 'the old code died');
    }
    assert.equal((await h.request('POST', `/v/${first.token}`)).status, 410, 'the old link died');
    const ok = await check(h, start.body.verification_id, second.code);
    assert.equal(ok.status, 200, ok.text);
  });

  test('at most 5 sends per verification', async () => {
    const { phone } = await personWithPhone(h);
    const start = await startVerification(h, phone);
    for (let i = 0; i < 4; i++) {
      h.clock.advance(61);
      assert.equal((await resend(h, start.body.verification_id)).status, 202);
    }
    h.clock.advance(61);
    const sixth = await resend(h, start.body.verification_id);
    assert.equal(sixth.status, 429);
    assert.equal(sixth.body.error.code, 'rate_limited');
    assert.ok(Number(sixth.headers.get('retry-after')) >= 1);
    assert.equal((await latestSms(h, phone)).count, 5);
  });

  test('an expired code → 410 verification_expired', async () => {
    const { phone } = await personWithPhone(h);
    const start = await startVerification(h, phone);
    const { code } = await latestSms(h, phone);
    h.clock.advance(601);
    const r = await check(h, start.body.verification_id, code);
    assert.equal(r.status, 410);
    assert.equal(r.body.error.code, 'verification_expired');
  });

  test('validation: a bad number → 400 invalid_phone_number; a national number uses the key’s default country; a bad code → 400', async () => {
    const bad = await startVerification(h, '12');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'invalid_phone_number');
    const national = await startVerification(h, '07400 999111');
    assert.equal(national.status, 400, 'no country anywhere: the number is ambiguous');
    const withCountry = await startVerification(h, '07400 999111', { country: 'GB' });
    assert.equal(withCountry.status, 202);
    const gbKey = (
      await createKey(h.keyway.ctx, { kind: 'publishable', origins: [PARTNER_ORIGIN], defaultCountry: 'GB' })
    ).key;
    h.secrets.add(gbKey);
    const viaKey = await startVerification(h, '07400 999112', { token: gbKey });
    assert.equal(viaKey.status, 202, viaKey.text);
    const badCode = await check(h, withCountry.body.verification_id, '12ab56');
    assert.equal(badCode.status, 400);
    const otherKey = await check(h, withCountry.body.verification_id, '123456', gbKey);
    assert.equal(otherKey.status, 404, 'a verification belongs to the key that started it');
  });

  test('countries outside the key’s list → 422 country_not_allowed', async () => {
    const gbOnly = (
      await createKey(h.keyway.ctx, { kind: 'publishable', origins: [PARTNER_ORIGIN], countries: ['GB'] })
    ).key;
    h.secrets.add(gbOnly);
    const us = await startVerification(h, '+1 201 555 0123', { token: gbOnly });
    assert.equal(us.status, 422);
    assert.equal(us.body.error.code, 'country_not_allowed');
    const gb = await startVerification(h, freshPhone(), { token: gbOnly });
    assert.equal(gb.status, 202);
  });

  test('per-phone send limit: the 6th start within the hour → 429 with Retry-After, whatever the IP', async () => {
    const { phone } = await personWithPhone(h);
    for (let i = 0; i < 5; i++) assert.equal((await startVerification(h, phone)).status, 202);
    const sixth = await startVerification(h, phone);
    assert.equal(sixth.status, 429);
    assert.equal(sixth.body.error.code, 'rate_limited');
    const retry = Number(sixth.headers.get('retry-after'));
    assert.ok(retry >= 1 && retry <= 3600);
    assert.equal((await latestSms(h, phone)).count, 5);
  });

  test('per-IP send limit: 20 an hour from one address', async () => {
    const ip = '198.51.100.9';
    for (let i = 0; i < 20; i++) assert.equal((await startVerification(h, freshPhone(), { ip })).status, 202);
    const limited = await startVerification(h, freshPhone(), { ip });
    assert.equal(limited.status, 429);
    assert.ok(limited.headers.get('retry-after'));
  });

  test('a wrong kind of token is 401; an origin not on the key is 403', async () => {
    const { phone } = await personWithPhone(h);
    assert.equal((await startVerification(h, phone, { token: h.sk })).status, 401);
    const evil = await startVerification(h, phone, { origin: 'https://evil.example' });
    assert.equal(evil.status, 403);
    assert.equal(evil.body.error.code, 'origin_not_allowed');
  });
});

describe('the SMS link /v/{token}', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness();
  });
  after(async () => {
    h.assertLogsClean();
    await h.close();
  });

  test('survives two GETs (strict CSP page), works on one POST (303 to /p#ps=…), fails on the second', async () => {
    const { phone, credentialId } = await personWithPhone(h);
    const start = await startVerification(h, phone);
    const { token } = await latestSms(h, phone);
    for (let i = 0; i < 2; i++) {
      const page = await h.request('GET', `/v/${token}`);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type') ?? '', /text\/html/);
      const csp = page.headers.get('content-security-policy') ?? '';
      assert.match(csp, /frame-ancestors 'none'/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
      assert.doesNotMatch(page.text, /<script|style=|<style/);
      assert.match(page.text, /<form method="post"/);
    }
    const css = await h.request('GET', '/v/page.css');
    assert.equal(css.status, 200);
    assert.match(css.headers.get('content-type') ?? '', /text\/css/);

    const post = await h.request('POST', `/v/${token}`);
    assert.equal(post.status, 303);
    const location = post.headers.get('location') ?? '';
    assert.match(location, /^\/p#ps=ps_[A-Za-z0-9_]+$/);
    const ps = location.split('#ps=')[1];
    h.secrets.add(ps);
    const fromPublicUrl = await h.request('GET', `/api/3/credentials/${credentialId}/status`, {
      token: ps,
      headers: { origin: 'http://127.0.0.1:8787' },
    });
    assert.equal(fromPublicUrl.status, 200);
    assert.equal(fromPublicUrl.body.status, 'provisioning');
    const fromPartner = await h.request('GET', `/api/3/credentials/${credentialId}/status`, {
      token: ps,
      headers: { origin: PARTNER_ORIGIN },
    });
    assert.equal(fromPartner.status, 403, 'a link-minted ps_ is bound to PUBLIC_URL');

    const second = await h.request('POST', `/v/${token}`);
    assert.equal(second.status, 410);
    assert.equal(second.body.error.code, 'link_expired');
    const browser = await h.request('POST', `/v/${token}`, { headers: { accept: 'text/html' } });
    assert.equal(browser.status, 410);
    assert.match(browser.text, /expired/);
    assert.equal((await h.request('GET', `/v/${token}`)).status, 410);
    const code = await check(h, start.body.verification_id, (await latestSms(h, phone)).code);
    assert.equal(code.status, 410, 'the code dies with the link');
  });

  test('an unknown or expired link is 410; the page follows Accept-Language', async () => {
    const unknown = await h.request('POST', '/v/AAAAAAAAAAAAAAAAAAAAAA');
    assert.equal(unknown.status, 410);
    const { phone } = await personWithPhone(h);
    await startVerification(h, phone);
    const { token } = await latestSms(h, phone);
    const de = await h.request('GET', `/v/${token}`, { headers: { 'accept-language': 'de-DE,de;q=0.9,en;q=0.5' } });
    assert.match(de.text, /lang="de"/);
    const ar = await h.request('GET', `/v/${token}`, { headers: { 'accept-language': 'ar' } });
    assert.match(ar.text, /dir="rtl"/);
    h.clock.advance(601);
    assert.equal((await h.request('GET', `/v/${token}`)).status, 410);
    assert.equal((await h.request('POST', `/v/${token}`)).status, 410);
  });
});

describe('unknown numbers', () => {
  let conceal: Harness;
  let reveal: Harness;
  before(async () => {
    conceal = await createHarness();
    reveal = await createHarness({ env: { KEYWAY_UNKNOWN_NUMBER_POLICY: 'reveal' } });
  });
  after(async () => {
    conceal.assertLogsClean();
    reveal.assertLogsClean();
    await conceal.close();
    await reveal.close();
  });

  const shape = (r: { status: number; body: any; headers: Headers }) => ({
    status: r.status,
    keys: Object.keys(r.body ?? {}).sort(),
    code: r.body?.error?.code,
    details: r.body?.error?.details,
    retryAfter: r.headers.get('retry-after'),
  });

  /** Start, a wrong check, an early resend, a late resend, four more wrong checks: what a client sees. */
  async function journey(h: Harness, phone: string) {
    const seen = [];
    const start = await startVerification(h, phone);
    seen.push(shape(start));
    const id = start.body.verification_id;
    seen.push(shape(await check(h, id, '000000')));
    seen.push(shape(await resend(h, id)));
    h.clock.advance(61);
    seen.push(shape(await resend(h, id)));
    for (let i = 0; i < 4; i++) seen.push(shape(await check(h, id, '000001')));
    seen.push(shape(await resend(h, id)));
    return seen;
  }

  test('conceal: known, unknown, disabled and credential-less numbers look the same at start, check and resend; only the known one gets an SMS', async () => {
    const h = conceal;
    const known = await personWithPhone(h);
    const disabledPerson = await personWithPhone(h, undefined, { enabled: false });
    const disabledCredential = await personWithPhone(h, undefined, {}, { enabled: false });
    const noCredential = freshPhone();
    await h.request('POST', '/api/3/people', {
      token: h.sk,
      body: { first_name: 'No', last_name: 'Pass', phone: noCredential },
    });
    const unknown = freshPhone();

    const reference = await journey(h, known.phone);
    assert.deepEqual(
      reference.map((s) => s.code ?? s.status),
      [
        202,
        'incorrect_code',
        'rate_limited',
        202,
        'incorrect_code',
        'incorrect_code',
        'incorrect_code',
        'too_many_attempts',
        'too_many_attempts',
      ],
    );
    await h.flushMessages(); // before the clock moves on: a queued SMS gives up when its code expires
    assert.equal((await h.outbox(known.phone)).length, 2);
    for (const phone of [unknown, disabledPerson.phone, disabledCredential.phone, noCredential]) {
      h.clock.advance(3601); // new send-limit window, same starting point
      const seen = await journey(h, phone);
      assert.deepEqual(
        seen.map(({ retryAfter, ...rest }) => ({ ...rest, retryAfter: retryAfter === null ? null : 'set' })),
        reference.map(({ retryAfter, ...rest }) => ({ ...rest, retryAfter: retryAfter === null ? null : 'set' })),
      );
    }
    await h.flushMessages();
    for (const phone of [unknown, disabledPerson.phone, disabledCredential.phone, noCredential])
      assert.equal((await h.outbox(phone)).length, 0, 'no SMS');
    const rows = await h.store.db.selectFrom('verifications').select(['person_id']).execute();
    assert.equal(rows.length, 5, 'a real row for every start');
  });

  test('reveal: 404 phone_not_found with the hint; the send limit still comes first', async () => {
    const h = reveal;
    const phone = freshPhone();
    const r = await startVerification(h, phone);
    assert.equal(r.status, 404);
    assert.equal(r.body.error.code, 'phone_not_found');
    assert.match(r.body.error.message, /check your profile has this number/);
    for (let i = 0; i < 4; i++) await startVerification(h, phone);
    const limited = await startVerification(h, phone);
    assert.equal(limited.status, 429, 'a limited client learns nothing about the number');
    const known = await personWithPhone(h);
    assert.equal((await startVerification(h, known.phone)).status, 202);
  });
});

describe('KEYWAY_SMS_AUTO_ISSUE', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness({ env: { KEYWAY_SMS_AUTO_ISSUE: 'true' } });
  });
  after(async () => {
    h.assertLogsClean();
    await h.close();
  });

  test('a known person without a wallet pass gets one created; verifying moves it to provisioning', async () => {
    const phone = freshPhone();
    const p = await h.request('POST', '/api/3/people', {
      token: h.sk,
      body: { first_name: 'Grace', last_name: 'Hopper', phone },
    });
    const start = await startVerification(h, phone);
    assert.equal(start.status, 202);
    const { code } = await latestSms(h, phone);
    const ok = await check(h, start.body.verification_id, code);
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.credential.status, 'provisioning');
    const list = await h.request('GET', `/api/3/people/${p.body.person.id}/credentials`, { token: h.sk });
    assert.equal(list.body.person_credentials.length, 1);
    assert.equal(list.body.person_credentials[0].id, ok.body.credential.id);
    const second = await startVerification(h, phone);
    assert.equal(second.status, 202);
    const again = await h.request('GET', `/api/3/people/${p.body.person.id}/credentials`, { token: h.sk });
    assert.equal(again.body.person_credentials.length, 1, 'the newest non-terminal pass is reused');
  });
});

describe('delivery timing', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness();
  });
  after(async () => {
    h.assertLogsClean();
    await h.close();
  });

  test('with the worker running, the dev sender records the SMS within 1 s', async () => {
    h.keyway.startTimers();
    const { phone } = await personWithPhone(h);
    const started = performance.now();
    const r = await startVerification(h, phone);
    assert.equal(r.status, 202);
    while ((await h.outbox(phone)).length === 0) {
      assert.ok(performance.now() - started < 1000, 'recorded within 1 s');
      await new Promise((res) => setTimeout(res, 10));
    }
    const [sms] = await h.outbox(phone);
    h.secrets.add(/#(\d{6})$/.exec(sms.body)![1]);
    h.secrets.add(/\/v\/([A-Za-z0-9]+)/.exec(sms.body)![1]);
  });
});
