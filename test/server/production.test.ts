// Production mode refuses to run broken (docs/security.md "production refuses to start"): each refusal is
// checked on the real `keyway serve` process, and names the variable to fix.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { devChain } from '../fixtures/wallet/dev-chain.js';
import { productionWalletFiles } from '../helpers/google.js';
import { TEST_SECRET } from '../helpers/harness.js';
import { ROOT, startServerProcess } from '../helpers/process.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-prod-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Everything production needs, with passes off; each case below breaks exactly one thing. */
const READY: Record<string, string> = {
  KEYWAY_DATA_DIR: dir,
  DATABASE_URL: `sqlite:${path.join(dir, 'k.db')}`,
  KEYWAY_SECRET: TEST_SECRET,
  PUBLIC_URL: 'https://keys.example.com',
  KEYWAY_SMS_PROVIDER: 'webhook',
  KEYWAY_SMS_WEBHOOK_URL: 'https://sms.example.com/hook',
  KEYWAY_SMS_WEBHOOK_SECRET: `whsec_${Buffer.alloc(32, 9).toString('base64')}`,
  KEYWAY_PASSES: 'off',
};

/** Runs `keyway serve` until it exits (a refusal) or 20 s pass (it started: a failure here). */
function serveUntilExit(env: Record<string, string | undefined>): Promise<{ code: number | null; output: string }> {
  const merged: Record<string, string> = { ...(process.env as Record<string, string>), PORT: '0' };
  delete merged.KEYWAY_ENV; // serve's own default: production
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete merged[k];
    else merged[k] = v;
  }
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', 'serve'], {
      cwd: ROOT,
      env: merged,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('keyway serve refuses to start in production', () => {
  const chain = devChain();
  const prod = productionWalletFiles(fs.mkdtempSync(path.join(dir, 'wallet-'))); // not the dev chain: production loads it
  const cases: [string, Record<string, string | undefined>, string][] = [
    ['without KEYWAY_SECRET', { KEYWAY_SECRET: undefined }, 'KEYWAY_SECRET'],
    ['without PUBLIC_URL', { PUBLIC_URL: undefined }, 'PUBLIC_URL'],
    ['with a PUBLIC_URL that is not https', { PUBLIC_URL: 'http://keys.example.com' }, 'PUBLIC_URL'],
    [
      'without a real SMS sender',
      { KEYWAY_SMS_PROVIDER: undefined, KEYWAY_SMS_WEBHOOK_URL: undefined },
      'KEYWAY_SMS_PROVIDER',
    ],
    [
      'with KEYWAY_DELIVER_DEFAULT=email and no real email sender',
      { KEYWAY_DELIVER_DEFAULT: 'email' },
      'KEYWAY_EMAIL_PROVIDER',
    ],
    ['with passes on and no signing material', { KEYWAY_PASSES: 'on' }, 'KEYWAY_APPLE_CERT'],
    [
      'with signing material from `keyway certs dev`',
      {
        KEYWAY_PASSES: 'on',
        KEYWAY_APPLE_CERT: chain.paths.cert,
        KEYWAY_APPLE_KEY: chain.paths.key,
        KEYWAY_APPLE_WWDR: chain.paths.wwdr,
      },
      'KEYWAY_APPLE_WWDR',
    ],
    [
      // docs/lifecycle.md: no callback keys (`off`) and no REST API to poll — every Google pass would stay pending.
      'with Google passes on and no way to confirm saves',
      {
        KEYWAY_PASSES: 'on',
        KEYWAY_APPLE_CERT: chain.paths.cert,
        KEYWAY_APPLE_KEY: chain.paths.key,
        KEYWAY_APPLE_WWDR: chain.paths.wwdr,
        KEYWAY_GOOGLE_SA_FILE: chain.paths.googleServiceAccount,
        KEYWAY_GOOGLE_ISSUER_ID: '3388000000012345678',
        KEYWAY_GOOGLE_CALLBACK_KEYS: 'off',
      },
      'KEYWAY_GOOGLE_CALLBACK_KEYS',
    ],
    [
      'with a Google callback keys file that cannot be read',
      {
        KEYWAY_PASSES: 'on',
        KEYWAY_APPLE_CERT: prod.paths.cert,
        KEYWAY_APPLE_KEY: prod.paths.key,
        KEYWAY_APPLE_WWDR: prod.paths.wwdr,
        KEYWAY_GOOGLE_SA_FILE: prod.paths.googleServiceAccount,
        KEYWAY_GOOGLE_ISSUER_ID: '3388000000012345678',
        KEYWAY_GOOGLE_CALLBACK_KEYS: path.join(dir, 'no-such-keys.json'),
      },
      'KEYWAY_GOOGLE_CALLBACK_KEYS',
    ],
    [
      'with Google callback keys at a plain-http URL',
      { KEYWAY_GOOGLE_CALLBACK_KEYS: 'http://keys.example.com/keys' },
      'KEYWAY_GOOGLE_CALLBACK_KEYS',
    ],
  ];
  for (const [name, change, variable] of cases) {
    test(name, async () => {
      const { code, output } = await serveUntilExit({ ...READY, ...change });
      assert.equal(code, 1, `it must exit 1, not start:\n${output}`);
      assert.match(output, new RegExp(`Configuration error — ${variable}\\b`), output);
      assert.doesNotMatch(output, /listening on/);
    });
  }

  // SPEC §7 lists what production refuses to start without, and an SMS gateway's signing secret is not
  // among them (§10 does not name the variable): without it Keyway starts, says loudly that the
  // gateway's requests are unsigned, and the doctor warns (review round two, point 12, made a warning).
  test('with the webhook SMS gateway and no signing secret it starts and warns that its requests are unsigned', async () => {
    const { KEYWAY_SMS_WEBHOOK_SECRET: _signed, ...unsigned } = READY;
    const server = await startServerProcess(
      { ...unsigned, KEYWAY_DATA_DIR: fs.mkdtempSync(path.join(dir, 'unsigned-')) },
      'serve',
    );
    try {
      assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
      assert.match(server.output(), /KEYWAY_SMS_WEBHOOK_SECRET is not set: requests to the SMS gateway are unsigned/);
    } finally {
      await server.stop();
    }
  });

  test('with everything it needs it starts, and deliver:"email" without an email sender is 422 email_not_configured', async () => {
    const server = await startServerProcess(
      { ...READY, KEYWAY_DATA_DIR: fs.mkdtempSync(path.join(dir, 'ok-')) },
      'serve',
    );
    try {
      const { runCli } = await import('../helpers/process.js');
      const created = await runCli(['keys', 'create', '--scope', 'account.person'], {
        ...READY,
        KEYWAY_ENV: 'production',
      });
      assert.equal(created.code, 0, created.stderr);
      const sk = created.stdout.trim();
      const call = async (p: string, body: unknown) => {
        const res = await fetch(server.url + p, {
          method: 'POST',
          headers: { authorization: `Bearer ${sk}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        return { status: res.status, body: (await res.json()) as any };
      };
      const person = await call('/api/3/people', { first_name: 'Ada', last_name: 'Prod', email: 'ada@example.com' });
      assert.equal(person.status, 201);
      const cred = await call(`/api/3/people/${person.body.person.id}/credentials`, {
        credential_type_id: 9,
        deliver: 'email',
      });
      assert.equal(cred.status, 422, JSON.stringify(cred.body));
      assert.equal(cred.body.error.code, 'email_not_configured');
      const none = await call(`/api/3/people/${person.body.person.id}/credentials`, {
        credential_type_id: 9,
        deliver: 'none',
      });
      assert.equal(none.status, 201, 'without email the code is handed to the caller as before');
    } finally {
      await server.stop();
    }
  });
});
