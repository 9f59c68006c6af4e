// `keyway doctor` (SPEC §15, docs/operations.md "The doctor"): checks this configuration the way
// the server will use it, one line per check, each failure with its cause and a one-line fix.
import { execFile } from 'node:child_process';
import { createPublicKey, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import http2 from 'node:http2';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { parseArgs } from 'node:util';
import { type Config, ConfigError, loadConfig, UNSIGNED_SMS_GATEWAY, unsignedSmsGateway } from '../config.js';
import { OID, readCertificate } from '../crypto/der.js';
import { createKeyRing, instanceIdOf } from '../crypto/secrets.js';
import { WalletConfigError, walletFix } from '../messages/wallet.js';
import { openStore } from '../storage/db.js';
import { migrationsApplied, ping } from '../storage/migrations.js';
import { APNS_PRODUCTION_URL } from '../wallet/apns.js';
import { buildPassJson, buildPkpass } from '../wallet/apple/pass.js';
import { loadNextAppleMaterial, loadWalletRuntime, type WalletRuntime } from '../wallet/runtime.js';

export type CheckStatus = 'ok' | 'warn' | 'fail';
export interface CheckResult {
  check: string;
  status: CheckStatus;
  detail: string;
  /** One line saying what to do; every `fail` has one. */
  fix?: string;
}

/** Apple's extended key usage for Pass Type ID certificates. */
export const PASS_TYPE_ID_EKU = '1.2.840.113635.100.4.14';
/** Days before expiry from which a certificate is a warning. */
export const EXPIRY_WARN_DAYS = 30;
const TIMEOUT_MS = 5000;

const HELP = `Usage: npx keyway doctor [--json] [--env production|development]

Checks this configuration the way the server will use it and prints one line per check
(ok / warn / fail); each failure names its cause and the fix. Exit code 1 on any failure.

  --json     one JSON object: { ok, mode, checks: [{ check, status, detail, fix? }] }
  --env      check as this mode (default: KEYWAY_ENV; when unset, development if \`npm start\`
             made $KEYWAY_DATA_DIR/secret here, else production as \`npx keyway serve\` runs)

Checks: variables parse; KEYWAY_SECRET; the database answers and migrations are current; the Apple
material loads (PEM, key matches certificate, Pass Type ID extended key usage, pass type and team
ids, WWDR issued it and is G4, days to expiry); the next pair when set (KEYWAY_APPLE_NEXT_CERT/KEY:
loads, key matches, not expired, same pass type id and team, issued by the WWDR); a test pass is built and its signature verified
(openssl); the NFC key is a P-256 public key; the Google service account and issuer id; the SMS and
email senders answer (a connection, no message sent); HID Origo gives a token; APNs and Google REST
reachable; PUBLIC_URL is https and answers /healthz. docs/operations.md explains each.
`;

export async function runDoctorCommand(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  let values: { json?: boolean; env?: string; help?: boolean };
  try {
    values = parseArgs({
      args,
      options: { json: { type: 'boolean' }, env: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }).values;
  } catch (error) {
    process.stderr.write(`keyway doctor: ${(error as Error).message}\n`);
    return 1;
  }
  if (values.help) return (process.stdout.write(HELP), 0);
  if (values.env && values.env !== 'production' && values.env !== 'development') {
    process.stderr.write('keyway doctor: --env is production or development\n');
    return 1;
  }
  const started = Date.now();
  const { mode, checks } = await runDoctor(env, values.env as 'production' | 'development' | undefined);
  const ok = checks.every((c) => c.status !== 'fail');
  if (values.json) process.stdout.write(`${JSON.stringify({ ok, mode, checks })}\n`);
  else {
    // SPEC §15: one line per check — its status, its name, what was found and, when not ok, the fix.
    const width = Math.max(...checks.map((c) => c.check.length));
    for (const c of checks) {
      const fix = c.fix && c.status !== 'ok' ? ` — fix: ${c.fix}` : '';
      process.stdout.write(`${c.status.padEnd(4)}  ${c.check.padEnd(width)}  ${c.detail}${fix}\n`);
    }
    const counts = (s: CheckStatus) => checks.filter((c) => c.status === s).length;
    process.stderr.write(
      `${ok ? 'ok' : 'fail'}: checked as ${mode} in ${((Date.now() - started) / 1000).toFixed(1)} s — ${counts('ok')} ok, ${counts('warn')} warn, ${counts('fail')} fail\n`,
    );
  }
  return ok ? 0 : 1;
}

/** Every check, in order; never throws (a check that breaks is a `fail` naming why). */
export async function runDoctor(
  env: NodeJS.ProcessEnv,
  forced?: 'production' | 'development',
): Promise<{ mode: string; checks: CheckResult[] }> {
  const dataDir = env.KEYWAY_DATA_DIR || './data';
  const guessedDev = !env.KEYWAY_ENV && fs.existsSync(path.join(dataDir, 'secret'));
  const mode = forced ?? (env.KEYWAY_ENV === 'development' || guessedDev ? 'development' : 'production');
  const checks: CheckResult[] = [];
  const add = (check: string, status: CheckStatus, detail: string, fix?: string) =>
    checks.push({ check, status, detail, ...(fix ? { fix } : {}) });
  /** A requirement production has and development waives: fail in production, warn in development. */
  const devOnly = (check: string, detail: string, fix: string) =>
    add(
      check,
      mode === 'production' ? 'fail' : 'warn',
      `${detail}${mode === 'production' ? '' : ' (development only)'}`,
      fix,
    );

  if (guessedDev && !forced)
    add(
      'mode',
      'warn',
      `KEYWAY_ENV is unset and ${path.join(dataDir, 'secret')} exists (npm start ran here): checked as development`,
      'set KEYWAY_ENV=production (or pass --env production) to check as npx keyway serve runs',
    );

  let config: Config;
  try {
    config = loadConfig({ ...env, KEYWAY_ENV: mode }, mode);
    add('config', 'ok', 'every variable parses');
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    add('config', 'fail', error.message, `set ${error.variable} as the README's configuration table says`);
    try {
      // The rest is still worth knowing: checked with what does parse.
      config = loadConfig({ ...env, KEYWAY_ENV: 'development' }, 'development', { serverChecks: false });
    } catch {
      return { mode, checks };
    }
  }

  if (config.secret) add('secret', 'ok', 'KEYWAY_SECRET is set');
  else
    devOnly(
      'secret',
      'KEYWAY_SECRET is unset: a generated secret in $KEYWAY_DATA_DIR/secret is used',
      'set KEYWAY_SECRET to 32 random bytes, base64 (openssl rand -base64 32)',
    );

  const metricsToken = config.raw.KEYWAY_METRICS_TOKEN;
  if (metricsToken && metricsToken.length < 16)
    add(
      'metrics_token',
      'warn',
      `KEYWAY_METRICS_TOKEN is ${metricsToken.length} characters: easy to guess for whoever can reach /metrics`,
      'use at least 16 random characters (openssl rand -hex 16)',
    );

  await checkDatabase(config, add);
  const wallet = checkApple(config, mode, add, devOnly);
  if (wallet?.apple) {
    await checkTestPass(wallet, add);
    checkNfc(config, wallet, add);
    await checkApns(config, wallet, add);
  }
  await checkGoogle(config, wallet, add, devOnly);
  await checkSenders(config, add, devOnly);
  await checkHid(config, add);
  await checkPublicUrl(config, add, devOnly);
  return { mode, checks };
}

type Add = (check: string, status: CheckStatus, detail: string, fix?: string) => void;
type DevOnly = (check: string, detail: string, fix: string) => void;

async function checkDatabase(config: Config, add: Add): Promise<void> {
  const store = openStore(config.databaseUrl, {});
  const where = store.dialect === 'postgres' ? 'PostgreSQL' : `SQLite (${config.databaseUrl.slice(7)})`;
  try {
    await withTimeout(ping(store.db), 'the database');
    add('database', 'ok', `${where} answers`);
    try {
      const current = await migrationsApplied(store.db, store.dialect);
      if (current) add('migrations', 'ok', 'every migration is applied');
      else add('migrations', 'fail', 'migrations are pending', 'run npx keyway migrate (or start the server once)');
    } catch (error) {
      add('migrations', 'fail', `cannot read the migrations: ${(error as Error).message}`, 'run npx keyway migrate');
    }
  } catch (error) {
    add(
      'database',
      'fail',
      `${where} does not answer: ${(error as Error).message}`,
      'check DATABASE_URL and that the database is running and reachable from here',
    );
  } finally {
    await store.close().catch(() => undefined);
  }
}

function checkApple(config: Config, mode: string, add: Add, devOnly: DevOnly): WalletRuntime | null {
  if (!config.passes) {
    add('apple.material', 'ok', 'KEYWAY_PASSES=off: no wallet passes, no signing material needed');
    return null;
  }
  let wallet: WalletRuntime | null;
  try {
    // The loader the server starts with: the same cause, the same fix. The next pair is its own check.
    wallet = loadWalletRuntime({
      ...config,
      raw: { ...config.raw, KEYWAY_APPLE_NEXT_CERT: undefined, KEYWAY_APPLE_NEXT_KEY: undefined },
    });
  } catch (error) {
    if (error instanceof WalletConfigError) {
      add('apple.material', 'fail', error.message, walletFix(error));
      return null;
    }
    add('apple.material', 'fail', (error as Error).message, 'see docs/operations.md, "The doctor"');
    return null;
  }
  const apple = wallet?.apple;
  if (!apple) return wallet;
  const m = apple.material;
  const cert = new X509Certificate(m.certificate.pem);
  const wwdr = new X509Certificate(m.wwdr.pem);
  const inline = (['KEYWAY_APPLE_CERT', 'KEYWAY_APPLE_KEY'] as const).filter((v) => config.raw[v]?.includes('\\n'));
  const material = `pass type ${m.passTypeId}, team ${m.teamId}; the key matches the certificate${inline.length ? ` (${inline.join(', ')} inline with \\n escapes, read as line breaks)` : ''}`;
  if (apple.source === 'dev')
    devOnly(
      'apple.material',
      `dev chain from npx keyway certs dev: ${material}`,
      'npx keyway certs import <file.p12>, then set KEYWAY_APPLE_CERT, KEYWAY_APPLE_KEY, KEYWAY_APPLE_WWDR',
    );
  else add('apple.material', 'ok', material);

  const eku = cert.keyUsage ?? [];
  if (eku.includes(PASS_TYPE_ID_EKU))
    add('apple.usage', 'ok', 'the certificate has the Pass Type ID extended key usage');
  else
    add(
      'apple.usage',
      'fail',
      `the certificate lacks the Pass Type ID extended key usage (${PASS_TYPE_ID_EKU}): it is not a pass certificate`,
      'make a Pass Type ID certificate in the Apple developer portal (Certificates, Identifiers & Profiles)',
    );

  const ou = readCertificate(wwdr.raw).subject.find((a) => a.oid === OID.organizationalUnit)?.value;
  if (apple.source === 'dev')
    devOnly(
      'apple.wwdr',
      `the dev WWDR-like intermediate issued it (${ou ?? 'no OU'})`,
      "set KEYWAY_APPLE_WWDR to Apple's WWDR G4 certificate",
    );
  else if (ou === 'G4') add('apple.wwdr', 'ok', 'Apple WWDR G4 issued the pass certificate');
  else
    add(
      'apple.wwdr',
      'fail',
      `the WWDR intermediate that issued it is ${ou ? `generation ${ou}` : 'of no known generation'}, not G4`,
      "set KEYWAY_APPLE_WWDR to Apple's WWDR G4 (https://www.apple.com/certificateauthority/AppleWWDRCAG4.cer)",
    );

  for (const [name, notAfter, variable] of [
    ['apple.cert_expiry', m.certificate.notAfter, 'KEYWAY_APPLE_CERT'],
    ['apple.wwdr_expiry', m.wwdr.notAfter, 'KEYWAY_APPLE_WWDR'],
  ] as const) {
    const days = Math.floor((notAfter.getTime() - Date.now()) / 86_400_000);
    const detail = `${days} days to expiry (${notAfter.toISOString().slice(0, 10)})`;
    if (days < EXPIRY_WARN_DAYS)
      add(
        name,
        'warn',
        detail,
        `renew it and roll it in before then (docs/operations.md#rolling-a-certificate); ${variable}`,
      );
    else add(name, 'ok', detail);
  }
  checkNextPair(config, apple, add);
  void mode;
  return wallet;
}

/** SPEC §15: KEYWAY_APPLE_NEXT_CERT/KEY, the pair `keyway passes resign` rolls to, checked as the server loads it. */
function checkNextPair(config: Config, apple: NonNullable<WalletRuntime['apple']>, add: Add): void {
  if (!config.raw.KEYWAY_APPLE_NEXT_CERT && !config.raw.KEYWAY_APPLE_NEXT_KEY) return;
  try {
    const next = loadNextAppleMaterial(config, apple.configured)!;
    const days = Math.floor((next.certificate.notAfter.getTime() - Date.now()) / 86_400_000);
    add(
      'apple.next',
      days < EXPIRY_WARN_DAYS ? 'warn' : 'ok',
      `the next pair loads: the key matches, pass type ${next.passTypeId}, team ${next.teamId}, issued by KEYWAY_APPLE_WWDR, ${days} days to expiry (${next.certificate.notAfter.toISOString().slice(0, 10)}); npx keyway passes resign makes it current`,
      days < EXPIRY_WARN_DAYS ? 'the next certificate expires soon too: make a fresh one' : undefined,
    );
  } catch (error) {
    if (!(error instanceof WalletConfigError)) throw error;
    add('apple.next', 'fail', error.message, walletFix(error));
  }
}

async function checkTestPass(wallet: WalletRuntime, add: Add): Promise<void> {
  const apple = wallet.apple!;
  const m = apple.material;
  try {
    const passJson = buildPassJson({
      passTypeIdentifier: m.passTypeId,
      teamIdentifier: m.teamId,
      serialNumber: 'keyway-doctor',
      organizationName: 'Keyway doctor',
      description: 'A test pass',
      holderName: 'Keyway doctor',
      credentialTypeLabel: 'Test',
      readerValue: 'doctor',
    });
    const pkpass = buildPkpass({ passJson, images: apple.images, signer: m.signer });
    const verified = await verifyPkpassSignature(pkpass, m.wwdr.pem);
    if (verified === null)
      add(
        'apple.test_pass',
        'warn',
        'a test pass was built, but openssl is not installed to verify it',
        'install openssl to have the signature checked',
      );
    else if (verified === '') add('apple.test_pass', 'ok', 'a test pass was built and openssl verifies its signature');
    else
      add(
        'apple.test_pass',
        'fail',
        `a test pass's signature does not verify: ${verified}`,
        'check KEYWAY_APPLE_CERT, KEYWAY_APPLE_KEY and KEYWAY_APPLE_WWDR belong together',
      );
  } catch (error) {
    add(
      'apple.test_pass',
      'fail',
      `a test pass could not be built: ${(error as Error).message}`,
      'see docs/operations.md, "The doctor"',
    );
  }
}

/** '' when `openssl cms -verify` accepts the pass's detached signature over its manifest; null without openssl. */
export async function verifyPkpassSignature(pkpass: Buffer, wwdrPem: string): Promise<string | null> {
  const { unzipSync } = await import('fflate');
  const files = unzipSync(new Uint8Array(pkpass));
  const dir = fs.mkdtempSync(path.join((await import('node:os')).tmpdir(), 'keyway-doctor-'));
  try {
    fs.writeFileSync(path.join(dir, 'manifest.json'), files['manifest.json']);
    fs.writeFileSync(path.join(dir, 'signature'), files.signature);
    fs.writeFileSync(path.join(dir, 'wwdr.pem'), wwdrPem);
    // The signature and the chain up to the WWDR (Apple's root is not on this machine: partial chain).
    const args = [
      'cms',
      '-verify',
      '-binary',
      '-inform',
      'DER',
      '-in',
      'signature',
      '-content',
      'manifest.json',
      '-CAfile',
      'wwdr.pem',
      '-partial_chain',
      '-purpose',
      'any',
      '-out',
      '/dev/null',
    ];
    return await new Promise((resolve) => {
      execFile('openssl', args, { cwd: dir, timeout: TIMEOUT_MS }, (error, _stdout, stderr) => {
        if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') resolve(null);
        else resolve(error ? stderr.trim().split('\n')[0] || error.message : '');
      });
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function checkNfc(config: Config, wallet: WalletRuntime, add: Add): void {
  const key = wallet.apple?.nfcPublicKey;
  if (!key) {
    add('apple.nfc', 'ok', 'NFC (VAS) is not configured');
    return;
  }
  try {
    const parsed = createPublicKey({ key: Buffer.from(key, 'base64'), format: 'der', type: 'spki' });
    const curve = parsed.asymmetricKeyDetails?.namedCurve;
    if (parsed.asymmetricKeyType === 'ec' && curve === 'prime256v1')
      add(
        'apple.nfc',
        'ok',
        "KEYWAY_APPLE_NFC_PUBLIC_KEY is a P-256 public key (the pass type id needs Apple's NFC entitlement)",
      );
    else
      add(
        'apple.nfc',
        'fail',
        `KEYWAY_APPLE_NFC_PUBLIC_KEY is ${parsed.asymmetricKeyType} ${curve ?? ''}, not a P-256 public key`,
        'set it to the base64 SubjectPublicKeyInfo of your VAS reader key pair (P-256)',
      );
  } catch (error) {
    add(
      'apple.nfc',
      'fail',
      `KEYWAY_APPLE_NFC_PUBLIC_KEY does not parse: ${(error as Error).message}`,
      'set it to the base64 SubjectPublicKeyInfo of a P-256 public key',
    );
  }
  void config;
}

async function checkApns(config: Config, wallet: WalletRuntime, add: Add): Promise<void> {
  const url = config.raw.KEYWAY_APNS_URL ?? (wallet.apple?.source === 'configured' ? APNS_PRODUCTION_URL : undefined);
  if (!url) {
    add(
      'apns',
      'warn',
      'no APNs URL: dev certificates cannot talk to Apple, so pass updates are not pushed (development only)',
      'configure real Apple material; KEYWAY_APNS_URL only for a local peer',
    );
    return;
  }
  const problem = await http2Reachable(url, wallet.apple?.material.tls);
  if (problem)
    add(
      'apns',
      'fail',
      `${url} is not reachable: ${problem}`,
      'allow outbound HTTPS (HTTP/2, port 443) to api.push.apple.com, or correct KEYWAY_APNS_URL',
    );
  else add('apns', 'ok', `${url} answers an HTTP/2 connection`);
}

async function checkGoogle(config: Config, wallet: WalletRuntime | null, add: Add, devOnly: DevOnly): Promise<void> {
  const google = wallet?.google;
  if (!config.passes) return;
  if (!google) {
    add(
      'google',
      'warn',
      'Google Wallet is off (KEYWAY_GOOGLE_SA_FILE and KEYWAY_GOOGLE_ISSUER_ID unset)',
      'set both to offer Google Wallet',
    );
    return;
  }
  if (google.source === 'dev')
    devOnly(
      'google',
      'the dev service account and a placeholder issuer id: save links are well formed, but no phone saves them',
      'set KEYWAY_GOOGLE_SA_FILE and KEYWAY_GOOGLE_ISSUER_ID from the Google Pay & Wallet console',
    );
  else add('google', 'ok', `the service-account key parses; issuer id ${google.issuerId}`);
  const api = config.raw.KEYWAY_GOOGLE_API_URL;
  if (api) {
    const problem = await httpReachable(api);
    if (problem)
      add(
        'google.rest',
        'fail',
        `${api} is not reachable: ${problem}`,
        'allow outbound HTTPS to walletobjects.googleapis.com, or correct KEYWAY_GOOGLE_API_URL',
      );
    else add('google.rest', 'ok', `${api} answers`);
  }
}

async function checkSenders(config: Config, add: Add, devOnly: DevOnly): Promise<void> {
  const e = config.raw;
  if (config.smsProvider === 'dev')
    devOnly(
      'sms',
      'the dev SMS outbox: no text message leaves this machine',
      'set KEYWAY_SMS_PROVIDER=twilio (or webhook) and its variables',
    );
  else if (config.smsProvider === 'twilio') {
    const base = e.KEYWAY_TWILIO_BASE_URL ?? 'https://api.twilio.com';
    const auth = Buffer.from(`${e.KEYWAY_TWILIO_ACCOUNT_SID}:${e.KEYWAY_TWILIO_AUTH_TOKEN}`).toString('base64');
    try {
      const res = await fetch(
        `${base}/2010-04-01/Accounts/${encodeURIComponent(e.KEYWAY_TWILIO_ACCOUNT_SID ?? '')}.json`,
        {
          headers: { authorization: `Basic ${auth}` },
          signal: AbortSignal.timeout(TIMEOUT_MS),
        },
      );
      await res.body?.cancel();
      if (res.ok) add('sms', 'ok', 'Twilio accepts the account credentials (no message sent)');
      else if (res.status === 401 || res.status === 403 || res.status === 404)
        add(
          'sms',
          'fail',
          `Twilio refuses the account credentials (${res.status})`,
          'set KEYWAY_TWILIO_ACCOUNT_SID and KEYWAY_TWILIO_AUTH_TOKEN from the Twilio console',
        );
      else add('sms', 'fail', `Twilio answered ${res.status}`, 'check KEYWAY_TWILIO_BASE_URL and Twilio status');
    } catch (error) {
      add(
        'sms',
        'fail',
        `Twilio is not reachable: ${(error as Error).message}`,
        'allow outbound HTTPS to api.twilio.com, or correct KEYWAY_TWILIO_BASE_URL',
      );
    }
  } else {
    const problem = await tcpReachable(e.KEYWAY_SMS_WEBHOOK_URL!);
    if (problem)
      add(
        'sms',
        'fail',
        `the SMS webhook ${new URL(e.KEYWAY_SMS_WEBHOOK_URL!).host} is not reachable: ${problem}`,
        'correct KEYWAY_SMS_WEBHOOK_URL or start the service behind it',
      );
    else add('sms', 'ok', 'the SMS webhook accepts a connection (no message sent)');
    if (unsignedSmsGateway(config))
      add(
        'sms',
        'warn',
        UNSIGNED_SMS_GATEWAY,
        'set KEYWAY_SMS_WEBHOOK_SECRET=whsec_$(openssl rand -base64 32) and verify it at the gateway',
      );
  }

  if (config.emailProvider === 'dev')
    devOnly(
      'email',
      'the dev email outbox: no email leaves this machine',
      'set KEYWAY_EMAIL_PROVIDER=smtp and KEYWAY_SMTP_URL',
    );
  else if (config.emailProvider === 'none') add('email', 'ok', 'no email sender (invitations go by SMS)');
  else {
    const problem = await smtpGreets(e.KEYWAY_SMTP_URL!);
    if (problem)
      add(
        'email',
        'fail',
        `the SMTP server does not answer: ${problem}`,
        'correct KEYWAY_SMTP_URL (smtp://host:587 or smtps://host:465)',
      );
    else add('email', 'ok', 'the SMTP server greets (no message sent)');
  }
}

async function checkHid(config: Config, add: Add): Promise<void> {
  const c = config.hidOrigo;
  if (!c) return;
  const { createOrigoClient } = await import('../hid/origo-client.js');
  try {
    await createOrigoClient({ ...c, now: () => Date.now() }).accessToken(AbortSignal.timeout(TIMEOUT_MS));
    add('hid_origo', 'ok', 'HID Origo gives a token');
  } catch (error) {
    add(
      'hid_origo',
      'fail',
      `HID Origo gives no token: ${(error as Error).message}`,
      'check KEYWAY_HID_ORIGO_CLIENT_ID, …_CLIENT_SECRET and …_AUTH_URL',
    );
  }
}

async function checkPublicUrl(config: Config, add: Add, devOnly: DevOnly): Promise<void> {
  const url = config.publicUrl;
  if (url.startsWith('https://')) add('public_url', 'ok', `${url} is https`);
  else
    devOnly(
      'public_url',
      `${url} is not https: wallets refuse a webServiceURL over http`,
      'set PUBLIC_URL to the https URL people and wallets reach',
    );
  try {
    const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    const body = (await res.json().catch(() => null)) as { ok?: boolean; instance_id?: string } | null;
    // SPEC §15: PUBLIC_URL answers /healthz with this deployment's id (derived from KEYWAY_SECRET).
    const mine = config.secret ? instanceIdOf(createKeyRing(config.secret)) : undefined;
    // Mid-rotation an instance may still run on KEYWAY_SECRET_PREVIOUS; one from before this field names none.
    const ours = [mine, config.secretPrevious ? instanceIdOf(createKeyRing(config.secretPrevious)) : undefined];
    if (res.ok && body?.ok && mine && !body.instance_id)
      add(
        'public_url.healthz',
        'warn',
        `${url}/healthz answers without an instance id (a Keyway from before it, or another service): cannot tell it is this deployment`,
        'update the instances behind PUBLIC_URL',
      );
    else if (res.ok && body?.ok && mine && !ours.includes(body.instance_id))
      add(
        'public_url.healthz',
        'fail',
        `${url}/healthz answers as another Keyway (instance ${body.instance_id}, this one is ${mine})`,
        'point PUBLIC_URL (and the proxy in front) at the instances that share this KEYWAY_SECRET',
      );
    else if (res.ok && body?.ok)
      add('public_url.healthz', 'ok', `${url}/healthz answers${mine ? ` as this deployment (instance ${mine})` : ''}`);
    else
      add(
        'public_url.healthz',
        'warn',
        `${url}/healthz answered ${res.status}, not Keyway's {"ok":true}`,
        'point PUBLIC_URL (and the proxy in front) at a running Keyway',
      );
  } catch (error) {
    add(
      'public_url.healthz',
      'warn',
      `${url}/healthz does not answer (${(error as Error).message}); is the server running?`,
      'start the server, or point PUBLIC_URL at it',
    );
  }
}

function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    p,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`${what} gave no answer within ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS).unref(),
    ),
  ]);
}

function tcpReachable(url: string): Promise<string | null> {
  const u = new URL(url);
  const port = Number(u.port || (u.protocol === 'https:' || u.protocol === 'smtps:' ? 443 : 80));
  return new Promise((resolve) => {
    const socket = net.connect({ host: u.hostname, port, timeout: TIMEOUT_MS });
    socket.once('connect', () => (socket.destroy(), resolve(null)));
    socket.once('timeout', () => (socket.destroy(), resolve('timed out')));
    socket.once('error', (err) => resolve(err.message));
  });
}

async function httpReachable(url: string): Promise<string | null> {
  try {
    const res = await fetch(url, { method: 'GET', signal: AbortSignal.timeout(TIMEOUT_MS) });
    await res.body?.cancel();
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

function http2Reachable(url: string, tlsMaterial?: { cert: string; key: string }): Promise<string | null> {
  return new Promise((resolve) => {
    const session = http2.connect(
      url,
      url.startsWith('https:') && tlsMaterial ? { cert: tlsMaterial.cert, key: tlsMaterial.key } : {},
    );
    const timer = setTimeout(() => (session.destroy(), resolve('timed out')), TIMEOUT_MS);
    session.once('connect', () => (clearTimeout(timer), session.close(), resolve(null)));
    session.once('error', (err) => (clearTimeout(timer), resolve(err.message)));
  });
}

function smtpGreets(url: string): Promise<string | null> {
  const u = new URL(url);
  const secure = u.protocol === 'smtps:';
  const port = Number(u.port || (secure ? 465 : 587));
  return new Promise((resolve) => {
    const socket = secure
      ? tls.connect({ host: u.hostname, port, servername: u.hostname, timeout: TIMEOUT_MS })
      : net.connect({ host: u.hostname, port, timeout: TIMEOUT_MS });
    let greeting = '';
    socket.on('data', (d) => {
      greeting += d;
      if (greeting.includes('\n')) {
        socket.end('QUIT\r\n');
        resolve(greeting.startsWith('220') ? null : `it said "${greeting.trim().slice(0, 80)}"`);
      }
    });
    socket.once('timeout', () => (socket.destroy(), resolve('no greeting within 5 s')));
    socket.once('error', (err) => resolve(err.message));
  });
}
