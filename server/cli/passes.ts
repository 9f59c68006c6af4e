// `keyway passes doctor <file.pkpass | credential id>` and `keyway passes resign` (SPEC §15,
// docs/operations.md "Why a pass does not open" and "Rolling a certificate").
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { type Config, ConfigError, loadConfig } from '../config.js';
import type { Ctx } from '../domain/context.js';
import { ApiError } from '../domain/errors.js';
import { passesOfCredential } from '../domain/wallets/apple-web-service.js';
import {
  RESIGN_BATCH,
  RESIGN_CONCURRENCY,
  ResignError,
  type ResignProgress,
  ResignRunning,
  resignPasses,
  resignStatus,
} from '../domain/wallets/resign.js';
import { recordedSignerFingerprint } from '../domain/wallets/signer.js';
import { WalletConfigError, walletFix } from '../messages/wallet.js';
import { openCliContext } from '../runtime.js';
import { diagnosePkpass, type PassFinding } from '../wallet/apple/diagnose.js';
import { loadWalletRuntime, type WalletRuntime } from '../wallet/runtime.js';

const HELP = `Usage: npx keyway passes doctor <file.pkpass | credential id> [--wwdr <file.pem>] [--json]
       npx keyway passes resign [--batch <n>] [--concurrency <n>]

  doctor   why a pass would not open (npx keyway passes doctor --help)
  resign   roll the Apple pass certificate to KEYWAY_APPLE_NEXT_CERT/KEY (npx keyway passes resign --help)
`;

const DOCTOR_HELP = `Usage: npx keyway passes doctor <file.pkpass | credential id> [--wwdr <file.pem>] [--json]

Explains why a pass would not open: manifest hashes, the signature and its chain (the WWDR
generation that issued the signer), a signer not valid at signing time, pass type id / team id not
the certificate's, icon.png missing or wrongly sized, dates that are not W3C, NFC without an
NFC-enabled certificate, a webServiceURL that is not https, an authenticationToken under 16
characters. One line per check; exit 1 when any fails.

Given a credential id (cred_…) instead of a file, it checks the pass the server would serve for
that credential now — built here from the database with the configured signer (the one the
database records as current), once for each of its live Apple devices, or as a new device would
get it when it has none — and the chain up to KEYWAY_APPLE_WWDR. It reads the same environment as
the server (DATABASE_URL, KEYWAY_SECRET, KEYWAY_APPLE_*).

  --wwdr <file>   check the chain up to this WWDR certificate (a file: default the signature only;
                  a credential id: default KEYWAY_APPLE_WWDR)
  --json          the findings as JSON
`;

const RESIGN_HELP = `Usage: npx keyway passes resign [--batch <n>] [--concurrency <n>]

Rolls the Apple pass certificate without downtime (docs/operations.md#rolling-a-certificate):

  1. every instance: KEYWAY_APPLE_NEXT_CERT and KEYWAY_APPLE_NEXT_KEY set to the renewed
     certificate and its key, beside KEYWAY_APPLE_CERT/KEY (restart them; npx keyway doctor checks
     the next pair: it loads, key matches, not expired, same pass type id and team);
  2. npx keyway passes resign (same environment);
  3. when it prints "all N passes re-signed", move the next pair into KEYWAY_APPLE_CERT/KEY, unset
     KEYWAY_APPLE_NEXT_*, and restart the instances one by one.

It records the next signer as current in the database (every instance signs with it from then on,
a restart too), then re-signs every live Apple pass and pushes each phone registered for it (APNs),
so Wallet fetches the pass signed anew. Progress is kept per pass in the database: a run that is
stopped, even with kill -9, continues where it was when run again. A push is recorded as soon as
APNs answers it (answers arriving together share one commit) and a pass's next push waits for
that record, so a second run sends only what is left — except the pushes whose answers had arrived
but whose record had not committed when the process died: at most --concurrency of them (none
with --concurrency 1 when the kill lands between pushes). A repeated push only makes Wallet ask
again and get the same pass.
Progress is printed per batch and shown in /metrics (keyway_pass_resign_passes,
keyway_pass_resign_pushes). Pushes APNs cannot take now go to the push queue, which the server
retries.

  --batch <n>         passes per batch (default ${RESIGN_BATCH})
  --concurrency <n>   passes pushing at once (default ${RESIGN_CONCURRENCY})

One run at a time: a second run while one is running refuses at once, naming the running one's
process and machine, with exit code 75 (try again later). A run that died (kill -9) on this
machine is taken over at once; one that died on another machine, a minute after its last sign
of life.

Exit code 0 when every live pass is re-signed for the current signer; 75 when another run is
running; 1 otherwise.
`;

