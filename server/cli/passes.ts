// `keyway passes doctor <file.pkpass>` (SPEC §15, docs/operations.md "Why a pass does not open").
import fs from 'node:fs';
import { diagnosePkpass } from '../wallet/apple/diagnose.js';

const HELP = `Usage: npx keyway passes doctor <file.pkpass> [--wwdr <file.pem>] [--json]

Explains why a pass would not open: manifest hashes, the signature and its chain (the WWDR
generation that issued the signer), a signer not valid at signing time, pass type id / team id not
the certificate's, icon.png missing or wrongly sized, dates that are not W3C, NFC without an
NFC-enabled certificate, a webServiceURL that is not https, an authenticationToken under 16
characters. One line per check; exit 1 when any fails.

  --wwdr <file>   check the chain up to this WWDR certificate (default: the signature only)
  --json          the findings as JSON
`;

export async function runPassesCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (!sub || sub === '--help' || sub === '-h' || rest.includes('--help')) {
    process.stdout.write(HELP);
    return sub ? 0 : 1;
  }
  if (sub !== 'doctor') {
    process.stderr.write(`keyway passes: unknown command "${sub}"\n\n${HELP}`);
    return 1;
  }
  const json = rest.includes('--json');
  const w = rest.indexOf('--wwdr');
  const wwdrPem = w >= 0 ? fs.readFileSync(rest[w + 1], 'utf8') : undefined;
  const file = rest.find((a, i) => !a.startsWith('--') && (w < 0 || i !== w + 1));
  if (!file || !fs.existsSync(file)) {
    process.stderr.write(`keyway passes doctor: give a .pkpass file${file ? ` ("${file}" does not exist)` : ''}\n`);
    return 1;
  }
  const findings = await diagnosePkpass(fs.readFileSync(file), { wwdrPem });
  const ok = findings.every((f) => f.ok);
  if (json) process.stdout.write(`${JSON.stringify({ ok, findings })}\n`);
  else
    for (const f of findings) process.stdout.write(`${f.ok ? 'ok  ' : 'FAIL'}  ${f.check.padEnd(20)}  ${f.detail}\n`);
  return ok ? 0 : 1;
}
