#!/usr/bin/env node
// `npx keyway …`: runs the TypeScript CLI through tsx (no build step needed).
import { register } from 'tsx/esm/api';

register();
await import('../server/main.ts');
