// SPEC §15 "certificates never lapse unseen": days to expiry of the pass certificate and the WWDR
// (/readyz, /metrics), and at 30, 14, 7 and 1 days a `certificate.expiring` webhook and a log
// warning, once each (remembered in the audit log, so a restart or a second instance does not repeat it).
import { X509Certificate } from 'node:crypto';
import { nowIso } from '../../clock.js';
import { recordEvent } from '../../storage/audit.js';
import { defineInsert } from '../../storage/db.js';
import type { Ctx } from '../context.js';
import { followRecordedSigner } from './signer.js';

export const EXPIRY_THRESHOLDS_DAYS = [30, 14, 7, 1] as const;
const DAY_MS = 86_400_000;

export interface CertificateExpiry {
  /** `next`: the renewed pair waiting in KEYWAY_APPLE_NEXT_CERT, until `keyway passes resign` makes it current. */
  certificate: 'pass' | 'wwdr' | 'next';
  subject: string;
  fingerprint: string;
  not_after: string;
  /** Whole days left, rounded down (0 on its last day; negative once expired). */
  days: number;
}

/** The signing certificates in use, and a next pair not yet rolled in, with their days to expiry; empty without Apple passes. */
export function certificateExpiries(ctx: Ctx): CertificateExpiry[] {
  const apple = ctx.wallet?.apple;
  const m = apple?.material;
  if (!m) return [];
  const now = ctx.clock.now().getTime();
  const next = apple.next && apple.next.fingerprint !== m.fingerprint ? apple.next : undefined;
  return (
    [['pass', m.certificate], ['wwdr', m.wwdr], ...(next ? ([['next', next.certificate]] as const) : [])] as const
  ).map(([certificate, c]) => {
    const x = new X509Certificate(c.pem);
    return {
      certificate,
      subject: x.subject.replace(/\n/g, ', '),
      fingerprint: x.fingerprint256.replace(/:/g, '').slice(0, 16).toLowerCase(),
      not_after: c.notAfter.toISOString(),
      days: Math.floor((c.notAfter.getTime() - now) / DAY_MS),
    };
  });
}

const insertOutbox = defineInsert('outbox', ['event_type', 'credential_id', 'payload', 'created_at']);

/** Sends what is due: for each certificate, the smallest threshold reached that was not announced yet. */
export async function announceExpiringCertificates(ctx: Ctx): Promise<CertificateExpiry[]> {
  const announced: CertificateExpiry[] = [];
  await followRecordedSigner(ctx); // a roll elsewhere: the certificate in use is the one announced
  for (const cert of certificateExpiries(ctx)) {
    if (cert.certificate === 'next') continue; // not signing yet: the doctor and /readyz show its date
    const threshold = [...EXPIRY_THRESHOLDS_DAYS].reverse().find((t) => cert.days < t);
    if (threshold === undefined) continue;
    const subject = `certificate:${cert.fingerprint}`;
    const sent = await ctx.store.db.transaction().execute(async (tx) => {
      const earlier = await tx
        .selectFrom('events')
        .select('data')
        .where('type', '=', 'certificate.expiring')
        .where('subject', '=', subject)
        .execute();
      if (earlier.some((e) => Number(JSON.parse(e.data).threshold_days) <= threshold)) return false;
      const at = nowIso(ctx);
      const payload = {
        event: 'certificate.expiring',
        certificate: cert.certificate,
        subject: cert.subject,
        fingerprint: cert.fingerprint,
        not_after: cert.not_after,
        days_left: Math.max(0, cert.days),
        threshold_days: threshold,
        timestamp: at.replace(/\.\d{3}Z$/, 'Z'),
      };
      await recordEvent(tx, at, {
        type: 'certificate.expiring',
        actor: 'system',
        subject,
        data: { certificate: cert.certificate, not_after: cert.not_after, threshold_days: threshold },
      });
      await insertOutbox(tx, {
        event_type: 'certificate.expiring',
        credential_id: null,
        payload: JSON.stringify(payload),
        created_at: at,
      });
      return true;
    });
    if (!sent) continue;
    announced.push(cert);
    ctx.log({
      level: 'warn',
      msg: `the ${cert.certificate === 'pass' ? 'pass certificate' : 'WWDR certificate'} expires in ${Math.max(0, cert.days)} days (${cert.not_after}); renew it and roll it in (docs/operations.md#rolling-a-certificate)`,
      certificate: cert.certificate,
      not_after: cert.not_after,
      threshold_days: threshold,
    });
  }
  return announced;
}
