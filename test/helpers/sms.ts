import assert from 'node:assert/strict';
import { type Harness, issueWalletPass, PARTNER_ORIGIN } from './harness.js';

let serial = 0;
/** A fresh valid GB mobile number per call, so per-phone send limits never couple tests. */
export const freshPhone = (): string => `+447400${String(100000 + serial++).padStart(6, '0')}`;

/** A person with this phone and a wallet-pass credential (invited). */
export async function personWithPhone(
  h: Harness,
  phone = freshPhone(),
  person: Record<string, unknown> = {},
  credential: Record<string, unknown> = {},
) {
  const issued = await issueWalletPass(h, { phone, ...person }, credential);
  return { ...issued, phone };
}

export async function startVerification(
  h: Harness,
  phone: string,
  opts: { origin?: string | null; token?: string; ip?: string; country?: string } = {},
) {
  const headers: Record<string, string> = {};
  const origin = opts.origin === undefined ? PARTNER_ORIGIN : opts.origin;
  if (origin) headers.origin = origin;
  return h.request('POST', '/api/3/verifications', {
    token: opts.token ?? h.pk,
    body: { phone_number: phone, ...(opts.country ? { country: opts.country } : {}) },
    headers,
    ip: opts.ip,
  });
}

export const check = (h: Harness, id: string, code: string, token = h.pk) =>
  h.request('POST', `/api/3/verifications/${id}/check`, { token, body: { code }, headers: { origin: PARTNER_ORIGIN } });

export const resend = (h: Harness, id: string, token = h.pk) =>
  h.request('POST', `/api/3/verifications/${id}/resend`, { token, headers: { origin: PARTNER_ORIGIN } });

/** Runs the send queue, reads the newest SMS to `phone`, and registers its code and link token as secrets. */
export async function latestSms(
  h: Harness,
  phone: string,
): Promise<{ body: string; code: string; token: string; count: number }> {
  await h.flushMessages();
  const messages = (await h.outbox(phone)).filter((m) => m.channel === 'sms');
  assert.ok(messages.length > 0, 'an SMS was recorded');
  const body = messages[0].body;
  const code = /#(\d{6})$/.exec(body)?.[1];
  const token = /\/v\/([A-Za-z0-9]+)/.exec(body)?.[1];
  assert.ok(code && token, `the SMS carries a code and a link: ${body.replace(/\d{6}/g, '######')}`);
  h.secrets.add(code);
  h.secrets.add(token);
  return { body, code, token, count: messages.length };
}

export const wrongCode = (code: string): string => String((Number(code) + 1) % 1_000_000).padStart(6, '0');
