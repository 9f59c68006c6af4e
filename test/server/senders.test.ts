import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { Webhook } from 'standardwebhooks';
import { loadConfig } from '../../server/config.js';
import { createSenders, DeliveryError, smtpMailer, twilioSms, webhookSms } from '../../server/delivery/senders.js';
import { gsm7Length, verificationSms } from '../../server/delivery/templates.js';
import { pickLocale } from '../../server/messages/locale.js';
import { createHarness, type Harness } from '../helpers/harness.js';
import { personWithPhone, startVerification } from '../helpers/sms.js';

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A local HTTP peer on 127.0.0.1:0 that records requests and answers from a script. */
async function peer(
  answer: (req: Received, n: number) => { status: number; body?: unknown; headers?: Record<string, string> },
) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = {
        method: req.method!,
        url: req.url!,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(r);
      const a = answer(r, received.length);
      res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
      res.end(a.body === undefined ? '' : JSON.stringify(a.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const SID = 'AC0123456789abcdef0123456789abcdef';
const AUTH = 'twilio_test_auth_token_value';
const FROM = '+15005550006';

/** What Twilio checks: POST to the account's Messages.json, Basic auth, form-encoded To/From/Body. */
function twilioAnswer(r: Received) {
  const expected = `Basic ${Buffer.from(`${SID}:${AUTH}`).toString('base64')}`;
  if (r.method !== 'POST' || r.url !== `/2010-04-01/Accounts/${SID}/Messages.json`)
    return { status: 404, body: { code: 20404, message: 'not found' } };
  if (r.headers.authorization !== expected) return { status: 401, body: { code: 20003, message: 'Authenticate' } };
  if (!/^application\/x-www-form-urlencoded/.test(r.headers['content-type'] ?? ''))
    return { status: 400, body: { code: 21000, message: 'form expected' } };
  const form = new URLSearchParams(r.body);
  if (!form.get('To') || form.get('From') !== FROM || !form.get('Body'))
    return { status: 400, body: { code: 21604, message: 'missing field' } };
  return { status: 201, body: { sid: 'SM0123', status: 'queued' } };
}

describe('Twilio sender', () => {
  test('POSTs the form Twilio expects, with Basic auth', async () => {
    const p = await peer(twilioAnswer);
    try {
      const sms = twilioSms({ accountSid: SID, authToken: AUTH, from: FROM, baseUrl: p.url });
      await sms.send({ to: '+447400123456', body: 'Code 123456\n@example.com #123456' });
      assert.equal(p.received.length, 1);
      const form = new URLSearchParams(p.received[0].body);
      assert.deepEqual(
        [form.get('To'), form.get('From'), form.get('Body')],
        ['+447400123456', FROM, 'Code 123456\n@example.com #123456'],
      );
    } finally {
      await p.close();
    }
  });

  test('a refusal is a DeliveryError without the number; Retry-After is kept', async () => {
    const p = await peer(() => ({
      status: 429,
      body: { code: 20429, message: "The 'To' number +447400123456 is throttled" },
      headers: { 'retry-after': '7' },
    }));
    try {
      const sms = twilioSms({ accountSid: SID, authToken: AUTH, from: FROM, baseUrl: p.url });
      await assert.rejects(sms.send({ to: '+447400123456', body: 'x' }), (err: DeliveryError) => {
        assert.ok(err instanceof DeliveryError);
        assert.equal(err.retryAfter, 7);
        assert.ok(!err.message.includes('+447400123456'), err.message);
        return true;
      });
    } finally {
      await p.close();
    }
  });

  test('createSenders picks the provider from configuration', () => {
    const base = { KEYWAY_ENV: 'development', KEYWAY_SECRET: Buffer.alloc(32, 1).toString('base64') };
    const dev = createSenders(loadConfig(base), { db: {} } as never);
    assert.ok(dev.sms && dev.mailer);
    assert.throws(() => loadConfig({ ...base, KEYWAY_SMS_PROVIDER: 'twilio' }), /KEYWAY_TWILIO_ACCOUNT_SID/);
    assert.throws(() => loadConfig({ ...base, KEYWAY_SMS_PROVIDER: 'webhook' }), /KEYWAY_SMS_WEBHOOK_URL/);
    assert.throws(
      () =>
        loadConfig({
          ...base,
          KEYWAY_SMS_PROVIDER: 'webhook',
          KEYWAY_SMS_WEBHOOK_URL: 'https://gw.example/sms',
          KEYWAY_SMS_WEBHOOK_SECRET: 'hunter2',
        }),
      /KEYWAY_SMS_WEBHOOK_SECRET/,
    );
  });
});

describe('queued SMS through a failing, then working provider', () => {
  let p: Awaited<ReturnType<typeof peer>>;
  let h: Harness;
  before(async () => {
    p = await peer((r, n) =>
      n === 1 ? { status: 503, body: { code: 20500, message: 'Service unavailable' } } : twilioAnswer(r),
    );
    h = await createHarness({ sms: twilioSms({ accountSid: SID, authToken: AUTH, from: FROM, baseUrl: p.url }) });
  });
  after(async () => {
    h.assertLogsClean();
    await h.close();
    await p.close();
  });

  test('the verification survives the failure; the retry delivers exactly once; no code in the log', async () => {
    const { phone } = await personWithPhone(h);
    const start = await startVerification(h, phone);
    assert.equal(start.status, 202);
    assert.equal(await h.flushMessages(), 0, 'the first attempt failed');
    assert.equal(await h.flushMessages(), 0, 'not due again before its back-off');
    const failed = h.logs.filter((l) => l.includes('message delivery failed'));
    assert.equal(failed.length, 1);
    h.clock.advance(2);
    assert.equal(await h.flushMessages(), 1, 'the retry went out');
    h.clock.advance(60);
    assert.equal(await h.flushMessages(), 0, 'and only once');
    assert.equal(p.received.length, 2);
    const body = new URLSearchParams(p.received[1].body).get('Body')!;
    const code = /#(\d{6})$/.exec(body)![1];
    h.secrets.add(code);
    h.secrets.add(/\/v\/([A-Za-z0-9]+)/.exec(body)![1]);
    const ok = await h.request('POST', `/api/3/verifications/${start.body.verification_id}/check`, {
      token: h.pk,
      body: { code },
    });
    assert.equal(ok.status, 200, 'the verification was never lost');
    const row = await h.store.db.selectFrom('message_queue').selectAll().executeTakeFirstOrThrow();
    assert.equal(row.payload_enc, '', 'a delivered payload is not kept');
    assert.ok(row.delivered_at);
  });
});

describe('queued SMS through a provider with one slow call', () => {
  let h: Harness;
  const sent: string[] = [];
  let releaseSlow: () => void = () => undefined;
  before(async () => {
    let calls = 0;
    h = await createHarness({
      sms: {
        async send(m) {
          // The first call hangs until released, as a provider timing out would.
          if (calls++ === 0) await new Promise<void>((resolve) => (releaseSlow = resolve));
          sent.push(m.to);
        },
      },
    });
  });
  after(async () => {
    releaseSlow();
    h.assertLogsClean();
    await h.close();
  });

  test('the rest of the batch goes out while one call hangs', async () => {
    const phones: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { phone } = await personWithPhone(h);
      assert.equal((await startVerification(h, phone)).status, 202);
      phones.push(phone);
    }
    const pass = h.flushMessages();
    const deadline = Date.now() + 2000;
    while (sent.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(sent, phones.slice(1), 'the two behind the hanging call were delivered without waiting for it');
    releaseSlow();
    assert.equal(await pass, 3);
    assert.deepEqual([...sent].sort(), [...phones].sort());
  });
});

describe('webhook SMS sender', () => {
  test('POSTs JSON {to, body}', async () => {
    const p = await peer(() => ({ status: 204 }));
    try {
      await webhookSms({ url: `${p.url}/sms` }).send({ to: '+447400123456', body: 'hello' });
      assert.equal(p.received[0].method, 'POST');
      assert.equal(p.received[0].url, '/sms');
      assert.match(p.received[0].headers['content-type'] ?? '', /application\/json/);
      assert.deepEqual(JSON.parse(p.received[0].body), { to: '+447400123456', body: 'hello' });
      assert.equal(p.received[0].headers['webhook-signature'], undefined, 'unsigned without a secret');
    } finally {
      await p.close();
    }
  });

  test('with KEYWAY_SMS_WEBHOOK_SECRET, requests verify with the standardwebhooks package; a retry keeps its id', async () => {
    const secret = `whsec_${Buffer.alloc(32, 5).toString('base64')}`;
    const p = await peer((_r, n) => (n === 1 ? { status: 503 } : { status: 204 }));
    const h = await createHarness({ sms: webhookSms({ url: `${p.url}/sms`, secret }) });
    try {
      const { phone } = await personWithPhone(h);
      assert.equal((await startVerification(h, phone)).status, 202);
      assert.equal(await h.flushMessages(), 0, 'the gateway refused the first attempt');
      h.clock.advance(2);
      assert.equal(await h.flushMessages(), 1);
      assert.equal(p.received.length, 2);
      const verifier = new Webhook(secret);
      for (const r of p.received) {
        const headers = {
          'webhook-id': String(r.headers['webhook-id']),
          'webhook-timestamp': String(r.headers['webhook-timestamp']),
          'webhook-signature': String(r.headers['webhook-signature']),
        };
        assert.deepEqual(verifier.verify(r.body, headers), JSON.parse(r.body));
        h.secrets.add(/#(\d{6})$/.exec(JSON.parse(r.body).body)![1]);
      }
      assert.equal(
        p.received[0].headers['webhook-id'],
        p.received[1].headers['webhook-id'],
        'the retry is the same message',
      );
      assert.match(String(p.received[0].headers['webhook-id']), /^msg_[\w-]{20,}$/);
      const forged = {
        'webhook-id': 'msg_x',
        'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
        'webhook-signature': 'v1,AAAA',
      };
      assert.throws(() => verifier.verify(p.received[0].body, forged), 'a forged request does not verify');
      h.assertLogsClean();
    } finally {
      await h.close();
      await p.close();
    }
  });
});

describe('SMS text', () => {
  test('fits one GSM-7 segment for typical PUBLIC_URLs; ends with @host #code', () => {
    const token = 'A'.repeat(22);
    for (const base of ['https://access.example.com', 'https://keyway.acme-offices.co.uk', 'http://127.0.0.1:8787']) {
      const text = verificationSms({
        brand: 'Acme Offices',
        code: '042917',
        link: `${base}/v/${token}`,
        host: 'partner.example.com',
      });
      assert.ok((gsm7Length(text) ?? 999) <= 160, `${text.length}: ${text}`);
      assert.ok(text.endsWith('\n@partner.example.com #042917'));
      assert.ok(text.includes(`${base}/v/${token}`));
    }
    const nonGsm = verificationSms({
      brand: 'Büro 東京',
      code: '042917',
      link: `https://a.example/v/${token}`,
      host: 'a.example',
    });
    assert.notEqual(gsm7Length(nonGsm), null, 'a brand outside GSM-7 is left out rather than forcing UCS-2');
  });

  test('pickLocale reads Accept-Language with q-values; English otherwise', () => {
    assert.equal(pickLocale('fr-FR,de;q=0.8,ar;q=0.9'), 'ar');
    assert.equal(pickLocale(undefined, 'de-AT'), 'de');
    assert.equal(pickLocale('fr'), 'en');
  });
});

/** Enough MIME to read a nodemailer message back: parts, quoted-printable and base64. */
function mimeParts(raw: string): { headers: string; body: Buffer }[] {
  const out: { headers: string; body: Buffer }[] = [];
  const walk = (entity: string) => {
    const split = entity.indexOf('\r\n\r\n');
    const headers = entity.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
    const body = entity.slice(split + 4);
    const boundary = /boundary="?([^";\r\n]+)"?/i.exec(headers)?.[1];
    if (/content-type:\s*multipart\//i.test(headers) && boundary) {
      for (const part of body.split(`--${boundary}`).slice(1))
        if (!part.startsWith('--')) walk(part.replace(/^\r\n/, ''));
      return;
    }
    const enc = /content-transfer-encoding:\s*([\w-]+)/i.exec(headers)?.[1]?.toLowerCase();
    const decoded =
      enc === 'base64'
        ? Buffer.from(body.replace(/\s+/g, ''), 'base64')
        : enc === 'quoted-printable'
          ? Buffer.from(
              body
                .replace(/=\r\n/g, '')
                .replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
              'latin1',
            )
          : Buffer.from(body, 'utf8');
    out.push({ headers, body: decoded });
  };
  walk(raw);
  return out;
}

describe('SMTP sender and the invitation email', () => {
  let smtp: SMTPServer;
  let port: number;
  const mails: { to: string[]; raw: string }[] = [];
  let h: Harness;
  before(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, done) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          mails.push({
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
          });
          done();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    port = (smtp.server.address() as AddressInfo).port;
    h = await createHarness({
      mailer: smtpMailer({ url: `smtp://127.0.0.1:${port}?ignoreTLS=true`, from: 'Keyway <no-reply@keyway.test>' }),
    });
  });
  after(async () => {
    h.assertLogsClean();
    await h.close();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });

  test('deliver:"email" sends a localised email with the code, the invitation URL and its QR code', async () => {
    const p = await h.request('POST', '/api/3/people', {
      token: h.sk,
      body: { first_name: 'Lena', last_name: 'Vogel', email: 'lena@person.example' },
    });
    const c = await h.request('POST', `/api/3/people/${p.body.person.id}/credentials`, {
      token: h.sk,
      body: { credential_type_id: 9, deliver: 'email', locale: 'de' },
    });
    assert.equal(c.status, 201, c.text);
    const { invitation_code: code, invitation_url: url } = c.body.person_credential;
    assert.equal(await h.flushMessages(), 1);
    assert.equal(mails.length, 1);
    assert.deepEqual(mails[0].to, ['lena@person.example']);
    const parts = mimeParts(mails[0].raw);
    const text = parts.find((x) => /content-type:\s*text\/plain/i.test(x.headers))!.body.toString('utf8');
    const html = parts.find((x) => /content-type:\s*text\/html/i.test(x.headers))!.body.toString('utf8');
    const png = parts.find((x) => /content-type:\s*image\/png/i.test(x.headers))!;
    assert.match(mails[0].raw, /^Subject: .*(=\?UTF-8\?|Einladung)/im);
    assert.ok(text.includes(code) && text.includes(url), 'code and URL in the text part');
    assert.match(text, /Hallo Lena/);
    assert.ok(html.includes(code) && html.includes('cid:invitation-qr@keyway'));
    assert.deepEqual(
      [...png.body.subarray(0, 8)],
      [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
      'a PNG QR code is attached',
    );
    assert.match(png.headers, /content-id:\s*<invitation-qr@keyway>/i);
    const emailed = await h.request(
      'GET',
      `/api/3/events?subject=credential:${c.body.person_credential.id}&type=invitation.emailed`,
      { token: h.sk },
    );
    assert.equal(emailed.body.events.length, 1, 'recorded once delivered');
  });

  test('Arabic invitations are right-to-left; English is the default', async () => {
    const p = await h.request('POST', '/api/3/people', {
      token: h.sk,
      body: { first_name: 'Omar', last_name: 'K', email: 'omar@person.example' },
    });
    await h.request('POST', `/api/3/people/${p.body.person.id}/credentials`, {
      token: h.sk,
      body: { credential_type_id: 9, deliver: 'email', locale: 'ar' },
    });
    const q = await h.request('POST', '/api/3/people', {
      token: h.sk,
      body: { first_name: 'Ann', last_name: 'K', email: 'ann@person.example' },
    });
    await h.request('POST', `/api/3/people/${q.body.person.id}/credentials`, {
      token: h.sk,
      body: { credential_type_id: 9, deliver: 'email' },
    });
    assert.equal(await h.flushMessages(), 2);
    const ar = mimeParts(mails.find((m) => m.to[0] === 'omar@person.example')!.raw)
      .find((x) => /text\/html/i.test(x.headers))!
      .body.toString('utf8');
    assert.match(ar, /dir="rtl"/);
    const en = mimeParts(mails.find((m) => m.to[0] === 'ann@person.example')!.raw)
      .find((x) => /text\/plain/i.test(x.headers))!
      .body.toString('utf8');
    assert.match(en, /Hello Ann/);
  });
});
