import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from './config.js';
import { ConfigError } from './config.js';
import { type Ctx, createContext } from './domain/context.js';
import { isPostgresUrl, openStore, type Store } from './storage/db.js';
import { migrateToLatest } from './storage/migrations.js';
import type { WalletRuntime } from './wallet/runtime.js';

/**
 * The data directory is the owner's alone (docs/security.md): 0700, and the secrets an older version
 * may have left readable in it (the dev secret, the demo keys, the dev certificates) 0600. Made when
 * absent; what is not ours to change is left as it is.
 */
export function keepDataDirPrivate(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const narrow = (p: string, mode: number) => {
    try {
      if ((fs.statSync(p).mode & 0o777 & ~mode) !== 0) fs.chmodSync(p, mode);
    } catch {
      /* absent, or not ours */
    }
  };
  narrow(dir, 0o700);
  for (const f of ['secret', 'demo-keys.json']) narrow(path.join(dir, f), 0o600);
  const certs = path.join(dir, 'certs');
  if (!fs.existsSync(certs)) return;
  narrow(certs, 0o700);
  for (const f of fs.readdirSync(certs)) narrow(path.join(certs, f), 0o600);
}

/**
 * KEYWAY_SECRET, or in development a generated one kept in $KEYWAY_DATA_DIR/secret (0600)
 * so restarts keep their encrypted data readable (docs/security.md).
 */
export function resolveSecret(config: Config): string {
  keepDataDirPrivate(config.dataDir);
  if (config.secret) return config.secret;
  if (!config.dev) throw new ConfigError('KEYWAY_SECRET', 'production needs KEYWAY_SECRET');
  const file = path.join(config.dataDir, 'secret');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const secret = crypto.randomBytes(32).toString('base64');
  fs.writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/** Opens the configured database and applies pending migrations. */
export async function openMigratedStore(
  config: Config,
  log?: (record: Record<string, unknown>) => void,
): Promise<{ store: Store; applied: string[] }> {
  // On PostgreSQL migrations run without the statement timeout requests have (a migration may rewrite a big table).
  const postgres = isPostgresUrl(config.databaseUrl);
  const migrating = openStore(config.databaseUrl, { queryTimeout: !postgres, log, sqliteSync: config.sqliteSync });
  let applied: string[];
  try {
    // Instances starting together race to create the migration tables; the loser tries again.
    for (let attempt = 1; ; attempt++) {
      try {
        applied = await migrateToLatest(migrating.db, migrating.dialect);
        break;
      } catch (err) {
        if (!postgres || attempt >= 3) throw err;
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
    }
  } catch (err) {
    await migrating.close();
    throw err;
  }
  if (!postgres) return { store: migrating, applied };
  await migrating.close();
  return { store: openStore(config.databaseUrl, { log, sqliteSync: config.sqliteSync }), applied };
}

/** A domain context for one-shot commands (`keys`, `secrets`, `passes`): no server, the same storage and secrets. */
export async function openCliContext(
  config: Config,
  opts: { wallet?: WalletRuntime | null } = {},
): Promise<{ ctx: Ctx; close: () => Promise<void> }> {
  const secret = resolveSecret(config);
  const { store } = await openMigratedStore(config);
  const ctx = createContext({ config, store, secret, secretPrevious: config.secretPrevious, wallet: opts.wallet });
  return {
    ctx,
    close: () => {
      ctx.stop();
      return store.close();
    },
  };
}
