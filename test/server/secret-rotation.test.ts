// Secret rotation (issue 13 point 3, docs/security.md): `keyway secrets rotate` re-keys every row, so removing
// KEYWAY_SECRET_PREVIOUS afterwards loses nothing; and a row made under a key the server no longer
// has fails visibly instead of leaving work stuck.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { unzipSync } from 'fflate';
import { sql } from 'kysely';
import { Webhook } from 'standardwebhooks';
import { createApp, type KeywayApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { createKeyRing } from '../../server/crypto/secrets.js';
import { deliverDueMessages } from '../../server/domain/housekeeping/background.js';
import { ROTATED_COLUMNS, rotateSecrets } from '../../server/domain/housekeeping/secret-rotation.js';
import { deliverWalletPushes } from '../../server/domain/wallets/pushes.js';
import { openStore, type Store } from '../../server/storage/db.js';
import { loadWalletRuntime } from '../../server/wallet/runtime.js';
import { dispatchWebhooks } from '../../server/webhooks/dispatcher.js';
import { devChain } from '../fixtures/wallet/dev-chain.js';
import {
  createHarness,
  type Harness,
  issueWalletPass,
  PARTNER_ORIGIN,
  TEST_SECRET,
  TestClock,
} from '../helpers/harness.js';
import { fetchPass, redeemedCredential, requestApplePass } from '../helpers/passes.js';
import { type ApnsPeer, type Receiver, startApnsPeer, startReceiver } from '../helpers/peers.js';
import { skipWithoutPostgres } from '../helpers/pg.js';
import { ROOT } from '../helpers/process.js';
import { freshPhone } from '../helpers/sms.js';

const SECRET_A = TEST_SECRET; // what the harness writes under
const SECRET_B = Buffer.alloc(32, 9).toString('base64');
const WS = '/wallet/apple/v1';

/** `npx keyway secrets rotate` as its own process (spawn, not execSync: the test process serves peers). */
function rotateCommand(
  databaseUrl: string,
  env: Record<string, string | undefined> = {},
  args: string[] = [],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-rotate-'));
  const childEnv: Record<string, string | undefined> = {
    ...process.env,
    KEYWAY_ENV: 'development',
    KEYWAY_DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    KEYWAY_SECRET: SECRET_B,
    KEYWAY_SECRET_PREVIOUS: SECRET_A,
    ...env,
  };
  for (const [k, v] of Object.entries(childEnv)) if (v === undefined) delete childEnv[k]; // undefined: unset
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', 'secrets', 'rotate', ...args], {
      cwd: ROOT,
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => {
      fs.rmSync(dataDir, { recursive: true, force: true });
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

interface Instance {
  keyway: KeywayApp;
  store: Store;
  request(
    method: string,
    path: string,
    opts?: { token?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<{ status: number; headers: Headers; body: any; text: string }>;
  close(): Promise<void>;
}

/** Another server process over the harness's database, as after a restart with these secrets. */
function startInstance(
  h: Harness,
  secret: string,
  previous: string | undefined,
  env: Record<string, string> = {},
): Instance {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-instance-'));
  const config = loadConfig(
    {
      KEYWAY_ENV: 'development',
      KEYWAY_DATA_DIR: dir,
      DATABASE_URL: h.databaseUrl,
      KEYWAY_SECRET: secret,
      ...(previous ? { KEYWAY_SECRET_PREVIOUS: previous } : {}),
      KEYWAY_TRUST_PROXY: '1',
      PUBLIC_URL: 'http://127.0.0.1:8787',
      ...env,
    },
    'development',
  );
  const store = openStore(config.databaseUrl);
  const wallet = loadWalletRuntime(config, { certsDir: devChain().dir });
  const keyway = createApp({
    config,
    store,
    secret,
    secretPrevious: previous,
    clock: h.clock,
    wallet,
    log: () => undefined,
  });
  let ip = 0;
  return {
    keyway,
    store,
    async request(method, p, o = {}) {
      const headers: Record<string, string> = { 'x-forwarded-for': `10.9.0.${(ip++ % 250) + 1}`, ...o.headers };
      if (o.token) headers.authorization = `Bearer ${o.token}`;
      if (o.body !== undefined) headers['content-type'] = 'application/json';
      const res = await keyway.app.request(p, {
        method,
        headers,
        body: o.body === undefined ? undefined : JSON.stringify(o.body),
      });
      const text = await res.text();
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = undefined;
      }
      return { status: res.status, headers: res.headers, body, text };
    },
    async close() {
      await keyway.stop();
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Every ciphertext of every rotated column decrypts under `secret` alone. */
async function assertAllUnder(store: Store, secret: string): Promise<number> {
  const keys = createKeyRing(secret);
  let rows = 0;
  for (const spec of ROTATED_COLUMNS) {
    const all = (await (store.db as any).selectFrom(spec.table).selectAll().execute()) as Record<
      string,
      string | null
    >[];
    for (const row of all) {
      const enc = row[spec.column];
      if (!enc) continue;
      assert.ok(enc.startsWith(`${keys.kid}.`), `${spec.table}.${spec.column} is under the new key`);
      assert.doesNotThrow(
        () => keys.decrypt(enc, spec.aad(row)),
        `${spec.table}.${spec.column} decrypts under the new secret alone`,
      );
      rows++;
    }
  }
  return rows;
}

const headersOf = (r: { headers: Record<string, unknown> }) =>
  Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, String(v)]));

function rotationSuite(backend: 'sqlite' | 'postgres', skip: () => Promise<string | false>) {
  describe(`keyway secrets rotate, then KEYWAY_SECRET_PREVIOUS removed (${backend})`, async () => {
    const reason = await skip();
    if (reason) {
      test(`${backend} suite`, { skip: reason }, () => undefined);
      return;
    }
    let h: Harness;
    let rx: Receiver;
    let apns: ApnsPeer;
    before(async () => {
      rx = await startReceiver();
      apns = await startApnsPeer();
      // Real time, so standardwebhooks' 5-minute timestamp tolerance holds.
      h = await createHarness({ backend, clock: new TestClock(Date.now()), env: { KEYWAY_APNS_URL: apns.url } });
    });
    after(async () => {
      await h.close();
      await rx.close();
      await apns.close();
    });

    test('codes still redeem, reader values verify, webhook secrets sign, passes render, queued work goes out', async () => {
      // Under secret A: everything the rotation must carry over.
      const hook = await h.request('POST', '/api/3/webhooks', {
        token: h.sk,
        body: { webhook: { url: rx.url, events: ['credential.created'] } },
      });
      assert.equal(hook.status, 201, hook.text);
      const webhookSecret = hook.body.webhook.secret as string;
      const rotatedHook = await h.request('POST', '/api/3/webhooks', {
        token: h.sk,
        body: { webhook: { url: `${rx.url}/rotated`, events: ['credential.created'] } },
      });
      const rotated = await h.request('POST', `/api/3/webhooks/${rotatedHook.body.webhook.id}/rotate_secret`, {
        token: h.sk,
      });
      assert.equal(rotated.status, 200, rotated.text); // previous_secret_enc is set too
      const rotatedSecret = rotated.body.webhook.secret as string;
      const invited = await issueWalletPass(h);
      const pinPerson = await h.request('POST', '/api/3/people', {
        token: h.sk,
        body: { person: { first_name: 'Pin', last_name: 'Holder' } },
      });
      const pin = await h.request('POST', `/api/3/people/${pinPerson.body.person.id}/credentials`, {
        token: h.sk,
        body: { person_credential: { credential_type_id: 6, value: '48219375' } },
      });
      assert.equal(pin.status, 201, pin.text);
      const holder = await redeemedCredential(h);
      const ptid = h.keyway.ctx.wallet!.apple!.material.passTypeId;
      const phones = [];
      for (const pushToken of ['push-token-kept-0001', 'push-token-gone-0002']) {
        const req = await requestApplePass(h, holder.ps);
        const pass = await fetchPass(h, req.url);
        const phone = {
          serial: pass.passJson.serialNumber as string,
          authToken: pass.passJson.authenticationToken as string,
          value: pass.passJson.barcodes[0].message as string,
          pushToken,
        };
        const reg = await h.keyway.app.request(
          `${WS}/devices/${'d'.repeat(31)}${phones.length}/registrations/${ptid}/${phone.serial}`,
          {
            method: 'POST',
            headers: { authorization: `ApplePass ${phone.authToken}`, 'content-type': 'application/json' },
            body: JSON.stringify({ pushToken }),
          },
        );
        assert.equal(reg.status, 201, await reg.text());
        phones.push(phone);
      }
      const suspend = await h.request('PUT', `/api/3/people/${holder.personId}/credentials/${holder.credentialId}`, {
        token: h.sk,
        body: { enabled: false },
      });
      assert.equal(suspend.status, 200, suspend.text); // queues one APNs push per registration, not sent yet
      const phone = freshPhone();
      await issueWalletPass(h, { phone });
      const verification = await h.request('POST', '/api/3/verifications', {
        token: h.pk,
        body: { phone_number: phone },
        headers: { origin: PARTNER_ORIGIN },
      });
      assert.equal(verification.status, 202, verification.text); // its SMS is queued, not sent yet
      const kidA = createKeyRing(SECRET_A).kid;
      const underA = await h.store.db
        .selectFrom('message_queue')
        .select('payload_enc')
        .where('delivered_at', 'is', null)
        .execute();
      assert.ok(
        underA.length > 0 && underA.every((m) => m.payload_enc.startsWith(`${kidA}.`)),
        'queued messages are under secret A',
      );

      // Step 1: every instance restarted with KEYWAY_SECRET=B, KEYWAY_SECRET_PREVIOUS=A. Step 2: the command.
      const run = await rotateCommand(h.databaseUrl);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      for (const column of [
        'credentials.value_enc',
        'invitations.code_enc',
        'devices.auth_token_enc',
        'devices.value_enc',
        'verifications.phone_enc',
        'message_queue.payload_enc',
        'webhooks.secret_enc',
        'webhooks.previous_secret_enc',
        'apple_registrations.push_token_enc',
        'wallet_pushes.target_enc',
      ]) {
        assert.match(
          run.stdout,
          new RegExp(`^${column.replace('.', '\\.')}: [1-9]\\d* re-encrypted$`, 'm'),
          `${column} progress:\n${run.stdout}`,
        );
      }
      assert.match(run.stdout, /^0 rows still use KEYWAY_SECRET_PREVIOUS$/m);
      const again = await rotateCommand(h.databaseUrl);
      assert.equal(again.code, 0, again.stdout + again.stderr);
      assert.doesNotMatch(again.stdout, /: [1-9]\d* re-encrypted/, 'a re-run has nothing to do');
      assert.match(again.stdout, /^0 rows still use KEYWAY_SECRET_PREVIOUS$/m);
      assert.ok((await assertAllUnder(h.store, SECRET_B)) >= 12);

      // Step 3: KEYWAY_SECRET_PREVIOUS removed.
      const b = startInstance(h, SECRET_B, undefined, { KEYWAY_APNS_URL: apns.url });
      try {
        const redeem = await b.request('POST', '/api/3/invitations/redeem', {
          token: h.pk,
          body: { invitation_code: invited.code },
        });
        assert.equal(redeem.status, 200, `the old code redeems: ${redeem.text}`);
        const pinCheck = await b.request('POST', '/api/3/access/verify', { token: h.sk, body: { value: '48219375' } });
        assert.equal(pinCheck.body?.allowed, true, `the old PIN verifies: ${pinCheck.text}`);
        const devicePhone = phones[0];
        const latest = await b.keyway.app.request(`${WS}/passes/${ptid}/${devicePhone.serial}`, {
          headers: { authorization: `ApplePass ${devicePhone.authToken}` },
        });
        assert.equal(latest.status, 200, 'the PassKit latest-pass answers');
        const passJson = JSON.parse(
          Buffer.from(unzipSync(Buffer.from(await latest.arrayBuffer()))['pass.json']).toString('utf8'),
        );
        assert.equal(passJson.authenticationToken, devicePhone.authToken, 'the pass renders with its own token');
        assert.equal(passJson.barcodes[0].message, devicePhone.value, 'and its own reader value');

        // The pushes queued under A go out: one to the kept token, and the gone one drops its registration.
        apns.statusFor.set('push-token-gone-0002', 410);
        await deliverWalletPushes(b.keyway.ctx);
        assert.deepEqual(apns.pushes.map((p) => p.token).sort(), ['push-token-gone-0002', 'push-token-kept-0001']);
        const regs = await b.store.db.selectFrom('apple_registrations').select('serial_number').execute();
        assert.deepEqual(
          regs.map((r) => r.serial_number),
          [devicePhone.serial],
          'APNs 410 removed the registration of the re-encrypted token',
        );
        const resume = await b.request('PUT', `/api/3/people/${holder.personId}/credentials/${holder.credentialId}`, {
          token: h.sk,
          body: { enabled: true },
        });
        assert.equal(resume.status, 200, resume.text);
        const valueCheck = await b.request('POST', '/api/3/access/verify', {
          token: h.sk,
          body: { value: devicePhone.value },
        });
        assert.equal(valueCheck.body?.allowed, true, `the old per-device reader value verifies: ${valueCheck.text}`);

        assert.ok((await deliverDueMessages(b.keyway.ctx)) >= 1, 'the queued SMS goes out');
        const sms = await b.store.db.selectFrom('messages').select('body').where('recipient', '=', phone).execute();
        assert.equal(sms.length, 1);
        // The code in it was hashed under A (not re-keyable, lives 10 minutes); a resend reaches the same number.
        h.clock.advance(61);
        const resend = await b.request('POST', `/api/3/verifications/${verification.body.verification_id}/resend`, {
          token: h.pk,
          headers: { origin: PARTNER_ORIGIN },
        });
        assert.equal(resend.status, 202, `the pending verification still knows its phone number: ${resend.text}`);
        await deliverDueMessages(b.keyway.ctx);
        const [newest] = await b.store.db
          .selectFrom('messages')
          .select('body')
          .where('recipient', '=', phone)
          .orderBy('id', 'desc')
          .execute();
        const code = /#(\d{6})$/.exec(newest.body)?.[1];
        assert.ok(code, 'the resent SMS carries a code');
        const checked = await b.request('POST', `/api/3/verifications/${verification.body.verification_id}/check`, {
          token: h.pk,
          body: { code },
          headers: { origin: PARTNER_ORIGIN },
        });
        assert.equal(checked.status, 200, checked.text);

        rx.received.length = 0;
        const person = await b.request('POST', '/api/3/people', {
          token: h.sk,
          body: { person: { first_name: 'After', last_name: 'Rotation' } },
        });
        await b.request('POST', `/api/3/people/${person.body.person.id}/credentials`, {
          token: h.sk,
          body: { person_credential: { credential_type_id: 6, value: '77123456' } },
        });
        await dispatchWebhooks(b.keyway.ctx);
        assert.ok(rx.received.length >= 2, 'webhook deliveries went out');
        const verifies = (secret: string, r: (typeof rx.received)[number]) => {
          try {
            new Webhook(secret).verify(r.body, headersOf(r));
            return true;
          } catch {
            return false;
          }
        };
        const bySecret = rx.received.map((r) =>
          verifies(webhookSecret, r) ? 'first' : verifies(rotatedSecret, r) ? 'rotated' : 'unsigned',
        );
        assert.ok(!bySecret.includes('unsigned'), `every delivery verifies with its endpoint's secret: ${bySecret}`);
        assert.ok(bySecret.includes('first') && bySecret.includes('rotated'), 'both endpoints are delivered to');
      } finally {
        await b.close();
      }
    });
  });
}

rotationSuite('sqlite', async () => false);
rotationSuite('postgres', skipWithoutPostgres);

function besideServerSuite(backend: 'sqlite' | 'postgres', skip: () => Promise<string | false>) {
  describe(`rotation beside a running server (${backend})`, async () => {
    const reason = await skip();
    if (reason) {
      test(`${backend} suite`, { skip: reason }, () => undefined);
      return;
    }
    let h: Harness;
    before(async () => {
      h = await createHarness({
        backend,
        clock: new TestClock(Date.now()),
        env: { KEYWAY_LIMIT_REDEEM_PER_IP_MIN: '100000' },
      });
    });
    after(() => h.close());

    test('a write by the server between the read and the write of a batch wins: compare-and-set, nothing lost', async () => {
      const created = new Map<string, string>();
      for (let i = 0; i < 3; i++) {
        const r = await h.request('POST', '/api/3/webhooks', {
          token: h.sk,
          body: { webhook: { url: `https://hooks${i}.example/k`, events: ['credential.created'] } },
        });
        assert.equal(r.status, 201, r.text);
        created.set(r.body.webhook.id, r.body.webhook.secret);
      }
      // A Keyway HID code (own HMAC label) lives in the same table: its hash is recomputed under its label.
      const { credentialId } = await issueWalletPass(h);
      const keysA = h.keyway.ctx.keys;
      await h.store.db
        .insertInto('invitations')
        .values({
          id: 'inv_hidcode',
          credential_id: credentialId,
          code_hash: keysA.lookupHash('hid-invite', 'HID-CODE-7Q'),
          code_enc: keysA.encrypt('hid-code-7q', credentialId),
          expires_at: '2099-01-01T00:00:00.000Z',
          created_at: '2026-01-01T00:00:00.000Z',
          redeemed_at: null,
          superseded_at: null,
          emailed_at: null,
        })
        .execute();

      const ba = startInstance(h, SECRET_B, SECRET_A);
      try {
        let serverSecret = '';
        let racedId = '';
        const report = await rotateSecrets(ba.keyway.ctx, {
          batchSize: 2,
          beforeWrite: async (spec, rows) => {
            if (spec.table !== 'webhooks' || spec.column !== 'secret_enc' || serverSecret) return;
            // The running server rotates the endpoint's secret while the command holds the old ciphertext.
            racedId = String(rows[0].id);
            const r = await ba.request('POST', `/api/3/webhooks/${racedId}/rotate_secret`, { token: h.sk });
            assert.equal(r.status, 200, r.text);
            serverSecret = r.body.webhook.secret;
          },
        });
        const secrets = report.columns.find((c) => c.table === 'webhooks' && c.column === 'secret_enc')!;
        assert.equal(secrets.raced, 1, 'the raced row was not overwritten');
        assert.equal(secrets.rotated, created.size - 1);
        const raced = await h.store.db
          .selectFrom('webhooks')
          .selectAll()
          .where('id', '=', racedId)
          .executeTakeFirstOrThrow();
        const keysB = createKeyRing(SECRET_B);
        assert.equal(
          keysB.decrypt(raced.secret_enc, `webhook:${raced.id}`),
          serverSecret,
          "the server's new secret is what is stored",
        );
        // The server kept the replaced secret as it was (under A); its column comes later and re-keys it.
        assert.equal(
          keysB.decrypt(raced.previous_secret_enc!, `webhook:${raced.id}`),
          created.get(racedId),
          'the replaced secret still signs during its overlap',
        );
        assert.equal(report.stillPrevious, 0);
        const again = await rotateSecrets(ba.keyway.ctx);
        assert.equal(
          again.columns.reduce((n, c) => n + c.rotated + c.raced + c.failed, 0),
          0,
          'a re-run has nothing left to do',
        );
        const hid = await h.store.db
          .selectFrom('invitations')
          .selectAll()
          .where('id', '=', 'inv_hidcode')
          .executeTakeFirstOrThrow();
        assert.equal(hid.code_hash, keysB.lookupHash('hid-invite', 'HID-CODE-7Q'));
        assert.equal(keysB.decrypt(hid.code_enc, credentialId), 'hid-code-7q');
      } finally {
        await ba.close();
      }
    });

    test('the command runs while the server keeps writing: every row ends under the new key and every value still works', async (t) => {
      const ba = startInstance(h, SECRET_B, SECRET_A);
      const pins: string[] = [];
      try {
        for (let i = 0; i < 40; i++) {
          const p = await h.request('POST', '/api/3/people', {
            token: h.sk,
            body: { person: { first_name: 'Old', last_name: `Pin${i}` } },
          });
          const pin = `5${String(i).padStart(7, '0')}`;
          await h.request('POST', `/api/3/people/${p.body.person.id}/credentials`, {
            token: h.sk,
            body: { person_credential: { credential_type_id: 6, value: pin } },
          });
          pins.push(pin);
        }
        const hook = await h.request('POST', '/api/3/webhooks', {
          token: h.sk,
          body: { webhook: { url: 'https://busy.example/k', events: ['credential.created'] } },
        });
        let running = true;
        let latestSecret = hook.body.webhook.secret as string;
        let writes = 0;
        const server = (async () => {
          for (let i = 0; running; i++) {
            const p = await ba.request('POST', '/api/3/people', {
              token: h.sk,
              body: { person: { first_name: 'New', last_name: `Pin${i}` } },
            });
            const pin = `6${String(i).padStart(7, '0')}`;
            const c = await ba.request('POST', `/api/3/people/${p.body.person.id}/credentials`, {
              token: h.sk,
              body: { person_credential: { credential_type_id: 6, value: pin } },
            });
            assert.equal(c.status, 201, c.text);
            pins.push(pin);
            const r = await ba.request('POST', `/api/3/webhooks/${hook.body.webhook.id}/rotate_secret`, {
              token: h.sk,
            });
            assert.equal(r.status, 200, r.text);
            latestSecret = r.body.webhook.secret;
            writes++;
            // SQLite answers synchronously: let the event loop see the child's output and exit.
            await new Promise((resolve) => setTimeout(resolve, 5));
          }
        })();
        const run = await rotateCommand(h.databaseUrl, {}, ['--batch', '5']);
        running = false;
        await server;
        assert.ok(writes > 0, 'the server wrote during the run');
        t.diagnostic(
          `${writes} server writes during the run; ${
            run.stdout
              .split('\n')
              .filter((l) => /already rewritten/.test(l))
              .join('; ') || 'no row raced'
          }`,
        );
        // The server's rotate_secret keeps the secret it replaced as previous_secret_enc: written under B now.
        const finish = await rotateCommand(h.databaseUrl);
        assert.equal(finish.code, 0, `${run.stdout}\n${finish.stdout}${finish.stderr}`);
        assert.match(finish.stdout, /^0 rows still use KEYWAY_SECRET_PREVIOUS$/m);
        await assertAllUnder(h.store, SECRET_B);
        const b = startInstance(h, SECRET_B, undefined);
        try {
          for (const pin of pins)
            assert.equal(
              (await b.request('POST', '/api/3/access/verify', { token: h.sk, body: { value: pin } })).body?.allowed,
              true,
              `PIN ${pin} verifies`,
            );
          const row = await b.store.db
            .selectFrom('webhooks')
            .select(['id', 'secret_enc'])
            .where('id', '=', hook.body.webhook.id)
            .executeTakeFirstOrThrow();
          assert.equal(
            b.keyway.ctx.keys.decrypt(row.secret_enc, `webhook:${row.id}`),
            latestSecret,
            "the server's last secret is the one kept",
          );
        } finally {
          await b.close();
        }
      } finally {
        await ba.close();
      }
    });
  });
}

besideServerSuite('sqlite', async () => false);
besideServerSuite('postgres', skipWithoutPostgres);

describe('keyway secrets rotate refuses and reports', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness();
  });
  after(() => h.close());

  test('without KEYWAY_SECRET_PREVIOUS it says so and exits 1', async () => {
    const r = await rotateCommand(h.databaseUrl, { KEYWAY_SECRET_PREVIOUS: undefined });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /KEYWAY_SECRET_PREVIOUS is not set/);
  });

  test('a row neither secret decrypts is counted, the others are rotated, exit 1', async () => {
    const { credentialId } = await issueWalletPass(h);
    await issueWalletPass(h);
    await h.store.db
      .updateTable('invitations')
      .set({ code_enc: 'deadbeef.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' })
      .where('credential_id', '=', credentialId)
      .execute();
    const r = await rotateCommand(h.databaseUrl);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^invitations\.code_enc: 1 re-encrypted \(1 COULD NOT BE DECRYPTED by either secret\)$/m);
    assert.match(r.stdout, /^1 rows are under a key that is neither/m);
    assert.match(r.stdout, /^0 rows still use KEYWAY_SECRET_PREVIOUS$/m);
    assert.match(r.stderr, /1 rows could not be re-encrypted/);
  });

  test('every encrypted column and every HMAC column of the schema is re-keyed, or listed here with the reason it need not be', async () => {
    const tables = await h.store.db
      .selectFrom('sqlite_master' as any)
      .select('name' as any)
      .where('type' as any, '=', 'table')
      .execute();
    const found: string[] = [];
    for (const { name } of tables as { name: string }[]) {
      const columns = (await sql<{ name: string }>`select name from pragma_table_info(${name})`.execute(h.store.db))
        .rows;
      for (const c of columns) if (/_(enc|hash)$/.test(c.name)) found.push(`${name}.${c.name}`);
    }
    const rotated = ROTATED_COLUMNS.flatMap((c) => [
      `${c.table}.${c.column}`,
      ...(c.hash ? [`${c.table}.${c.hash.column}`] : []),
    ]);
    const notRekeyed = [
      'idempotency.body_enc', // its record key is a MAC of the request, whose values are not stored: expires in 24 h
      'verifications.code_hash', // the SMS code is not stored: lives 10 minutes, checked under both secrets meanwhile
      'api_keys.key_hash', // SHA-256 of the key: no secret in it
      'devices.auth_token_hash', // SHA-256 of the PassKit token (HID devices: random): no secret in it
      'tokens.token_hash', // SHA-256
      'verifications.link_hash', // SHA-256
      'idempotency.request_hash', // SHA-256 of the body
      'staff_tokens.token_hash', // SHA-256 of a console link or challenge: no secret in it
      'events.prev_hash', // the audit chain's SHA-256 link; checkpoints carry the kid of the key that signed them
    ];
    assert.deepEqual(found.sort(), [...new Set([...rotated, ...notRekeyed])].sort());
  });

  test('--help names the command and its steps', async () => {
    const r = await rotateCommand(h.databaseUrl, {}, ['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Usage: npx keyway secrets rotate/);
  });
});

describe('idempotency keys during a rotation', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness();
  });
  after(() => h.close());

  test('a retry after KEYWAY_SECRET changed replays the answer given under the previous secret', async () => {
    const body = { person: { first_name: 'Idem', last_name: 'Potent' } };
    const first = await h.request('POST', '/api/3/people', {
      token: h.sk,
      body,
      headers: { 'idempotency-key': 'rotation-retry-1' },
    });
    assert.equal(first.status, 201, first.text);
    const ba = startInstance(h, SECRET_B, SECRET_A);
    try {
      const retry = await ba.request('POST', '/api/3/people', {
        token: h.sk,
        body,
        headers: { 'idempotency-key': 'rotation-retry-1' },
      });
      assert.equal(retry.headers.get('idempotent-replayed'), 'true', `replayed, not run twice: ${retry.status}`);
      assert.equal(retry.body.person.id, first.body.person.id);
      const fresh = await ba.request('POST', '/api/3/people', {
        token: h.sk,
        body,
        headers: { 'idempotency-key': 'rotation-retry-2' },
      });
      assert.equal(fresh.status, 201);
      const again = await ba.request('POST', '/api/3/people', {
        token: h.sk,
        body,
        headers: { 'idempotency-key': 'rotation-retry-2' },
      });
      assert.equal(
        again.headers.get('idempotent-replayed'),
        'true',
        'new records are made and found under the new secret',
      );
    } finally {
      await ba.close();
    }
  });
});

