import crypto from 'node:crypto';
import net from 'node:net';
import nodemailer from 'nodemailer';
import SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { Config } from '../config.js';
import { standardSignature } from '../crypto/standard-webhooks.js';
import { redactText } from '../log.js';
import { defineInsert, type Store, transaction } from '../storage/db.js';

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

/** One interface per channel; the provider is chosen by configuration (the README’s configuration). */
export interface Mailer {
  send(message: EmailMessage, opts?: SendOptions): Promise<void>;
}
export interface SmsSender {
  send(message: SmsMessage, opts?: SendOptions): Promise<void>;
}
export interface SendOptions {
  /** Ends the attempt early (shutdown); each provider's own deadline applies anyway. */
  signal?: AbortSignal;
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

/** Deadlines for the whole exchange, connect to last byte (docs/security.md "time limits"). */
export const SMS_TIMEOUT_MS = 10_000;
export const SMTP_TIMEOUT_MS = 30_000;

/** The provider's deadline joined with the caller's signal; `why` names which of them ended the call. */
function deadline(timeoutMs: number, outer?: AbortSignal): { signal: AbortSignal; why: (provider: string) => string } {
  const timeout = AbortSignal.timeout(timeoutMs);
  return {
    signal: outer ? AbortSignal.any([timeout, outer]) : timeout,
    why: (provider) =>
      timeout.aborted
        ? `${provider} gave no complete answer within ${timeoutMs / 1000} s`
        : `${provider}: ${(outer?.reason as Error)?.message ?? 'aborted'}`,
  };
}

/**
 * One HTTP exchange with a provider within one deadline. A 2xx head means the provider took the
 * message, so its body is not waited for (a retry would text the person twice); a refusal's body
 * is read within the same deadline.
 */
async function postToProvider(
  provider: string,
  url: string,
  init: RequestInit,
  timeoutMs: number,
  outer?: AbortSignal,
): Promise<void> {
  const { signal, why } = deadline(timeoutMs, outer);
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal });
  } catch (err) {
    throw new DeliveryError(signal.aborted ? why(provider) : `${provider} unreachable: ${(err as Error).name}`);
  }
  if (!res.ok) throw await failureOf(res, provider);
  await res.body?.cancel();
}

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

const insertMessage = defineInsert('messages', ['channel', 'recipient', 'subject', 'body', 'sent_at']);

