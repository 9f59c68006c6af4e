// `keyway certs dev` and `keyway certs import`: make or convert signing material into PEM files.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CertificateImportError } from '../messages/wallet.js';
import { importP12, makeDevCertificates } from '../wallet/certs.js';

const HELP = {
  main: `Usage: keyway certs <dev|import> [options]

  dev                  make a throwaway dev chain and Google service-account key (kept if present)
  import <file.p12>    convert a Pass Type ID .p12 into PEM files (mode 0600)

Run "keyway certs <command> --help" for its options.
`,
  dev: `Usage: keyway certs dev [--dir DIR]

Makes, once, a test root -> WWDR-like intermediate -> pass-type certificate chain
(apple-root.pem, apple-wwdr.pem, apple-pass-cert.pem, apple-pass-key.pem) and a dev Google
service-account key (google-sa.json). Existing files are kept. Passes signed with it verify
with openssl; a real iPhone needs a real Pass Type ID certificate.

  --dir DIR    where to write (default: $KEYWAY_DATA_DIR/certs, KEYWAY_DATA_DIR defaults to ./data)
`,
  import: `Usage: keyway certs import <file.p12> [--password P] [--out DIR] [--force]

Converts a .p12 exported from Keychain Access (legacy RC2/3DES or modern AES encryption) into
apple-pass-cert.pem, apple-pass-key.pem (unencrypted, mode 0600) and, when the .p12 carries it,
apple-wwdr.pem. Point KEYWAY_APPLE_CERT / KEYWAY_APPLE_KEY / KEYWAY_APPLE_WWDR at them.

  --password P   the .p12 password (default: empty; KEYWAY_P12_PASSWORD is read when unset)
  --out DIR      where to write (default: $KEYWAY_DATA_DIR/certs)
  --force        replace existing PEM files
`,
} as const;

const certsDir = (env: NodeJS.ProcessEnv) => join(env.KEYWAY_DATA_DIR || './data', 'certs');

/** Runs `certs …` (argv after the word `certs`; a leading `certs` is tolerated); returns the exit code. */
export async function runCertsCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const args = argv[0] === 'certs' ? argv.slice(1) : argv;
  const [command, ...rest] = args;
  const out = (text: string) => process.stdout.write(text);
  const fail = (text: string) => {
    process.stderr.write(`keyway certs: ${text}\n`);
    return 1;
  };
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    out(HELP.main);
    return command ? 0 : 1;
  }
  try {
    if (command === 'dev') {
      const { values } = parseArgs({
        args: rest,
        options: { dir: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      });
      if (values.help) return (out(HELP.dev), 0);
      const result = makeDevCertificates(values.dir ?? certsDir(env));
      out(
        result.created.length
          ? `Dev certificates written to ${result.dir} (pass type ${result.passTypeId}, team ${result.teamId}):\n${result.created.map((p) => `  ${p}\n`).join('')}`
          : `Dev certificates already present in ${result.dir}; kept.\n`,
      );
      return 0;
    }
    if (command === 'import') {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: {
          password: { type: 'string' },
          out: { type: 'string' },
          force: { type: 'boolean' },
          help: { type: 'boolean', short: 'h' },
        },
      });
      if (values.help) return (out(HELP.import), 0);
      const file = positionals[0];
      if (!file) return fail(`import needs a .p12 file\n\n${HELP.import}`);
      const result = importP12(file, {
        password: values.password ?? env.KEYWAY_P12_PASSWORD ?? '',
        outDir: values.out ?? certsDir(env),
        force: values.force,
      });
      out(
        `Imported ${file}${result.passTypeId ? ` (pass type ${result.passTypeId}, team ${result.teamId ?? '?'})` : ''}, valid until ${result.notAfter.toISOString()}:\n` +
          `  KEYWAY_APPLE_CERT=${result.certPath}\n  KEYWAY_APPLE_KEY=${result.keyPath}\n` +
          (result.wwdrPath
            ? `  KEYWAY_APPLE_WWDR=${result.wwdrPath}\n`
            : '  (no WWDR certificate inside; download Apple WWDR G4 and set KEYWAY_APPLE_WWDR)\n'),
      );
      return 0;
    }
    return fail(`unknown command "${command}"\n\n${HELP.main}`);
  } catch (error) {
    if (error instanceof CertificateImportError) return fail(error.message);
    if (error instanceof TypeError && (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))
      return fail(error.message);
    throw error;
  }
}
