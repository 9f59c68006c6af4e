// SPEC §15, rolling a certificate without downtime: `keyway passes resign` makes the next pair
// current and re-signs and pushes every live pass in resumable batches — killed with SIGKILL half-way
// and run again, every phone is pushed exactly once, and every served pass verifies with the new
// signer; `keyway doctor` names what is wrong with a next pair. SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createApp } from '../../server/app.js';
import { runDoctor, verifyPkpassSignature } from '../../server/cli/doctor.js';
import { loadConfig } from '../../server/config.js';
import { issueCertificate } from '../../server/crypto/x509.js';
import { openStore } from '../../server/storage/db.js';
import { migrateToLatest } from '../../server/storage/migrations.js';
import { loadWalletRuntime } from '../../server/wallet/runtime.js';
import { devChain, tempDir } from '../fixtures/wallet/dev-chain.js';
import { createHarness, type Harness, TEST_SECRET } from '../helpers/harness.js';
import { fetchPass, redeemedCredential, requestApplePass } from '../helpers/passes.js';
import { type ApnsPeer, startApnsPeer } from '../helpers/peers.js';
import { skipWithoutPostgres } from '../helpers/pg.js';
import { ROOT, runCli } from '../helpers/process.js';

const PASS_TYPE = 'pass.example.roll';
const TEAM = 'ROLLTEAM01';
const EKU = '1.2.840.113635.100.4.14';
const DAY = 86_400_000;
const WS = '/wallet/apple/v1';
const rsa = (): KeyObject => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

/** A root → WWDR-like G4 → two pass certificates of one pass type (the current and the renewed), and broken next pairs. */
function rollChain(dir: string) {
  const now = Date.now();
  const [rootKey, wwdrKey, currentKey, nextKey, otherKey] = [rsa(), rsa(), rsa(), rsa(), rsa()];
  const root = { commonName: 'Roll Test Root', organization: 'Roll Test CA', country: 'US' };
  const wwdr = { commonName: 'Roll Test WWDR', organizationalUnit: 'G4', organization: 'Roll Test CA', country: 'US' };
  const wwdrPem = issueCertificate({
    subject: wwdr,
    subjectKey: wwdrKey,
    issuer: root,
    issuerKey: rootKey,
    issuerPublicKey: createPublicKey(rootKey),
    notBefore: new Date(now - 400 * DAY),
    notAfter: new Date(now + 3000 * DAY),
    ca: true,
  });
  const pass = (key: KeyObject, o: { passType?: string; team?: string; notAfter?: number } = {}) =>
    issueCertificate({
      subject: {
        userId: o.passType ?? PASS_TYPE,
        commonName: `Pass Type ID: ${o.passType ?? PASS_TYPE}`,
        organizationalUnit: o.team ?? TEAM,
        organization: 'Example',
        country: 'US',
      },
      subjectKey: key,
      issuer: wwdr,
      issuerKey: wwdrKey,
      issuerPublicKey: createPublicKey(wwdrKey),
      notBefore: new Date(now - 2 * DAY),
      notAfter: new Date(o.notAfter ?? now + 365 * DAY),
      ca: false,
      extKeyUsage: [EKU],
    });
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text, { mode: 0o600 });
    return file;
  };
  const pem = (k: KeyObject) => k.export({ format: 'pem', type: 'pkcs8' }) as string;
  return {
    wwdr: write('wwdr.pem', wwdrPem),
    cert: write('cert.pem', pass(currentKey)),
    key: write('key.pem', pem(currentKey)),
    nextCert: write('next-cert.pem', pass(nextKey)),
    nextKey: write('next-key.pem', pem(nextKey)),
    otherTypeCert: write('other-type-cert.pem', pass(otherKey, { passType: 'pass.example.other' })),
    otherKey: write('other-key.pem', pem(otherKey)),
    otherTeamCert: write('other-team-cert.pem', pass(otherKey, { team: 'OTHERTEAM9' })),
    expiredNextCert: write('expired-next-cert.pem', pass(otherKey, { notAfter: now - DAY })),
  };
}

