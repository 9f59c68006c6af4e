// Prints the CDN bundle's min+gzip sizes against the budgets and beside Seam Components' web
// component bundle (276 KiB gz, TOOLCHAIN.md). Run after `npm run build`.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const cdn = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cdn');
const SEAM_KIB = 276;

if (!existsSync(join(cdn, 'keyway.js'))) {
  console.error('bundle-size: dist/cdn/keyway.js is missing; run `npm run build` first');
  process.exit(1);
}

const gz = (file) => gzipSync(readFileSync(join(cdn, file)), { level: 9 }).length;
const kib = (bytes) => (bytes / 1024).toFixed(1);

/** keyway.js plus every chunk it imports statically (not `import()`), transitively. */
function staticClosure(entry) {
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
  visit(entry);
  return [...seen];
}

const files = readdirSync(cdn).filter((f) => f.endsWith('.js'));
const entryFiles = staticClosure('keyway.js');
const rows = [
  ['cdn entry + static imports', entryFiles.reduce((sum, f) => sum + gz(f), 0), 20],
  // 30 → 37: AsYouType (grouping from the first digit) and the library's example mobile numbers (docs/elements.md); /p loads it only on the phone step.
  ['phone chunk (libphonenumber-js)', files.filter((f) => f.startsWith('phone-')).reduce((s, f) => s + gz(f), 0), 37],
  ['QR chunk (qrcode)', files.filter((f) => f.startsWith('qr-')).reduce((s, f) => s + gz(f), 0), 10],
];

let over = 0;
for (const [name, bytes, budget] of rows) {
  const ok = bytes <= budget * 1024;
  if (!ok) over += 1;
  console.log(`${name.padEnd(34)} ${kib(bytes).padStart(6)} KiB gz  budget ${budget} KiB  ${ok ? 'ok' : 'OVER'}`);
}
const all = files.reduce((sum, f) => sum + gz(f), 0);
console.log(`${'everything in dist/cdn'.padEnd(34)} ${kib(all).padStart(6)} KiB gz`);
console.log(`Seam Components web-component bundle ${String(SEAM_KIB).padStart(4)} KiB gz`);
console.log(
  `ratio: Keyway entry is ${(rows[0][1] / 1024 / SEAM_KIB).toFixed(3)}x Seam's; all of Keyway's CDN files ${(all / 1024 / SEAM_KIB).toFixed(3)}x`,
);
console.log(`entry files: ${entryFiles.join(', ')}`);
// Over budget fails only with --strict, so `npm run bench` still prints every other benchmark.
process.exitCode = over && process.argv.includes('--strict') ? 1 : 0;
