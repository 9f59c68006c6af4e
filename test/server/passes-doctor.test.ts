// SPEC §15 `keyway passes doctor`: a corpus of broken passes built from the dev chain, each diagnosis asserted.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { unzipSync, zipSync } from 'fflate';
import { diagnosePkpass } from '../../server/wallet/apple/diagnose.js';
import { loadAppleSigningMaterial } from '../../server/wallet/apple/material.js';
import { buildPkpass, loadPassImages } from '../../server/wallet/apple/pass.js';
import { encodePng } from '../../server/wallet/apple/png.js';
import { devChain, tempDir } from '../fixtures/wallet/dev-chain.js';
import { runCli } from '../helpers/process.js';

describe('keyway passes doctor', () => {
  let material: ReturnType<typeof loadAppleSigningMaterial>;
  const images = loadPassImages();
  const basePass = () => ({
    formatVersion: 1,
    passTypeIdentifier: devChain().passTypeId,
    teamIdentifier: devChain().teamId,
    serialNumber: 's1',
    organizationName: 'Keyway',
    description: 'Door pass',
    webServiceURL: 'https://keyway.example/wallet',
    authenticationToken: 'a'.repeat(32),
    expirationDate: '2027-01-01T10:00:00Z',
    generic: {},
  });
  const build = (pass: Record<string, unknown> = {}, imgs = images, signingTime?: Date) =>
    buildPkpass({
      passJson: JSON.stringify({ ...basePass(), ...pass }),
      images: imgs,
      signer: material.signer,
      signingTime,
    });
  /** Rewrites files inside a signed pass (after signing: what breaks the manifest or the signature). */
  const tamper = (pkpass: Buffer, change: (files: Record<string, Uint8Array>) => void) => {
    const files = unzipSync(new Uint8Array(pkpass));
    change(files);
    return Buffer.from(zipSync(files, { level: 0 }));
  };
  const diagnose = (pkpass: Buffer) => diagnosePkpass(pkpass, { wwdrPem: devChain().pem.wwdr });
  const failed = async (pkpass: Buffer) => (await diagnose(pkpass)).filter((f) => !f.ok);

  before(() => {
    const c = devChain();
    material = loadAppleSigningMaterial({ cert: c.paths.cert, key: c.paths.key, wwdr: c.paths.wwdr });
  });

  test('a good pass: every check ok', async () => {
    assert.deepEqual(await failed(build()), []);
  });

  const corpus: [string, () => Buffer, string, RegExp][] = [
    [
      'pass.json changed after signing',
      () =>
        tamper(build(), (f) => (f['pass.json'] = Buffer.from(JSON.stringify({ ...basePass(), serialNumber: 'x' })))),
      'manifest',
      /pass\.json's SHA-1 is [0-9a-f]{40}, the manifest says/,
    ],
    [
      'manifest.json changed after signing',
      () =>
        tamper(build(), (f) => {
          const m = JSON.parse(Buffer.from(f['manifest.json']).toString());
          m['extra.txt'] = '0'.repeat(40);
          f['manifest.json'] = Buffer.from(JSON.stringify(m));
        }),
      'signature',
      /does not verify/,
    ],
    [
      'a pass type id that is not the certificate’s',
      () => build({ passTypeIdentifier: 'pass.example.other' }),
      'pass type id',
      /passTypeIdentifier "pass\.example\.other", the signing certificate is for "pass\.dev\.keyway"/,
    ],
    ['a team id that is not the certificate’s', () => build({ teamIdentifier: 'OTHERTEAM1' }), 'team id', /OTHERTEAM1/],
    [
      'signed when the signer was not yet valid',
      () => build({}, images, new Date('2001-01-01T00:00:00Z')),
      'signer validity',
      /not valid when the pass was signed \(2001-01-01/,
    ],
    [
      'icon.png missing',
      () =>
        tamper(build(), (f) => {
          delete f['icon.png'];
        }),
      'icon',
      /icon\.png is missing/,
    ],
    [
      'icon.png wrongly sized',
      () => build({}, { ...images, 'icon.png': encodePng(40, 40, new Uint8Array(40 * 40 * 4)) }),
      'icon',
      /icon\.png is 40×40, Apple's size is 29×29/,
    ],
    ['a date that is not W3C', () => build({ expirationDate: '01/01/2027' }), 'dates', /expirationDate "01\/01\/2027"/],
    [
      'webServiceURL over http',
      () => build({ webServiceURL: 'http://keyway.example/wallet' }),
      'webServiceURL',
      /is not https/,
    ],
    [
      'authenticationToken too short',
      () => build({ authenticationToken: 'short' }),
      'authenticationToken',
      /5 characters; Wallet needs at least 16/,
    ],
  ];

  for (const [name, make, check, detail] of corpus)
    test(`diagnoses ${name}`, async () => {
      const findings = await diagnose(make());
      const f = findings.find((x) => x.check === check && !x.ok);
      assert.ok(f, `${check} fails: ${JSON.stringify(findings)}`);
      assert.match(f.detail, detail);
    });

  test('NFC in pass.json is named, with what it needs', async () => {
    const f = (await diagnose(build({ nfc: { message: 'x', encryptionPublicKey: 'AAAA' } }))).find(
      (x) => x.check === 'nfc',
    );
    assert.match(f?.detail ?? '', /Pass Type ID with NFC/);
  });

  test('the CLI exits 1 and prints the finding', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'bad.pkpass');
    fs.writeFileSync(file, build({ webServiceURL: 'http://x.example' }));
    const r = await runCli(['passes', 'doctor', file], {});
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^fail {2}webServiceURL/m);
    fs.writeFileSync(file, build());
    assert.equal((await runCli(['passes', 'doctor', file], {})).code, 0);
  });
});
