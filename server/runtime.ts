import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from './config.js';
import { ConfigError } from './config.js';
import { openStore, type Store } from './storage/db.js';
import { migrateToLatest } from './storage/migrations.js';

/**
 * KEYWAY_SECRET, or in development a generated one kept in $KEYWAY_DATA_DIR/secret (0600)
 * so restarts keep their encrypted data readable (SPEC §7).
 */
export function resolveSecret(config: Config): string {
  if (config.secret) return config.secret;
  if (!config.dev) throw new ConfigError('KEYWAY_SECRET', 'production needs KEYWAY_SECRET');
  const file = path.join(config.dataDir, 'secret');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(config.dataDir, { recursive: true });
  const secret = crypto.randomBytes(32).toString('base64');
  fs.writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
}

/** Opens the configured database and applies pending migrations. */
export async function openMigratedStore(config: Config): Promise<{ store: Store; applied: string[] }> {
  const store = openStore(config.databaseUrl, { sqliteSync: config.sqliteSync });
  try {
    const applied = await migrateToLatest(store.db, store.dialect);
    return { store, applied };
  } catch (err) {
    await store.close();
    throw err;
  }
}
