#!/usr/bin/env node
// `npx keyway …` from the installed @keyway/server: the compiled CLI on plain Node (no TypeScript
// tooling). In the repository, before `npm run pack` compiles it, the workspace link points here
// too: there the repository's own bin (TypeScript through tsx) runs instead.
import { existsSync } from 'node:fs';

const compiled = new URL('../server/main.js', import.meta.url);
await import(existsSync(compiled) ? compiled.href : new URL('../../../bin/keyway.js', import.meta.url).href);
