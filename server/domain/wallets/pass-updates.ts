// Telling phones a pass changed: what each pass shows, and the push rows queued in the change's transaction.
import { nowIso } from '../../clock.js';
import type { Tx } from '../../storage/db.js';
import type { PassState } from '../../wallet/apple/pass.js';
import type { Ctx } from '../context.js';
import { type CredentialStatus, TERMINAL } from '../credentials/lifecycle.js';

/** What the pass of a device shows, from its credential's state (docs/wallet.md voided / changed fields). */
export function passStateOf(
  cred: { status: string; enabled: number },
  deviceStatus: string,
  personEnabled = 1,
): PassState {
  const status = cred.status as CredentialStatus;
  if (deviceStatus === 'revoked' || TERMINAL.has(status)) return 'revoked';
  if (status === 'expired') return 'expired';
  if (status === 'suspended' || cred.enabled !== 1 || personEnabled !== 1) return 'suspended';
  return 'active';
}

/**
 * Inside the change's transaction: marks the passes changed (PassKit tag, Last-Modified) and queues
 * an update for each phone that holds one — every registration of an Apple pass, each Google object.
 */
export async function queuePassUpdateTx(
  ctx: Ctx,
  tx: Tx,
  credentialId: string,
  opts: { deviceId?: string } = {},
): Promise<void> {
  const at = nowIso(ctx);
  let q = tx
    .selectFrom('devices')
    .select(['id', 'platform', 'serial_number', 'status'])
    .where('credential_id', '=', credentialId);
  q = opts.deviceId ? q.where('id', '=', opts.deviceId) : q.where('status', '!=', 'revoked');
  const devices = await q.execute();
  if (devices.length === 0) return;
  await tx
    .updateTable('devices')
    .set({ pass_updated_at: at })
    .where(
      'id',
      'in',
      devices.map((d) => d.id),
    )
    .execute();
  const apple = devices.filter((d) => d.platform === 'apple');
  const regs = apple.length
    ? await tx
        .selectFrom('apple_registrations')
        .select(['serial_number', 'push_token_enc'])
        .where(
          'serial_number',
          'in',
          apple.map((d) => d.serial_number),
        )
        .execute()
    : [];
  const rows: { device_id: string; kind: 'apns' | 'google'; target_enc: string }[] = [];
  if (ctx.services.apns) {
    for (const r of regs) {
      const d = apple.find((x) => x.serial_number === r.serial_number)!;
      rows.push({ device_id: d.id, kind: 'apns', target_enc: r.push_token_enc });
    }
  }
  if (ctx.wallet?.google?.rest) {
    // Object ids are `<issuer id>.<serial>`, as the save link made them.
    const issuer = ctx.wallet.google.issuerId;
    for (const d of devices.filter((x) => x.platform === 'google'))
      rows.push({
        device_id: d.id,
        kind: 'google',
        target_enc: ctx.keys.encrypt(`${issuer}.${d.serial_number}`, 'wallet_push'),
      });
  }
  if (rows.length === 0) return;
  await tx
    .insertInto('wallet_pushes')
    .values(
      rows.map((r) => ({
        ...r,
        attempts: 0,
        next_attempt_at: at,
        claimed_until: null,
        created_at: at,
        done_at: null,
        failed_at: null,
        last_error: null,
      })),
    )
    .execute();
}
