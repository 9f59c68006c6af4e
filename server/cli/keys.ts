// `keyway keys create|list|revoke`: manage secret (sk_) and publishable (pk_) keys from a shell.
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { createKey, listKeys, revokeKey, SCOPES, type Scope } from '../domain/callers/keys.js';
import { openCliContext } from '../runtime.js';

const KEYS_HELP = `Usage:
  npx keyway keys create --scope account.person|account.person.readonly|account.access [--name N]
  npx keyway keys create --publishable --origins https://a.example,https://b.example
                         [--countries GB,IE] [--default-country GB] [--name N]
  npx keyway keys list
  npx keyway keys revoke <key id>

The new key is printed once on stdout; only its SHA-256 is stored.`;

export async function runKeysCommand(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [sub, ...rest] = args;
  if (!sub || sub === '--help' || rest.includes('--help')) {
    console.log(KEYS_HELP);
    return sub ? 0 : 1;
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      scope: { type: 'string' },
      publishable: { type: 'boolean' },
      origins: { type: 'string' },
      countries: { type: 'string' },
      'default-country': { type: 'string' },
      name: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const config = loadConfig(env, 'development', { serverChecks: false });
  const { ctx, close } = await openCliContext(config);
  try {
    if (sub === 'create') {
      const list = (v?: string) =>
        v
          ? v
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean)
          : undefined;
      if (values.publishable) {
        const origins = list(values.origins);
        if (!origins?.length)
          throw new Error(
            '--origins is required for a publishable key (comma-separated, e.g. https://app.example.com)',
          );
        const countries = list(values.countries);
        for (const c of [...(countries ?? []), ...(values['default-country'] ? [values['default-country']] : [])]) {
          if (!/^[A-Za-z]{2}$/.test(c)) throw new Error(`"${c}" is not an ISO-3166 alpha-2 country code`);
        }
        const { key, view } = await createKey(ctx, {
          kind: 'publishable',
          name: values.name,
          origins,
          countries: countries ?? null,
          defaultCountry: values['default-country'] ?? null,
        });
        console.error(`Created ${view.id} (publishable; origins ${view.origins.join(', ')}). The key is shown once:`);
        console.log(key);
      } else {
        const scope = (values.scope ?? 'account.person') as Scope;
        if (!SCOPES.includes(scope)) throw new Error(`--scope must be one of ${SCOPES.join(', ')}`);
        const { key, view } = await createKey(ctx, {
          kind: 'secret',
          name: values.name,
          scopes: [scope],
          defaultCountry: values['default-country'] ?? null,
        });
        console.error(`Created ${view.id} (secret; scope ${scope}). The key is shown once:`);
        console.log(key);
      }
      return 0;
    }
    if (sub === 'list') {
      const keys = await listKeys(ctx);
      if (values.json) console.log(JSON.stringify(keys, null, 2));
      else
        for (const k of keys) {
          const what = k.kind === 'secret' ? k.scopes.join(' ') : `origins ${k.origins.join(' ')}`;
          console.log(
            `${k.id}  ${k.hint.padEnd(10)} ${k.kind.padEnd(11)} ${k.revoked_at ? 'REVOKED ' : 'active  '} ${k.name} — ${what}`,
          );
        }
      return 0;
    }
    if (sub === 'revoke') {
      const id = positionals[0];
      if (!id) throw new Error('keys revoke needs a key id (see keys list)');
      const k = await revokeKey(ctx, id);
      console.log(`Revoked ${k.id} (${k.hint}).`);
      return 0;
    }
    console.error(KEYS_HELP);
    return 1;
  } finally {
    await close();
  }
}