describe('a webhook secret under an unknown key', () => {
  let h: Harness;
  let rx: Receiver;
  before(async () => {
    rx = await startReceiver();
    h = await createHarness({ clock: new TestClock(Date.now()) });
  });
  after(async () => {
    await h.close();
    await rx.close();
  });

  test('records a failed attempt naming the cause instead of throwing before the send', async () => {
    const r = await h.request('POST', '/api/3/webhooks', {
      token: h.sk,
      body: { webhook: { url: rx.url, events: ['credential.created'] } },
    });
    assert.equal(r.status, 201, r.text);
    // As if KEYWAY_SECRET_PREVIOUS had been removed before this row was re-encrypted.
    await h.store.db
      .updateTable('webhooks')
      .set({ secret_enc: 'deadbeef.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' })
      .where('id', '=', r.body.webhook.id)
      .execute();
    const person = await h.request('POST', '/api/3/people', {
      token: h.sk,
      body: { person: { first_name: 'Rot', last_name: 'Ate' } },
    });
    await h.request('POST', `/api/3/people/${person.body.person.id}/credentials`, {
      token: h.sk,
      body: { person_credential: { credential_type_id: 6, value: '482193' } },
    });
    assert.equal(await dispatchWebhooks(h.keyway.ctx), 0);
    assert.equal(rx.received.length, 0, 'nothing unsigned is sent');
    const rows = await h.store.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('webhook_id', '=', r.body.webhook.id)
      .execute();
    assert.equal(rows.length, 1);
    assert.equal(rows[0].attempts, 1, 'the attempt is recorded');
    assert.equal(rows[0].claimed_until, null, 'and the claim released');
    assert.match(rows[0].last_error ?? '', /KEYWAY_SECRET_PREVIOUS/);
  });
});

describe('a pass whose authentication token is under an unknown key', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness();
  });
  after(() => h.close());

  test('the PassKit latest-pass endpoint answers 401, not 500', async () => {
    const { ps } = await redeemedCredential(h);
    const req = await requestApplePass(h, ps);
    const pass = await fetchPass(h, req.url);
    const ptid = pass.passJson.passTypeIdentifier as string;
    await h.store.db
      .updateTable('devices')
      .set({ auth_token_enc: 'deadbeef.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' })
      .where('id', '=', req.device_id)
      .execute();
    const res = await h.keyway.app.request(`/wallet/apple/v1/passes/${ptid}/${pass.passJson.serialNumber}`, {
      headers: { authorization: `ApplePass ${pass.passJson.authenticationToken}` },
    });
    assert.equal(res.status, 401, await res.text());
  });
});
