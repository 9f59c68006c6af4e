// Passes built and signed per second on one core: Keyway vs passkit-generator vs raw RSA-2048 signing.
import { createPrivateKey, randomBytes, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PKPass } from 'passkit-generator';
import { createPassSigner } from '../server/wallet/apple/cms.js';
import {
  buildPassJson,
  buildPkpass,
  DEFAULT_PASS_STRINGS,
  encodeStringsFile,
  loadPassImages,
} from '../server/wallet/apple/pass.js';
import { makeDevCertificates } from '../server/wallet/certs.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);

/** Runs `fn` repeatedly for about `seconds`; returns the rate and the slowest single call. */
function measure(
  seconds: number,
  fn: (i: number) => unknown,
): { rate: number; count: number; maxMs: number; p99Ms: number } {
  for (let i = 0; i < 3; i++) fn(-1 - i); // warm up JIT and caches
  const durations: number[] = [];
  const start = performance.now();
  const deadline = start + seconds * 1000;
  let i = 0;
  for (let now = start; now < deadline; i++) {
    fn(i);
    const after = performance.now();
    durations.push(after - now);
    now = after;
  }
  const elapsed = (performance.now() - start) / 1000;
  durations.sort((a, b) => a - b);
  return {
    rate: i / elapsed,
    count: i,
    maxMs: durations[durations.length - 1] ?? 0,
    p99Ms: durations[Math.floor(durations.length * 0.99)] ?? 0,
  };
}

const dir = mkdtempSync(join(tmpdir(), 'keyway-bench-'));
try {
  const certs = makeDevCertificates(dir);
  const certPem = readFileSync(certs.paths.cert, 'utf8');
  const keyPem = readFileSync(certs.paths.key, 'utf8');
  const wwdrPem = readFileSync(certs.paths.wwdr, 'utf8');
  const images = loadPassImages();
  const strings = DEFAULT_PASS_STRINGS;
  const signer = createPassSigner({ certPem, keyPem, wwdrPem, digest: 'sha1' });

  const passInput = (i: number) => ({
    passTypeIdentifier: certs.passTypeId,
    teamIdentifier: certs.teamId,
    serialNumber: `dev_${i}_${randomBytes(6).toString('hex')}`,
    organizationName: 'Acme Offices',
    description: 'Door pass',
    logoText: 'Acme',
    holderName: 'Ada Lovelace',
    credentialTypeLabel: 'Wallet pass',
    readerValue: randomBytes(12).toString('base64url'),
    webServiceURL: 'https://keyway.example/wallet/apple',
    authenticationToken: randomBytes(16).toString('base64url'),
  });

  // The same files for passkit-generator: our images and strings files, its own pass.json handling.
  const keys = Object.values(strings).flatMap((entries) => Object.keys(entries));
  const modelFiles: Record<string, Buffer> = {};
  for (const [name, data] of Object.entries(images)) modelFiles[name] = Buffer.from(data);
  for (const [locale, entries] of Object.entries(strings))
    modelFiles[`${locale}.lproj/pass.strings`] = encodeStringsFile(entries, keys);

  const keyway = measure(SECONDS, (i) =>
    buildPkpass({ passJson: buildPassJson(passInput(i)), images, strings, signer, signingTime: new Date() }),
  );

  const passkit = measure(SECONDS, (i) => {
    const pass = new PKPass(
      { ...modelFiles, 'pass.json': Buffer.from(JSON.stringify(buildPassJson(passInput(i)))) },
      { wwdr: wwdrPem, signerCert: certPem, signerKey: keyPem },
    );
    return pass.getAsBuffer();
  });

  const key = createPrivateKey(keyPem);
  const manifestLike = randomBytes(700);
  const rawSign = measure(SECONDS, () => sign('sha1', manifestLike, key));

  const ratio = keyway.rate / passkit.rate;
  const ofRaw = (keyway.rate / rawSign.rate) * 100;
  console.log(
    `keyway            ${keyway.rate.toFixed(0)} passes/s (${keyway.count} in ${SECONDS}s), max single pass ${keyway.maxMs.toFixed(2)} ms, p99 ${keyway.p99Ms.toFixed(2)} ms`,
  );
  console.log(
    `passkit-generator ${passkit.rate.toFixed(1)} passes/s (${passkit.count} in ${SECONDS}s), max single pass ${passkit.maxMs.toFixed(2)} ms`,
  );
  console.log(`raw RSA-2048 sign ${rawSign.rate.toFixed(0)} signatures/s (sha1, crypto.sign)`);
  console.log(
    `keyway is ${ratio.toFixed(1)}x passkit-generator (target >= 50x) and ${ofRaw.toFixed(0)}% of raw-sign (target >= 60%); max event-loop block ${keyway.maxMs.toFixed(2)} ms (target <= 5 ms)`,
  );
  console.log(
    `passes: keyway ${keyway.rate.toFixed(0)}/s, passkit-generator ${passkit.rate.toFixed(1)}/s, raw-sign ${rawSign.rate.toFixed(0)}/s, ratio ${ratio.toFixed(1)}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
