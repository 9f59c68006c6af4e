// SPEC §15 `keyway passes doctor <credential id>`: the diagnosis of a .pkpass file, run on the pass
// the server would serve for that credential now, built by the command from the database.
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { issueCertificate } from '../../server/crypto/x509.js';
import { diagnosePkpass } from '../../server/wallet/apple/diagnose.js';
import { devChain, tempDir } from '../fixtures/wallet/dev-chain.js';
import { createHarness, type Harness, issueWalletPass, TEST_SECRET } from '../helpers/harness.js';
import { fetchPass, redeemedCredential, requestApplePass } from '../helpers/passes.js';
import { runCli } from '../helpers/process.js';

describe('keyway passes doctor <credential id>', () => {
  let h: Harness;
  let env: Record<string, string>;
  before(async () => {
    h = await createHarness({ env: { PUBLIC_URL: 'https://keyway.example' } });
    const chain = devChain();
    env = {
      KEYWAY_ENV: 'development',
      KEYWAY_DATA_DIR: tempDir('keyway-passes-doctor-'),
      DATABASE_URL: h.databaseUrl,
      KEYWAY_SECRET: TEST_SECRET,
      PUBLIC_URL: 'https://keyway.example',
      KEYWAY_APPLE_CERT: chain.paths.cert,
      KEYWAY_APPLE_KEY: chain.paths.key,
      KEYWAY_APPLE_WWDR: chain.paths.wwdr,
    };
  });
  after(() => h.close());

  const doctor = (...args: string[]) => runCli(['passes', 'doctor', ...args], env);

  test('a credential with an Apple pass on a phone: the served pass, every check ok, the same checks as for its file', async () => {
    const { ps, credentialId } = await redeemedCredential(h);
    const { url, device_id } = await requestApplePass(h, ps);
    const downloaded = await fetchPass(h, url);
    const r = await doctor(credentialId);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      new RegExp(`^${credentialId}, device ${device_id} \\(pending\\): the pass the server serves now$`, 'm'),
    );
    assert.match(r.stdout, /^ok +signature +verifies over manifest\.json$/m);
    assert.doesNotMatch(r.stdout, /^fail/m);

    const json = JSON.parse((await doctor(credentialId, '--json')).stdout);
    assert.equal(json.ok, true);
    assert.equal(json.passes.length, 1);
    const fromFile = await diagnosePkpass(downloaded.bytes, { wwdrPem: devChain().pem.wwdr });
    // The same checks (the downloaded file was signed at the harness's fixed clock, so not the same verdicts).
    assert.deepEqual(
      json.passes[0].findings.map((f: { check: string }) => f.check),
      fromFile.map((f) => f.check),
    );
  });

  test('a credential with no device yet: the pass a new device would get', async () => {
    const { ps, credentialId } = await redeemedCredential(h);
    void ps;
    const r = await doctor(credentialId);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      new RegExp(`^${credentialId} has no Apple device yet: the pass a new device would get$`, 'm'),
    );
  });

  test('a wrong WWDR is named as the chain’s fault, exit 1', async () => {
    const { credentialId } = await issueWalletPass(h);
    const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const name = { commonName: 'Another WWDR', organizationalUnit: 'G4', organization: 'Elsewhere', country: 'US' };
    const other = path.join(tempDir(), 'other-wwdr.pem');
    fs.writeFileSync(
      other,
      issueCertificate({
        subject: name,
        subjectKey: key,
        issuer: name,
        issuerKey: key,
        issuerPublicKey: createPublicKey(key),
        notBefore: new Date(Date.now() - 86_400_000),
        notAfter: new Date(Date.now() + 86_400_000),
        ca: true,
      }),
    );
    const r = await doctor(credentialId, '--wwdr', other);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^fail {2}(chain|signature) /m);
  });

  test('an unknown credential id: a clear error, exit 1', async () => {
    const r = await doctor('cred_doesnotexist0000');
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^keyway passes doctor: No credential cred_doesnotexist0000 in this database\.$/m);
  });

  test('a credential that is not an Apple pass: a clear error, exit 1', async () => {
    const { personId } = await issueWalletPass(h);
    const at = new Date().toISOString();
    await h.store.db
      .insertInto('credentials')
      .values({
        id: 'cred_hidmobile000001',
        person_id: personId,
        credential_type_id: 8,
        status: 'active',
        enabled: 1,
        value_enc: null,
        value_hash: null,
        value_mode: 'shared',
        sequence: 0,
        created_at: at,
        updated_at: at,
        revoking_at: null,
      } as never)
      .execute();
    const hid = await doctor('cred_hidmobile000001');
    assert.equal(hid.code, 1);
    assert.match(hid.stderr, /cred_hidmobile000001 is a credential of type 8, not a wallet pass \(type 9\)/);

    const { ps, credentialId } = await redeemedCredential(h);
    const google = await h.request('POST', '/api/3/passes', { token: ps, body: { platform: 'google' } });
    assert.equal(google.status, 200, google.text);
    const r = await doctor(credentialId);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /passes are Google Wallet passes; passes doctor explains Apple passes/);
  });

  test('a path that does not exist is still named as a missing file', async () => {
    const r = await doctor('/nowhere/pass.pkpass');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /"\/nowhere\/pass\.pkpass" does not exist/);
  });
});