const files = rollChain(tempDir('keyway-roll-'));

interface PhonePass {
  deviceId: string;
  serial: string;
  authToken: string;
  pushTokens: string[];
}

/** The signature of a served pass verifies with `certPem` as the only trust anchor: '' when it does. */
const signedBy = (pkpass: Buffer, certPem: string) => verifyPkpassSignature(pkpass, certPem);

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`keyway passes resign (${backend})`, async () => {
    const skip = backend === 'postgres' ? await skipWithoutPostgres() : false;
    let h: Harness;
    let apns: ApnsPeer;
    let env: Record<string, string>;
    const phones: PhonePass[] = [];
    const PASSES = 20;

    before(async () => {
      if (skip) return;
      apns = await startApnsPeer();
      const apple = {
        KEYWAY_APPLE_CERT: files.cert,
        KEYWAY_APPLE_KEY: files.key,
        KEYWAY_APPLE_WWDR: files.wwdr,
        KEYWAY_APPLE_NEXT_CERT: files.nextCert,
        KEYWAY_APPLE_NEXT_KEY: files.nextKey,
        KEYWAY_APNS_URL: apns.url,
      };
      h = await createHarness({ backend, env: apple });
      for (let i = 0; i < PASSES; i++) {
        const { ps } = await redeemedCredential(h, { first_name: `Holder${i}` });
        const req = await requestApplePass(h, ps);
        const pass = await fetchPass(h, req.url);
        const phone: PhonePass = {
          deviceId: req.device_id,
          serial: pass.passJson.serialNumber,
          authToken: pass.passJson.authenticationToken,
          pushTokens: [],
        };
        // One pass is on two phones: each registration is pushed once.
        for (let r = 0; r < (i === 3 ? 2 : 1); r++) {
          const pushToken = `push-${i}-${r}-${'0'.repeat(20)}`;
          const dli = dliOf(i, r);
          const res = await h.keyway.app.request(`${WS}/devices/${dli}/registrations/${ptid()}/${phone.serial}`, {
            method: 'POST',
            headers: { authorization: `ApplePass ${phone.authToken}`, 'content-type': 'application/json' },
            body: JSON.stringify({ pushToken }),
          });
          assert.equal(res.status, 201);
          phone.pushTokens.push(pushToken);
        }
        phones.push(phone);
      }
      env = {
        KEYWAY_ENV: 'development',
        KEYWAY_DATA_DIR: tempDir('keyway-roll-cli-'),
        DATABASE_URL: h.databaseUrl,
        KEYWAY_SECRET: TEST_SECRET,
        PUBLIC_URL: 'http://127.0.0.1:8787',
        ...apple,
      };
    });
    after(async () => {
      if (skip) return;
      await h.close();
      await apns.close();
    });

    const ptid = () => h.keyway.ctx.wallet!.apple!.material.passTypeId;
    const dliOf = (i: number, r: number) => `${String(i).padStart(4, '0')}${r}${'a'.repeat(27)}`;
    const servedPass = async (p: PhonePass) => {
      const res = await h.keyway.app.request(`${WS}/passes/${ptid()}/${p.serial}`, {
        headers: { authorization: `ApplePass ${p.authToken}` },
      });
      assert.equal(res.status, 200);
      return Buffer.from(await res.arrayBuffer());
    };
    const resign = (args: string[] = []) => {
      const child = spawn(process.execPath, ['bin/keyway.js', 'passes', 'resign', ...args], {
        cwd: ROOT,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout!.on('data', (d) => (out += d));
      child.stderr!.on('data', (d) => (out += d));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }>((resolve) =>
        child.on('exit', (code, signal) => resolve({ code, signal, out })),
      );
      return { child, exited };
    };
    const doneCount = async () =>
      Number(
        (
          await h.store.db
            .selectFrom('pass_resigns')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('done_at', 'is not', null)
            .executeTakeFirstOrThrow()
        ).n,
      );

    test('killed with SIGKILL half-way and run again: every phone pushed exactly once, every served pass signed by the next certificate', {
      skip,
    }, async () => {
      const current = fs.readFileSync(files.cert, 'utf8');
      const next = fs.readFileSync(files.nextCert, 'utf8');
      assert.equal(await signedBy(await servedPass(phones[0]), current), '', 'before the roll: the current pair signs');
      assert.notEqual(await signedBy(await servedPass(phones[0]), next), '');
      const list = await h.keyway.app.request(`${WS}/devices/${dliOf(0, 0)}/registrations/${ptid()}`);
      const tag = ((await list.json()) as { lastUpdated: string }).lastUpdated;

      const registrations = phones.flatMap((p) => p.pushTokens);
      const half = Math.floor(registrations.length / 2);
      let run: ChildProcess | undefined;
      // The push after `half` answered ones is never answered: the command dies with it in flight.
      apns.beforeAnswer = () => {
        if (apns.pushes.length < half) return 'answer';
        run?.kill('SIGKILL');
        return 'hold';
      };
      const first = resign(['--concurrency', '1', '--batch', '4']);
      run = first.child;
      const killed = await first.exited;
      assert.equal(killed.signal, 'SIGKILL', killed.out);
      apns.beforeAnswer = undefined;
      assert.equal(apns.pushes.length, half);
      const doneAtKill = await doneCount();
      assert.ok(doneAtKill > 0 && doneAtKill < PASSES, `${doneAtKill} of ${PASSES} passes done when killed`);
      assert.match(killed.out, /rolling to [0-9a-f]{16}/);

      // Every instance follows the record at once (this one started before the roll).
      assert.equal(
        await signedBy(await servedPass(phones[PASSES - 1]), next),
        '',
        'the running server signs with the next pair',
      );
      const metrics = await (await h.keyway.app.request('/metrics')).text();
      assert.match(metrics, new RegExp(`keyway_pass_resign_passes\\{state="done"\\} ${doneAtKill}\\n`));
      assert.match(metrics, new RegExp(`keyway_pass_resign_passes\\{state="pending"\\} ${PASSES - doneAtKill}\\n`));

      const second = await resign(['--concurrency', '1']).exited;
      assert.equal(second.code, 0, second.out);
      assert.match(second.out, new RegExp(`all ${PASSES} passes re-signed with [0-9a-f]{16}`));

      const answered = apns.pushes.map((p) => p.token).sort();
      assert.deepEqual(answered, [...registrations].sort(), 'each registration answered exactly once');
      assert.equal(apns.held.length, 1);
      assert.ok(answered.includes(apns.held[0].token), 'the push in flight at the kill went again');
      assert.equal(await doneCount(), PASSES);
      const after = await (await h.keyway.app.request('/metrics')).text();
      assert.match(after, new RegExp(`keyway_pass_resign_passes\\{state="done"\\} ${PASSES}\\n`));
      assert.match(after, new RegExp(`keyway_pass_resign_pushes ${registrations.length}\\n`));

      // Each phone finds its pass changed and gets it signed by the next certificate (openssl cms -verify).
      for (const p of phones) {
        const pkpass = await servedPass(p);
        assert.equal(await signedBy(pkpass, next), '', `${p.deviceId} verifies with the next certificate`);
        assert.notEqual(await signedBy(pkpass, current), '');
      }
      const changed = await h.keyway.app.request(
        `${WS}/devices/${dliOf(0, 0)}/registrations/${ptid()}?passesUpdatedSince=${encodeURIComponent(tag)}`,
      );
      assert.equal(changed.status, 200);
      assert.deepEqual(((await changed.json()) as { serialNumbers: string[] }).serialNumbers, [phones[0].serial]);

      // A restart agrees: a new instance on the same database signs with the recorded signer.
      const config = h.keyway.ctx.config;
      const store = openStore(config.databaseUrl);
      const restarted = createApp({
        config,
        store,
        secret: TEST_SECRET,
        wallet: loadWalletRuntime(config, { certsDir: devChain().dir }),
        log: () => undefined,
      });
      try {
        const ptid = restarted.ctx.wallet!.apple!.material.passTypeId;
        const res = await restarted.app.request(`${WS}/passes/${ptid}/${phones[1].serial}`, {
          headers: { authorization: `ApplePass ${phones[1].authToken}` },
        });
        assert.equal(res.status, 200);
        assert.equal(await signedBy(Buffer.from(await res.arrayBuffer()), next), '');
      } finally {
        await restarted.stop();
        await store.close();
      }

      // Run again: nothing left, nobody pushed twice.
      const third = await resign().exited;
      assert.equal(third.code, 0, third.out);
      assert.equal(apns.pushes.length, registrations.length);
      h.assertLogsClean();
    });

    test('rolled again at the default concurrency and killed half-way: none missed, a push repeated only if it was in flight', {
      skip,
    }, async (t) => {
      // The pair now in KEYWAY_APPLE_CERT is the one just rolled to; the next is the first one again.
      env = {
        ...env,
        KEYWAY_APPLE_CERT: files.nextCert,
        KEYWAY_APPLE_KEY: files.nextKey,
        KEYWAY_APPLE_NEXT_CERT: files.cert,
        KEYWAY_APPLE_NEXT_KEY: files.key,
      };
      const registrations = phones.flatMap((p) => p.pushTokens);
      const before = apns.pushes.length;
      const half = Math.floor(registrations.length / 2);
      let run: ChildProcess | undefined;
      apns.beforeAnswer = () => {
        if (apns.pushes.length - before < half) return 'answer';
        run?.kill('SIGKILL');
        return 'hold';
      };
      const first = resign();
      run = first.child;
      assert.equal((await first.exited).signal, 'SIGKILL');
      apns.beforeAnswer = undefined;
      const second = await resign().exited;
      assert.equal(second.code, 0, second.out);

      const answered = apns.pushes.slice(before).map((p) => p.token);
      for (const token of registrations) assert.ok(answered.includes(token), `${token} pushed`);
      const repeated = answered.length - registrations.length;
      assert.ok(repeated >= 0 && repeated <= 16, `${repeated} pushes repeated (at most --concurrency)`);
      t.diagnostic(`${repeated} of ${registrations.length} pushes repeated after the kill at --concurrency 16`);
      const first0 = fs.readFileSync(files.cert, 'utf8');
      for (const p of phones) assert.equal(await signedBy(await servedPass(p), first0), '');
    });

    test('rolled back to a signer rolled to before: every pass re-signed and every phone pushed again', {
      skip,
    }, async () => {
      env = {
        ...env,
        KEYWAY_APPLE_CERT: files.cert,
        KEYWAY_APPLE_KEY: files.key,
        KEYWAY_APPLE_NEXT_CERT: files.nextCert,
        KEYWAY_APPLE_NEXT_KEY: files.nextKey,
      };
      const before = apns.pushes.length;
      const r = await resign().exited;
      assert.equal(r.code, 0, r.out);
      assert.deepEqual(
        apns.pushes
          .slice(before)
          .map((p) => p.token)
          .sort(),
        phones.flatMap((p) => p.pushTokens).sort(),
      );
      const next = fs.readFileSync(files.nextCert, 'utf8');
      for (const p of phones) assert.equal(await signedBy(await servedPass(p), next), '');
    });

    // Issue 27: nothing stopped a second run beside the first, and both pushed every pass.
    test('a second run while one runs refuses at once (exit 75, naming the running one); the first finishes alone', {
      skip,
    }, async () => {
      env = {
        ...env,
        KEYWAY_APPLE_CERT: files.nextCert,
        KEYWAY_APPLE_KEY: files.nextKey,
        KEYWAY_APPLE_NEXT_CERT: files.cert,
        KEYWAY_APPLE_NEXT_KEY: files.key,
      };
      const registrations = phones.flatMap((p) => p.pushTokens);
      // Every push reaching APNs, from either run. The first run's first push waits for the gate, so it is
      // mid-run while the second starts (if the second is slow to start, that push times out after 10 s
      // and goes to the push queue: still sent once).
      const arrivals: string[] = [];
      let arrived!: () => void;
      const firstPush = new Promise<void>((resolve) => (arrived = resolve));
      let open!: (v: 'answer') => void;
      const gate = new Promise<'answer'>((resolve) => (open = resolve));
      apns.beforeAnswer = (push) => {
        arrivals.push(push.token);
        if (arrivals.length > 1) return 'answer';
        arrived();
        return gate;
      };
      const first = resign(['--concurrency', '1']);
      try {
        await firstPush;
        const second = await resign(['--concurrency', '1']).exited;
        assert.equal(second.code, 75, second.out);
        assert.match(
          second.out,
          new RegExp(`another run is re-signing passes now \\(held by pid ${first.child.pid} on `),
        );
      } finally {
        open('answer');
      }
      const done = await first.exited;
      apns.beforeAnswer = undefined;
      assert.equal(done.code, 0, done.out);
      assert.match(done.out, /all 20 passes re-signed/);
      assert.deepEqual(arrivals.sort(), [...registrations].sort(), 'every phone pushed once: by the first run alone');
      const leases = await h.store.db.selectFrom('run_leases').selectAll().execute();
      assert.deepEqual(leases, [], 'the lease is given back when the run ends');
    });
  });
}

