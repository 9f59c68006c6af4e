// SPEC §15: the audit log's hash chain as the server and `keyway audit` use it: the sealer with this
// deployment's checkpoint key, and the verification with every key this configuration can derive.
import { nowIso } from '../../clock.js';
import {
  AUDIT_CHECKPOINT_LABEL,
  checkpointKey,
  signCheckpoint,
  verifyCheckpointSignature,
} from '../../crypto/audit-keys.js';
import type { KeyRing } from '../../crypto/secrets.js';
import {
  type ChainReport,
  type CheckpointCheck,
  createAuditSealer,
  type SealOutcome,
  verifyAuditChain,
} from '../../storage/audit-chain.js';
import type { StopWorker } from '../../storage/outbox.js';
import type { Ctx } from '../context.js';

/** How often the background sealer looks for new events: "within seconds of the write". */
export const SEAL_INTERVAL_MS = 1000;

const checkpointKeys = (keys: KeyRing) => keys.deriveEach(AUDIT_CHECKPOINT_LABEL, 32).map(checkpointKey);

/** A sealer for this context's store, signing checkpoints with the key KEYWAY_SECRET derives. */
export function auditSealer(ctx: Ctx): { seal(): Promise<SealOutcome> } {
  const [key] = checkpointKeys(ctx.keys);
  const sealer = createAuditSealer(ctx.store, {
    signer: { kid: key.kid, sign: (message) => signCheckpoint(key, message) },
  });
  return {
    async seal() {
      const outcome = await sealer.seal(nowIso(ctx));
      if (outcome.sealed > 0) {
        ctx.metrics?.auditSealed.inc(outcome.sealed);
        if (outcome.lagSeconds !== null) ctx.metrics?.auditSealLag.set(outcome.lagSeconds);
      }
      return outcome;
    },
  };
}

/** The background sealer: one pass every SEAL_INTERVAL_MS, never two at once in this process. */
export function startAuditSealer(ctx: Ctx): StopWorker {
  const sealer = auditSealer(ctx);
  let running: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = sealer
      .seal()
      .catch((err: Error) => ctx.log({ level: 'error', msg: 'audit sealer failed', error: err.message }))
      .finally(() => {
        running = undefined;
      });
  }, SEAL_INTERVAL_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}

/** Walks the chain and the checkpoints (current and previous secret's keys). */
export function verifyAudit(ctx: Ctx): Promise<ChainReport> {
  const keys = checkpointKeys(ctx.keys);
  const check: CheckpointCheck = (message, kid, signature) => {
    const key = keys.find((k) => k.kid === kid);
    if (!key) return 'unknown';
    return verifyCheckpointSignature(key, message, signature) ? 'valid' : 'invalid';
  };
  return verifyAuditChain(ctx.store.db, check);
}
