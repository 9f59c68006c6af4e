// `keyway secrets rotate`: finishes a KEYWAY_SECRET rotation (docs/security.md "Rotating KEYWAY_SECRET").
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import {
  type ColumnProgress,
  OTP_LIFETIME_MINUTES,
  ROTATION_BATCH,
  RotationError,
  rotateSecrets,
} from '../domain/housekeeping/secret-rotation.js';
import { openCliContext } from '../runtime.js';

const SECRETS_HELP = `Usage: npx keyway secrets rotate [--batch <n>]

Re-encrypts every ciphertext and recomputes every lookup hash under KEYWAY_SECRET, while the
server keeps running. Run it with KEYWAY_SECRET set to the new secret and KEYWAY_SECRET_PREVIOUS
to the old one, after every server instance runs with both (docs/security.md):

  1. every instance: KEYWAY_SECRET=<new>  KEYWAY_SECRET_PREVIOUS=<old>  (restart them)
  2. npx keyway secrets rotate            (same two variables; safe to re-run; resumable)
  3. when it prints "0 rows still use KEYWAY_SECRET_PREVIOUS" and the short-lived values it lists
     have expired, remove KEYWAY_SECRET_PREVIOUS and restart the instances.

  --batch <n>   rows per transaction (default ${ROTATION_BATCH})

Exit code 0 when no row needs KEYWAY_SECRET_PREVIOUS any more; 1 otherwise (the reason is printed).`;

const label = (p: ColumnProgress) => `${p.table}.${p.column}`;

export async function runSecretsCommand(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [sub, ...rest] = args;
  if (!sub || sub === '--help' || rest.includes('--help')) {
    console.log(SECRETS_HELP);
    return sub ? 0 : 1;
  }
  if (sub !== 'rotate') {
    console.error(`Unknown secrets command "${sub}".\n\n${SECRETS_HELP}`);
    return 1;
  }
  const { values } = parseArgs({ args: rest, options: { batch: { type: 'string' } } });
  const batchSize = values.batch === undefined ? ROTATION_BATCH : Number(values.batch);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
    console.error('--batch must be a whole number from 1 to 10000.');
    return 1;
  }
  const config = loadConfig(env, 'development', { serverChecks: false });
  if (!config.secretPrevious) {
    console.error(
      'KEYWAY_SECRET_PREVIOUS is not set: set it to the secret being replaced, and KEYWAY_SECRET to the new one (npx keyway secrets rotate --help).',
    );
    return 1;
  }
  const { ctx, close } = await openCliContext(config);
  try {
    const report = await rotateSecrets(ctx, {
      batchSize,
      onBatch: (p) => {
        if (p.rotated + p.raced + p.failed >= batchSize) console.log(`  ${label(p)}: ${p.rotated} re-encrypted so far`);
      },
    });
    for (const p of report.columns) {
      const extra = [
        p.raced ? `${p.raced} already rewritten by the server` : '',
        p.failed ? `${p.failed} COULD NOT BE DECRYPTED by either secret` : '',
      ].filter(Boolean);
      console.log(`${label(p)}: ${p.rotated} re-encrypted${extra.length ? ` (${extra.join(', ')})` : ''}`);
    }
    const { idempotency, verifications } = report.shortLived;
    console.log('Not re-keyable (the plain value is not stored); each expires on its own:');
    console.log(
      `  idempotency records: ${idempotency.count} made under the previous secret${idempotency.lastExpiresAt ? `, replayable until ${idempotency.lastExpiresAt}` : ''}`,
    );
    console.log(
      `  SMS codes: a code sent before KEYWAY_SECRET changed lives ${OTP_LIFETIME_MINUTES} minutes` +
        (verifications.count
          ? ` (${verifications.count} verifications pending, the last until ${verifications.lastExpiresAt})`
          : ' (none pending)'),
    );
    console.log(
      '  per-phone SMS rate counters start again under the new secret (at most one extra hour of sends per number)',
    );
    console.log(
      "  the hosted page's built-in key changed with KEYWAY_SECRET; the old one stays valid for pages already open",
    );
    if (report.unknownKey)
      console.log(`${report.unknownKey} rows are under a key that is neither KEYWAY_SECRET nor KEYWAY_SECRET_PREVIOUS`);
    console.log(`${report.stillPrevious} rows still use KEYWAY_SECRET_PREVIOUS`);
    const failed = report.columns.reduce((n, p) => n + p.failed, 0);
    if (failed || report.unknownKey) {
      console.error(
        `${failed} rows could not be re-encrypted: neither secret decrypts them (or their lookup hash does not match). They are left as they are; removing KEYWAY_SECRET_PREVIOUS does not change them.`,
      );
      return 1;
    }
    if (report.stillPrevious) {
      console.error(
        'Rows are still under KEYWAY_SECRET_PREVIOUS: written while this ran (run it again), or by an instance still running with the old KEYWAY_SECRET (restart every instance with the new one first).',
      );
      return 1;
    }
    return 0;
  } catch (err) {
    if (err instanceof RotationError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  } finally {
    await close();
  }
}