export function devSms(store: Store, now: () => Date = () => new Date()): SmsSender {
  return {
    async send(m) {
      // A burst of texts shares one commit (the outbox is the dev phone, not a provider).
      await transaction(store.db, (tx) =>
        insertMessage(tx, {
          channel: 'sms',
          recipient: m.to,
          subject: null,
          body: m.body,
          sent_at: now().toISOString(),
        }),
      );
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
  return new DeliveryError(
    redactText(`${provider} answered ${res.status}${detail ? `: ${detail}` : ''}`).slice(0, 300),
    Number.isFinite(retry) && retry > 0 ? retry : undefined,
  );
}

/** Twilio's Messages REST API: form-encoded POST with Basic auth; `MG…` senders are Messaging Services. */
export function twilioSms(opts: {
  accountSid: string;
  authToken: string;
  from: string;
  baseUrl: string;
  timeoutMs?: number;
}): SmsSender {
  const url = `${opts.baseUrl.replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(opts.accountSid)}/Messages.json`;
  const authorization = `Basic ${Buffer.from(`${opts.accountSid}:${opts.authToken}`).toString('base64')}`;
  return {
    async send(m, { signal } = {}) {
      const form = new URLSearchParams({ To: m.to, Body: m.body });
      form.set(/^MG[0-9a-f]{32}$/i.test(opts.from) ? 'MessagingServiceSid' : 'From', opts.from);
      await postToProvider(
        'twilio',
        url,
        {
          method: 'POST',
          headers: { authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: form.toString(),
        },
        opts.timeoutMs ?? SMS_TIMEOUT_MS,
        signal,
      );
    },
  };
}

/** A JSON POST `{to, body}` to the operator's own gateway. */
/**
 * JSON `{to, body}` to the operator's own gateway. With a `whsec_` secret each request carries
 * Standard Webhooks headers (`webhook-id`, `webhook-timestamp`, `webhook-signature`), so the
 * gateway can refuse requests that did not come from Keyway; the id is the same on every retry.
 */
export function webhookSms(opts: { url: string; secret?: string; now?: () => Date; timeoutMs?: number }): SmsSender {
  return {
    async send(m, { signal } = {}) {
      const body = JSON.stringify({ to: m.to, body: m.body });
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (opts.secret) {
        const id = m.id ?? `msg_${crypto.randomUUID()}`;
        const timestamp = Math.floor((opts.now?.() ?? new Date()).getTime() / 1000);
        Object.assign(headers, {
          'webhook-id': id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': standardSignature(opts.secret, id, timestamp, body),
        });
      }
      await postToProvider(
        'sms webhook',
        opts.url,
        { method: 'POST', headers, body },
        opts.timeoutMs ?? SMS_TIMEOUT_MS,
        signal,
      );
    },
  };
}

/**
 * SMTP through nodemailer; `KEYWAY_SMTP_URL` like `smtp://user:pass@host:587` or `smtps://…`.
 * nodemailer's own timeouts are idle timeouts, so each message gets its own connection, opened
 * here, and the socket is destroyed when the deadline for the whole exchange passes (a server
 * trickling its replies never holds a send, nor delivers the message after it was given up).
 */
export function smtpMailer(opts: { url: string; from: string; timeoutMs?: number }): Mailer & { close(): void } {
  const timeoutMs = opts.timeoutMs ?? SMTP_TIMEOUT_MS;
  const open = new Set<net.Socket>();
  return {
    async send(m, { signal: outer } = {}) {
      const { signal, why } = deadline(timeoutMs, outer);
      const sockets: net.Socket[] = [];
      // SMTPTransport takes the URL beside other options (createTransport would drop them).
      const smtp = new SMTPTransport({
        url: opts.url,
        connectionTimeout: timeoutMs,
        greetingTimeout: timeoutMs,
        socketTimeout: timeoutMs,
        dnsTimeout: timeoutMs,
      });
      smtp.getSocket = (options, callback) => {
        const socket = net.connect({
          host: options.host ?? 'localhost',
          port: Number(options.port) || (options.secure ? 465 : 587),
        });
        sockets.push(socket);
        open.add(socket);
        socket.once('close', () => open.delete(socket));
        const onError = (err: Error) => callback(err, undefined as never);
        socket.once('error', onError);
        socket.once('connect', () => {
          socket.off('error', onError);
          callback(null, { connection: socket });
        });
      };
      const transport = nodemailer.createTransport(smtp);
      const stop = () => {
        for (const socket of sockets) socket.destroy();
      };
      signal.addEventListener('abort', stop, { once: true });
      try {
        if (signal.aborted) throw new Error('aborted');
        await transport.sendMail({
          from: opts.from,
          to: m.to,
          subject: m.subject,
          text: m.text,
          html: m.html,
          attachments: m.attachments?.map((a) => ({
            filename: a.filename,
            contentType: a.contentType,
            content: Buffer.from(a.contentBase64, 'base64'),
            cid: a.cid,
          })),
        });
      } catch (err) {
        if (signal.aborted) throw new DeliveryError(why('smtp'));
        const e = err as Error & { responseCode?: number };
        throw new DeliveryError(
          redactText(`smtp failed${e.responseCode ? ` (${e.responseCode})` : ''}: ${e.message}`).slice(0, 300),
        );
      } finally {
        signal.removeEventListener('abort', stop);
        stop();
        transport.close();
      }
    },
    close: () => {
      for (const socket of open) socket.destroy();
    },
  };
}

/** Production without an email sender: nothing is stored or marked delivered (callers get 422 email_not_configured first). */
const noMailer: Mailer = {
  async send() {
    throw new DeliveryError('no email sender is configured (KEYWAY_EMAIL_PROVIDER)');
  },
};

/** The one place that picks senders from configuration (the README’s configuration); `main.ts` uses it. */
export function createSenders(config: Config, store: Store): { sms: SmsSender; mailer: Mailer } {
  const e = config.raw;
  const sms =
    config.smsProvider === 'twilio'
      ? twilioSms({
          accountSid: e.KEYWAY_TWILIO_ACCOUNT_SID!,
          authToken: e.KEYWAY_TWILIO_AUTH_TOKEN!,
          from: e.KEYWAY_TWILIO_FROM!,
          baseUrl: e.KEYWAY_TWILIO_BASE_URL,
          timeoutMs: config.timeouts.sms * 1000,
        })
      : config.smsProvider === 'webhook'
        ? webhookSms({
            url: e.KEYWAY_SMS_WEBHOOK_URL!,
            secret: e.KEYWAY_SMS_WEBHOOK_SECRET,
            timeoutMs: config.timeouts.sms * 1000,
          })
        : devSms(store);
  const mailer =
    config.emailProvider === 'smtp'
      ? smtpMailer({ url: e.KEYWAY_SMTP_URL!, from: e.KEYWAY_EMAIL_FROM, timeoutMs: config.timeouts.smtp * 1000 })
      : config.emailProvider === 'none'
        ? noMailer
        : devMailer(store);
  return { sms, mailer };
}
