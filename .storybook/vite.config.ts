import fs from 'node:fs';
import path from 'node:path';
import { defineConfig } from 'vite';

const root = path.resolve(import.meta.dirname, '..');

// Storybook's own Vite config: no library mode, qrcode pre-bundled (it is CommonJS).
export default defineConfig({
  optimizeDeps: { include: ['qrcode'] },
  // node_modules may be a symlink to a shared install outside the project (worktrees).
  server: { fs: { allow: [root, fs.realpathSync(path.join(root, 'node_modules'))] } },
});
