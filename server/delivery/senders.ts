import crypto from 'node:crypto';
import nodemailer from 'nodemailer';
import type { Config } from '../config.js';
import { redactText } from '../log.js';
import { groupCommit, preparedInsert, type Store } from '../storage/db.js';
import { standardSignature } from '../crypto/standard-webhooks.js';

export interface EmailAttachment {
  filename: string;
  contentType: string;
  /** Base64, so a queued message survives a JSON round trip. */
  contentBase64: string;
  /** Content-ID for inline images (`<img src="cid:…">`). */
  cid?: string;
}
export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  attachments?: EmailAttachment[];
}
export interface SmsMessage {
  /** E.164. */
  to: string;
  body: string;
  /** Stable across retries of one queued message (the webhook provider's `webhook-id`). */
  id?: string;
}

/** One interface per channel; the provider is chosen by configuration (SPEC §10). */
export interface Mailer {
  send(message: EmailMessage): Promise<void>;
}
export interface SmsSender {
  send(message: SmsMessage): Promise<void>;
}

/** A provider refused or failed; the message names no recipient or body (they may carry codes). */
export class DeliveryError extends Error {
  constructor(
    message: string,
    /** Seconds the provider asked us to wait (HTTP Retry-After), if any. */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

const PROVIDER_TIMEOUT_MS = 15_000;

/** Development senders: messages land in the dev outbox (`/dev/outbox`), nothing leaves the machine. */
export function devMailer(store: Store, now: () => Date = () => new Date()): Mailer {
  return {
    async send(m) {
      await store.db
        .insertInto('messages')
        .values({ channel: 'email', recipient: m.to, subject: m.subject, body: m.text, sent_at: now().toISOString() })
        .execute();
    },
  };
}

const insertMessage = preparedInsert('messages', ['channel', 'recipient', 'subject', 'body', 'sent_at']);

export function devSms(store: Store, now: () => Date = () => new Date()): SmsSender {
  return {
    async send(m) {
      // A burst of texts shares one commit (the outbox is the dev phone, not a provider).
      await groupCommit(store.db, (tx) => insertMessage(tx, { channel: 'sms', recipient: m.to, subject: null, body: m.body, sent_at: now().toISOString() }));
    },
  };
}

async function failureOf(res: Response, provider: string): Promise<DeliveryError> {
  let detail = '';
  try {
    const body = (await res.json()) as { code?: unknown; message?: unknown };
    detail = [body.code, body.message].filter((v) => v !== undefined).join(' ');
  } catch {
    /* not JSON */
  }
  const retry = Number(res.headers.get('retry-after'));
  // Providers quote numbers back in error messages; never let one reach a log.
  return new DeliveryError(redactText(`${provider} answered ${res.status}${detail ? `: ${detail}` : ''}`).slice(0, 300), Number.isFinite(retry) && retry > 0 ? retry : undefined);
}

/** Twilio's Messages REST API: form-encoded POST with Basic auth; `MG…` senders are Messaging Services. */
export function twilioSms(opts: { accountSid: string; authToken: string; from: string; baseUrl: string }): SmsSender {
  const url = `${opts.baseUrl.replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(opts.accountSid)}/Messages.json`;
  const authorization = `Basic ${Buffer.from(`${opts.accountSid}:${opts.authToken}`).toString('base64')}`;
  return {
    async send(m) {
      const form = new URLSearchParams({ To: m.to, Body: m.body });
      form.set(/^MG[0-9a-f]{32}$/i.test(opts.from) ? 'MessagingServiceSid' : 'From', opts.from);
      let res: Response;
      try {
        res = await fetch(url, {
          method: 'POST',
          headers: { authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: form.toString(),
          signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS),
        });
      } catch (err) {
        throw new DeliveryError(`twilio unreachable: ${(err as Error).name}`);
      }
      if (!res.ok) throw await failureOf(res, 'twilio');
      await res.body?.cancel();
    },
  };
}

/** A JSON POST `{to, body}` to the operator's own gateway. */
/**
 * JSON `{to, body}` to the operator's own gateway. With a `whsec_` secret each request carries
 * Standard Webhooks headers (`webhook-id`, `webhook-timestamp`, `webhook-signature`), so the
 * gateway can refuse requests that did not come from Keyway; the id is the same on every retry.
 */
export function webhookSms(opts: { url: string; secret?: string; now?: () => Date }): SmsSender {
  return {
    async send(m) {
      const body = JSON.stringify({ to: m.to, body: m.body });
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (opts.secret) {
        const id = m.id ?? `msg_${crypto.randomUUID()}`;
        const timestamp = Math.floor((opts.now?.() ?? new Date()).getTime() / 1000);
        Object.assign(headers, { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': standardSignature(opts.secret, id, timestamp, body) });
      }
      let res: Response;
      try {
        res = await fetch(opts.url, {
          method: 'POST',
          headers,
          body,
          signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS),
        });
      } catch (err) {
        throw new DeliveryError(`sms webhook unreachable: ${(err as Error).name}`);
      }
      if (!res.ok) throw await failureOf(res, 'sms webhook');
      await res.body?.cancel();
    },
  };
}

/** SMTP through nodemailer; `KEYWAY_SMTP_URL` like `smtp://user:pass@host:587` or `smtps://…`. */
export function smtpMailer(opts: { url: string; from: string }): Mailer & { close(): void } {
  const transport = nodemailer.createTransport(opts.url);
  return {
    async send(m) {
      try {
        await transport.sendMail({
          from: opts.from,
          to: m.to,
          subject: m.subject,
          text: m.text,
          html: m.html,
          attachments: m.attachments?.map((a) => ({ filename: a.filename, contentType: a.contentType, content: Buffer.from(a.contentBase64, 'base64'), cid: a.cid })),
        });
      } catch (err) {
        const e = err as Error & { responseCode?: number };
        throw new DeliveryError(redactText(`smtp failed${e.responseCode ? ` (${e.responseCode})` : ''}: ${e.message}`).slice(0, 300));
      }
    },
    close: () => transport.close(),
  };
}

/** The one place that picks senders from configuration (SPEC §10); `main.ts` uses it. */
export function createSenders(config: Config, store: Store): { sms: SmsSender; mailer: Mailer } {
  const e = config.raw;
  const sms =
    config.smsProvider === 'twilio'
      ? twilioSms({ accountSid: e.KEYWAY_TWILIO_ACCOUNT_SID!, authToken: e.KEYWAY_TWILIO_AUTH_TOKEN!, from: e.KEYWAY_TWILIO_FROM!, baseUrl: e.KEYWAY_TWILIO_BASE_URL })
      : config.smsProvider === 'webhook'
        ? webhookSms({ url: e.KEYWAY_SMS_WEBHOOK_URL!, secret: e.KEYWAY_SMS_WEBHOOK_SECRET })
        : devSms(store);
  const mailer = config.emailProvider === 'smtp' ? smtpMailer({ url: e.KEYWAY_SMTP_URL!, from: e.KEYWAY_EMAIL_FROM }) : devMailer(store);
  return { sms, mailer };
}
