// `keyway audit verify` and `keyway audit export` (SPEC §15, docs/operations.md "The audit log").
import { once } from 'node:events';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { verifyAudit } from '../domain/audit/chain.js';
import { openCliContext } from '../runtime.js';
import { exportEvents } from '../storage/audit-chain.js';

const HELP = {
  main: `Usage: npx keyway audit <verify|export> [options]

  verify               walk the audit log's hash chain and its signed checkpoints
  export --since T     the audit events as JSON lines, with their hashes

Run "npx keyway audit <command> --help" for its options.
`,
  verify: `Usage: npx keyway audit verify [--json]

Walks every audit event in sequence order, recomputing each hash from the one before it
(SHA-256 of the previous hash and the event's canonical JSON), then checks each hourly checkpoint's
signature (a key derived from KEYWAY_SECRET; KEYWAY_SECRET_PREVIOUS is tried too) and that the chain
still ends in the hash it signed. Names the first event changed, removed, inserted or moved.
Events written in the last seconds may not be sealed yet; they are counted, not judged.

  --json    one JSON object instead of text

Exit code 0 when the chain is intact, 1 when it is not.
`,
  export: `Usage: npx keyway audit export [--since <ISO time | evt_N>] [--out FILE]

Writes the audit events, oldest first, one JSON object a line: id, seq, type, at, actor, subject,
data, prev_hash, hash. Retention never deletes audit events; exporting them is how they leave.

  --since T   events at or after this time (2026-01-01T00:00:00Z), or after this event (evt_120)
  --out FILE  write them to FILE (created readable by its owner only) instead of standard output
`,
} as const;

export async function runAuditCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [command, ...rest] = argv;
  const out = (text: string) => process.stdout.write(text);
  const fail = (text: string) => {
    process.stderr.write(`keyway audit: ${text}\n`);
    return 1;
  };
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    out(HELP.main);
    return command ? 0 : 1;
  }
  if (command !== 'verify' && command !== 'export') return fail(`unknown command "${command}"\n\n${HELP.main}`);
  let values: { json?: boolean; since?: string; out?: string; help?: boolean };
  try {
    values = parseArgs({
      args: rest,
      options:
        command === 'verify'
          ? { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }
          : { since: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }).values;
  } catch (error) {
    return fail((error as Error).message);
  }
  if (values.help) return (out(HELP[command]), 0);
  let since: { since?: string; afterSeq?: number } = {};
  if (command === 'export' && values.since) {
    const byEvent = /^evt_(\d+)$/.exec(values.since);
    if (byEvent) since = { afterSeq: Number(byEvent[1]) };
    else if (Number.isNaN(Date.parse(values.since)))
      return fail(`--since wants an ISO time (2026-01-01T00:00:00Z) or an event id (evt_120), not "${values.since}"`);
    else since = { since: new Date(values.since).toISOString() };
  }
  const config = loadConfig(env, 'development', { serverChecks: false });
  const { ctx, close } = await openCliContext(config);
  try {
    if (command === 'export') {
      if (!values.out) {
        for await (const event of exportEvents(ctx.store.db, since)) out(`${JSON.stringify(event)}\n`);
        return 0;
      }
      // Audit events name people and staff: the file is its owner's alone, and a half-written one is not left.
      let fd: number;
      try {
        fd = fs.openSync(values.out, 'wx', 0o600);
      } catch (error) {
        const e = error as NodeJS.ErrnoException;
        return fail(
          e.code === 'EEXIST'
            ? `${values.out} exists; give a new file name`
            : `cannot write ${values.out}: ${e.message}`,
        );
      }
      const file = fs.createWriteStream('', { fd });
      // A write that fails (a full disk) fails the export, whenever it happens: never an unhandled 'error'.
      let failed: Error | undefined;
      file.on('error', (error) => {
        failed ??= error;
      });
      let count = 0;
      try {
        for await (const event of exportEvents(ctx.store.db, since)) {
          if (failed) throw failed;
          if (!file.write(`${JSON.stringify(event)}\n`)) await Promise.race([once(file, 'drain'), once(file, 'close')]);
          count += 1;
        }
        await new Promise<void>((resolve, reject) =>
          file.end((error?: Error | null) => (error ? reject(error) : resolve())),
        );
        if (failed) throw failed;
      } catch (error) {
        file.destroy();
        fs.rmSync(values.out, { force: true });
        throw error;
      }
      process.stderr.write(`keyway audit: ${count} events written to ${values.out}\n`);
      return 0;
    }
    const report = await verifyAudit(ctx);
    if (values.json) out(`${JSON.stringify(report)}\n`);
    else if (report.ok)
      out(
        `ok: ${report.sealed} of ${report.events} audit events sealed and intact through evt_${report.head}; ${report.checkpoints} signed checkpoints agree.\n`,
      );
    else out(`FAIL: ${report.problem?.message}\n`);
    return report.ok ? 0 : 1;
  } finally {
    await close();
  }
}
