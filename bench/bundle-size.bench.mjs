// `npm run bench` runs bench/*.bench.*: this builds the CDN bundle when it is missing, then prints
// bundle-size.mjs's figures (non-zero exit on a budget miss only with --strict).

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
if (!existsSync(`${root}dist/cdn/keyway.js`)) {
  execFileSync('npx', ['--no-install', 'vite', 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
}
await import('./bundle-size.mjs');