describe('keyway doctor on the next pair', () => {
  let base: Record<string, string>;
  before(async () => {
    const dir = tempDir('keyway-roll-doctor-');
    const databaseUrl = `sqlite:${path.join(dir, 'keyway.db')}`;
    const store = openStore(databaseUrl);
    await migrateToLatest(store.db, store.dialect);
    await store.close();
    base = {
      KEYWAY_ENV: 'development',
      KEYWAY_SECRET: TEST_SECRET,
      KEYWAY_DATA_DIR: dir,
      DATABASE_URL: databaseUrl,
      KEYWAY_APPLE_CERT: files.cert,
      KEYWAY_APPLE_KEY: files.key,
      KEYWAY_APPLE_WWDR: files.wwdr,
    };
  });
  const next = async (pair: Record<string, string>) => {
    const { checks } = await runDoctor({ ...base, ...pair }, 'development');
    assert.equal(checks.find((c) => c.check === 'apple.material')?.status, 'ok', JSON.stringify(checks));
    return checks.find((c) => c.check === 'apple.next');
  };

  test('a good next pair: loads, matches, days to expiry, same pass type and team', async () => {
    const c = await next({ KEYWAY_APPLE_NEXT_CERT: files.nextCert, KEYWAY_APPLE_NEXT_KEY: files.nextKey });
    assert.equal(c?.status, 'ok', JSON.stringify(c));
    assert.match(c!.detail, /key matches, pass type pass\.example\.roll, team ROLLTEAM01, .*\d+ days to expiry/);
  });

  test('no next pair: no line', async () => {
    assert.equal(await next({}), undefined);
  });

  const broken: [string, Record<string, string>, RegExp, RegExp][] = [
    [
      'a key that is not the certificate’s',
      { KEYWAY_APPLE_NEXT_CERT: files.nextCert, KEYWAY_APPLE_NEXT_KEY: files.key },
      /^KEYWAY_APPLE_NEXT_KEY: the private key does not belong to the certificate in KEYWAY_APPLE_NEXT_CERT/,
      /set KEYWAY_APPLE_NEXT_KEY to the key exported with this certificate/,
    ],
    [
      'another pass type',
      { KEYWAY_APPLE_NEXT_CERT: files.otherTypeCert, KEYWAY_APPLE_NEXT_KEY: files.otherKey },
      /^KEYWAY_APPLE_NEXT_CERT: is for pass type "pass\.example\.other", but the current certificate is for "pass\.example\.roll"/,
      /same pass type|renewed Pass Type ID certificate of this pass type/,
    ],
    [
      'another team',
      { KEYWAY_APPLE_NEXT_CERT: files.otherTeamCert, KEYWAY_APPLE_NEXT_KEY: files.otherKey },
      /^KEYWAY_APPLE_NEXT_CERT: belongs to team "OTHERTEAM9", but the current certificate to team "ROLLTEAM01"/,
      /renewed Pass Type ID certificate/,
    ],
    [
      'an expired certificate',
      { KEYWAY_APPLE_NEXT_CERT: files.expiredNextCert, KEYWAY_APPLE_NEXT_KEY: files.otherKey },
      /^KEYWAY_APPLE_NEXT_CERT: the next pass certificate expired on/,
      /make a new Pass Type ID certificate/,
    ],
    [
      'a certificate without its key',
      { KEYWAY_APPLE_NEXT_CERT: files.nextCert },
      /^KEYWAY_APPLE_NEXT_KEY: is not set, but KEYWAY_APPLE_NEXT_CERT is/,
      /set KEYWAY_APPLE_NEXT_CERT and KEYWAY_APPLE_NEXT_KEY/,
    ],
    [
      'PEM whose line breaks an env file lost',
      {
        KEYWAY_APPLE_NEXT_CERT: fs.readFileSync(files.nextCert, 'utf8').replace(/\n/g, ' '),
        KEYWAY_APPLE_NEXT_KEY: fs.readFileSync(files.nextKey, 'utf8'),
      },
      /^KEYWAY_APPLE_NEXT_CERT: holds PEM whose line breaks were lost/,
      /put the PEM in a file/,
    ],
  ];
  for (const [name, pair, cause, fix] of broken)
    test(`a next pair with ${name}: fail, naming the cause and the fix`, async () => {
      const c = await next(pair);
      assert.equal(c?.status, 'fail', JSON.stringify(c));
      assert.match(c!.detail, cause);
      assert.match(c!.fix ?? '', fix);
    });

  test('the server refuses to start with a broken next pair, naming the same cause', () => {
    assert.throws(
      () =>
        loadWalletRuntime(
          loadConfig(
            { ...base, KEYWAY_APPLE_NEXT_CERT: files.otherTypeCert, KEYWAY_APPLE_NEXT_KEY: files.otherKey },
            'development',
          ),
          { certsDir: devChain().dir },
        ),
      /KEYWAY_APPLE_NEXT_CERT: is for pass type "pass\.example\.other"/,
    );
  });
});

describe('keyway passes resign without a next pair', () => {
  test('--help shows the steps; with no next pair it says what to set, exit 1', async () => {
    const help = await runCli(['passes', 'resign', '--help'], {});
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: npx keyway passes resign \[--batch <n>\] \[--concurrency <n>\]$/m);
    assert.match(help.stdout, /KEYWAY_APPLE_NEXT_CERT and KEYWAY_APPLE_NEXT_KEY/);
    const dir = tempDir('keyway-roll-none-');
    const r = await runCli(['passes', 'resign'], {
      KEYWAY_ENV: 'development',
      KEYWAY_DATA_DIR: dir,
      DATABASE_URL: `sqlite:${path.join(dir, 'keyway.db')}`,
      KEYWAY_SECRET: TEST_SECRET,
      KEYWAY_APPLE_CERT: files.cert,
      KEYWAY_APPLE_KEY: files.key,
      KEYWAY_APPLE_WWDR: files.wwdr,
    });
    assert.equal(r.code, 1, r.stdout);
    assert.match(
      r.stderr,
      /KEYWAY_APPLE_NEXT_CERT and KEYWAY_APPLE_NEXT_KEY are not set: there is no next signer to roll to/,
    );
  });
});
