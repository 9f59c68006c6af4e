import type { Store } from '../storage/db.js';

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
}
export interface SmsMessage {
  /** E.164. */
  to: string;
  body: string;
}

/** One interface per channel; the provider is chosen by configuration (SPEC §10). */
export interface Mailer {
  send(message: EmailMessage): Promise<void>;
}
export interface SmsSender {
  send(message: SmsMessage): Promise<void>;
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

export function devSms(store: Store, now: () => Date = () => new Date()): SmsSender {
  return {
    async send(m) {
      await store.db
        .insertInto('messages')
        .values({ channel: 'sms', recipient: m.to, subject: null, body: m.body, sent_at: now().toISOString() })
        .execute();
    },
  };
}