/** sysexits.h EX_TEMPFAIL: another resign is running; try again once it has finished. */
const EXIT_RUNNING = 75;

export async function runPassesCommand(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [sub, ...rest] = args;
  if (!sub || sub === '--help' || sub === '-h') {
    process.stdout.write(HELP);
    return sub ? 0 : 1;
  }
  if (sub === 'doctor') {
    if (rest.includes('--help') || rest.includes('-h')) return (process.stdout.write(DOCTOR_HELP), 0);
    return passesDoctor(rest, env);
  }
  if (sub === 'resign') {
    if (rest.includes('--help') || rest.includes('-h')) return (process.stdout.write(RESIGN_HELP), 0);
    return resign(rest, env);
  }
  process.stderr.write(`keyway passes: unknown command "${sub}"\n\n${HELP}`);
  return 1;
}

function printFindings(findings: PassFinding[], heading?: string): void {
  if (heading) process.stdout.write(`${heading}\n`);
  for (const f of findings) process.stdout.write(`${f.ok ? 'ok  ' : 'fail'}  ${f.check.padEnd(20)}  ${f.detail}\n`);
}

async function passesDoctor(rest: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const json = rest.includes('--json');
  const w = rest.indexOf('--wwdr');
  const wwdrPem = w >= 0 ? fs.readFileSync(rest[w + 1], 'utf8') : undefined;
  const target = rest.find((a, i) => !a.startsWith('--') && (w < 0 || i !== w + 1));
  if (!target) {
    process.stderr.write('keyway passes doctor: give a .pkpass file or a credential id (cred_…)\n');
    return 1;
  }
  if (fs.existsSync(target)) {
    const findings = await diagnosePkpass(fs.readFileSync(target), { wwdrPem });
    const ok = findings.every((f) => f.ok);
    if (json) process.stdout.write(`${JSON.stringify({ ok, findings })}\n`);
    else printFindings(findings);
    return ok ? 0 : 1;
  }
  if (!/^cred_[A-Za-z0-9]+$/.test(target) && (/\.pkpass$/i.test(target) || /[/\\.]/.test(target))) {
    process.stderr.write(`keyway passes doctor: "${target}" does not exist (give a .pkpass file or a credential id)\n`);
    return 1;
  }

  const opened = await openWithWallet(env, 'passes doctor');
  if (typeof opened === 'number') return opened;
  const { ctx, close } = opened;
  try {
    const passes = await passesOfCredential(ctx, target);
    const chain = wwdrPem ?? ctx.wallet!.apple!.material.wwdr.pem;
    const results = await Promise.all(
      passes.map(async (p) => ({
        device_id: p.deviceId,
        device_status: p.status,
        findings: await diagnosePkpass(p.pkpass, { wwdrPem: chain }),
      })),
    );
    const ok = results.every((r) => r.findings.every((f) => f.ok));
    if (json) process.stdout.write(`${JSON.stringify({ ok, credential_id: target, passes: results })}\n`);
    else
      for (const r of results)
        printFindings(
          r.findings,
          r.device_id
            ? `${target}, device ${r.device_id} (${r.device_status}): the pass the server serves now`
            : `${target} has no Apple device yet: the pass a new device would get`,
        );
    return ok ? 0 : 1;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    process.stderr.write(`keyway passes doctor: ${error.message}\n`);
    return 1;
  } finally {
    await close();
  }
}

