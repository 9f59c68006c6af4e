// Prints the CDN build's min+gzip sizes against the budgets and beside Seam Components' web
// component bundle (276 KiB gz, TOOLCHAIN.md): the loader, each element's first visit (the loader
// plus the element's chunk and every chunk it imports statically), the lazy chunks, everything.
// Run after `npm run build`.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const cdn = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cdn');
const SEAM_KIB = 276;
const TAGS = ['keyway-provider', 'invite-redeem', 'sms-otp-verify', 'add-to-wallet', 'credential-status'];

if (!existsSync(join(cdn, 'keyway.js'))) {
  console.error('bundle-size: dist/cdn/keyway.js is missing; run `npm run build` first');
  process.exit(1);
}

const gz = (file) => gzipSync(readFileSync(join(cdn, file)), { level: 9 }).length;
const kib = (bytes) => (bytes / 1024).toFixed(1);
const files = readdirSync(cdn).filter((f) => f.endsWith('.js'));
const sum = (list) => list.reduce((total, f) => total + gz(f), 0);

/** A file plus every chunk it imports statically (not `import()`), transitively. */
function staticClosure(...entries) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    const code = readFileSync(join(cdn, file), 'utf8');
    for (const match of code.matchAll(
      /(?:^|[;}\s])(?:import|export)\s*(?:[\w*{}\s,$]+from\s*)?["']\.\/([^"']+\.js)["']/g,
    )) {
      visit(match[1]);
    }
  };
  for (const entry of entries) visit(entry);
  return [...seen];
}

/** What a first visit showing these tags fetches: the loader, then each tag's chunk and its static imports. */
function firstVisit(...tags) {
  const chunks = tags.map((tag) => {
    const chunk = files.find((f) => new RegExp(`^${tag}-[\\w-]{8}\\.js$`).test(f));
    if (!chunk) throw new Error(`no chunk for <${tag}> in dist/cdn`);
    return chunk;
  });
  return staticClosure('keyway.js', ...chunks);
}

const rows = [
  ['loader (keyway.js)', sum(staticClosure('keyway.js')), 1],
  // issue 28: a partner page showing only <invite-redeem> fetches at most 16 KiB gz.
  ['first visit: <invite-redeem> only', sum(firstVisit('invite-redeem')), 16],
  ...TAGS.filter((t) => t !== 'invite-redeem').map((tag) => [`first visit: <${tag}> only`, sum(firstVisit(tag))]),
  // /p's first screen: the provider and the code form (the phone form, wallet and status load on their step).
  ['first visit: /p (provider + redeem)', sum(firstVisit('keyway-provider', 'invite-redeem'))],
  ['all five elements', sum(firstVisit(...TAGS))],
  // 30 → 37: AsYouType (grouping from the first digit) and the library's example mobile numbers (docs/elements.md); /p loads it only on the phone step.
  ['phone chunk (libphonenumber-js)', sum(files.filter((f) => f.startsWith('phone-'))), 37],
  ['QR chunk (qrcode)', sum(files.filter((f) => f.startsWith('qr-'))), 10],
];

let over = 0;
for (const [name, bytes, budget] of rows) {
  const ok = budget === undefined || bytes <= budget * 1024;
  if (!ok) over += 1;
  const verdict = budget === undefined ? '' : `  budget ${budget} KiB  ${ok ? 'ok' : 'OVER'}`;
  console.log(`${name.padEnd(40)} ${kib(bytes).padStart(6)} KiB gz${verdict}`);
}
const all = sum(files);
console.log(`${'everything in dist/cdn'.padEnd(40)} ${kib(all).padStart(6)} KiB gz`);
console.log(`${'Seam Components web-component bundle'.padEnd(40)} ${String(SEAM_KIB).padStart(6)} KiB gz`);
console.log(
  `ratio: <invite-redeem>'s first visit is ${(rows[1][1] / 1024 / SEAM_KIB).toFixed(3)}x Seam's; all of Keyway's CDN files ${(all / 1024 / SEAM_KIB).toFixed(3)}x`,
);
console.log(`<invite-redeem> fetches: ${firstVisit('invite-redeem').join(', ')}`);
// Over budget fails only with --strict, so `npm run bench` still prints every other benchmark.
process.exitCode = over && process.argv.includes('--strict') ? 1 : 0;