/** A CLI context with the wallet loaded as the server loads it; a number is the exit code of a refusal already printed. */
async function openWithWallet(
  env: NodeJS.ProcessEnv,
  command: string,
  prepare?: (wallet: WalletRuntime) => void,
): Promise<{ ctx: Ctx; close: () => Promise<void> } | number> {
  let config: Config;
  let wallet: WalletRuntime | null;
  try {
    config = loadConfig(env, 'development', { serverChecks: false });
    wallet = loadWalletRuntime(config);
  } catch (error) {
    if (error instanceof WalletConfigError) {
      process.stderr.write(`keyway ${command}: ${error.message}\n  fix: ${walletFix(error)}\n`);
      return 1;
    }
    if (error instanceof ConfigError) {
      process.stderr.write(`keyway ${command}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  if (!wallet?.apple) {
    process.stderr.write(`keyway ${command}: Apple Wallet passes are off (KEYWAY_PASSES=off)\n`);
    return 1;
  }
  prepare?.(wallet);
  return openCliContext(config, { wallet });
}

async function resign(rest: string[], env: NodeJS.ProcessEnv): Promise<number> {
  let values: { batch?: string; concurrency?: string };
  try {
    values = parseArgs({ args: rest, options: { batch: { type: 'string' }, concurrency: { type: 'string' } } }).values;
  } catch (error) {
    process.stderr.write(`keyway passes resign: ${(error as Error).message}\n`);
    return 1;
  }
  const whole = (v: string | undefined, fallback: number, max: number) => {
    const n = v === undefined ? fallback : Number(v);
    return Number.isInteger(n) && n >= 1 && n <= max ? n : null;
  };
  const batchSize = whole(values.batch, RESIGN_BATCH, 10_000);
  const concurrency = whole(values.concurrency, RESIGN_CONCURRENCY, 1000);
  if (batchSize === null || concurrency === null) {
    process.stderr.write('keyway passes resign: --batch is 1 to 10000 and --concurrency 1 to 1000\n');
    return 1;
  }
  // Pushes go with the certificate being rolled to (the CLI's APNs connection is made with it).
  const opened = await openWithWallet(env, 'passes resign', (w) => {
    if (w.apple?.next) w.apple.material = w.apple.next;
  });
  if (typeof opened === 'number') return opened;
  const { ctx, close } = opened;
  const apple = ctx.wallet!.apple!;
  try {
    let target = apple.next;
    if (!target) {
      // No next pair: finishing a roll to the pair now in KEYWAY_APPLE_CERT (moved there before the run ended).
      const recorded = await recordedSignerFingerprint(ctx);
      const status = recorded === apple.configured.fingerprint ? await resignStatus(ctx, recorded) : null;
      if (!status?.pending) {
        process.stderr.write(
          'keyway passes resign: KEYWAY_APPLE_NEXT_CERT and KEYWAY_APPLE_NEXT_KEY are not set: there is no next signer to roll to (npx keyway passes resign --help)\n',
        );
        return 1;
      }
      target = apple.configured;
    }
    const started = performance.now();
    const rate = (p: ResignProgress) => (p.resigned / Math.max(0.001, (performance.now() - started) / 1000)).toFixed(0);
    process.stdout.write(
      `rolling to ${target.fingerprint.slice(0, 16)} (${target.passTypeId}, valid until ${target.certificate.notAfter.toISOString().slice(0, 10)})\n`,
    );
    const report = await resignPasses(ctx, target, {
      batchSize,
      concurrency,
      onBatch: (p) =>
        process.stdout.write(
          `  ${p.done}/${p.total} passes done, ${p.pushed} pushed in this run (${rate(p)} passes/s)\n`,
        ),
    });
    const seconds = (performance.now() - started) / 1000;
    const extra = [
      report.queued ? `${report.queued} pushes handed to the push queue (APNs could not take them now)` : '',
      report.refused ? `${report.refused} registrations refused by APNs (410: pass removed, or 400)` : '',
      report.unpushed ? `${report.unpushed} phones not pushed: this configuration sends no pushes (no APNs URL)` : '',
      report.unrenderable ? `${report.unrenderable} passes cannot be signed (made under a secret no longer set)` : '',
    ].filter(Boolean);
    process.stdout.write(
      `all ${report.total} passes re-signed with ${target.fingerprint.slice(0, 16)}: ${report.resigned} in this run, ${report.pushed} pushes in ${seconds.toFixed(2)} s (${(report.resigned / Math.max(seconds, 0.001)).toFixed(0)} passes/s)\n`,
    );
    for (const line of extra) process.stdout.write(`  ${line}\n`);
    if (apple.next)
      process.stdout.write(
        'next: move KEYWAY_APPLE_NEXT_CERT/KEY into KEYWAY_APPLE_CERT/KEY, unset the NEXT pair, restart the instances one by one\n',
      );
    return report.done === report.total ? 0 : 1;
  } catch (error) {
    if (!(error instanceof ResignError)) throw error;
    process.stderr.write(`keyway passes resign: ${error.message}\n`);
    return error instanceof ResignRunning ? EXIT_RUNNING : 1;
  } finally {
    await close();
  }
}
