// `keyway passes doctor <file.pkpass>` (SPEC §15): why a pass would not open, one finding per fault.
// Pure checks of the ZIP's contents, plus OpenSSL for the CMS signature and its certificates.
import { execFile } from 'node:child_process';
import crypto, { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { OID, readCertificate } from '../../crypto/der.js';

export interface PassFinding {
  check: string;
  ok: boolean;
  detail: string;
}

/** Apple's icon sizes in points × scale. */
const ICON_SIZES: Record<string, number> = { 'icon.png': 29, 'icon@2x.png': 58, 'icon@3x.png': 87 };
const W3C = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})$/;
const DATE_KEYS = ['expirationDate', 'relevantDate'];

const pngSize = (b: Uint8Array): [number, number] | null =>
  b.length > 24 && b[0] === 0x89 && b[1] === 0x50
    ? [Buffer.from(b).readUInt32BE(16), Buffer.from(b).readUInt32BE(20)]
    : null;

function openssl(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('openssl', args, { cwd, timeout: 10_000 }, (error, stdout, stderr) =>
      resolve({
        code: error
          ? (error as { code?: number }).code === undefined
            ? 1
            : Number((error as { code?: number }).code) || 1
          : 0,
        stdout,
        stderr,
      }),
    );
  });
}

/** Every finding about a `.pkpass`; `wwdrPem` lets the chain be checked up to the WWDR that should have issued the signer. */
export async function diagnosePkpass(pkpass: Uint8Array, opts: { wwdrPem?: string } = {}): Promise<PassFinding[]> {
  const findings: PassFinding[] = [];
  const add = (check: string, ok: boolean, detail: string) => findings.push({ check, ok, detail });
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(pkpass);
  } catch (error) {
    add('zip', false, `not a ZIP archive: ${(error as Error).message}`);
    return findings;
  }
  add('zip', true, `${Object.keys(files).length} files`);

  // manifest.json: SHA-1 of every other file, and nothing else.
  let manifest: Record<string, string> = {};
  if (!files['manifest.json']) add('manifest', false, 'manifest.json is missing');
  else
    try {
      manifest = JSON.parse(Buffer.from(files['manifest.json']).toString('utf8'));
      const wrong: string[] = [];
      for (const [name, data] of Object.entries(files)) {
        if (name === 'manifest.json' || name === 'signature' || name.endsWith('/')) continue;
        const sha1 = crypto.createHash('sha1').update(data).digest('hex');
        if (manifest[name] === undefined) wrong.push(`${name} is not listed`);
        else if (manifest[name] !== sha1) wrong.push(`${name}'s SHA-1 is ${sha1}, the manifest says ${manifest[name]}`);
      }
      for (const name of Object.keys(manifest)) if (!files[name]) wrong.push(`${name} is listed but absent`);
      add('manifest', wrong.length === 0, wrong.length ? wrong.join('; ') : 'every file matches its SHA-1');
    } catch (error) {
      add('manifest', false, `manifest.json is not JSON: ${(error as Error).message}`);
    }

  // pass.json
  let pass: Record<string, unknown> = {};
  try {
    pass = JSON.parse(Buffer.from(files['pass.json'] ?? '').toString('utf8'));
  } catch {
    add('pass.json', false, files['pass.json'] ? 'pass.json is not JSON' : 'pass.json is missing');
  }
  for (const [name, size] of Object.entries(ICON_SIZES)) {
    const icon = files[name];
    if (!icon) {
      if (name === 'icon.png') add('icon', false, 'icon.png is missing: Wallet refuses a pass without it');
      continue;
    }
    const dims = pngSize(icon);
    if (!dims) add('icon', false, `${name} is not a PNG`);
    else if (dims[0] !== size || dims[1] !== size)
      add('icon', false, `${name} is ${dims[0]}×${dims[1]}, Apple's size is ${size}×${size}`);
  }
  if (!findings.some((f) => f.check === 'icon')) add('icon', true, 'icon.png present at its sizes');
  const badDates = DATE_KEYS.filter((k) => pass[k] !== undefined && !W3C.test(String(pass[k])));
  add(
    'dates',
    badDates.length === 0,
    badDates.length
      ? badDates.map((k) => `${k} "${pass[k]}" is not a W3C date (2026-01-01T10:00:00Z)`).join('; ')
      : 'W3C',
  );
  if (pass.webServiceURL !== undefined) {
    const https = typeof pass.webServiceURL === 'string' && pass.webServiceURL.startsWith('https://');
    add(
      'webServiceURL',
      https,
      https ? 'https' : `webServiceURL "${pass.webServiceURL}" is not https: Wallet will not call it`,
    );
    const token = String(pass.authenticationToken ?? '');
    add(
      'authenticationToken',
      token.length >= 16,
      token.length >= 16
        ? `${token.length} characters`
        : `authenticationToken is ${token.length} characters; Wallet needs at least 16`,
    );
  }

  // The signature: a detached CMS over manifest.json, its signer and chain.
  if (!files.signature) {
    add('signature', false, 'signature is missing');
    return findings;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-pass-doctor-'));
  try {
    fs.writeFileSync(path.join(dir, 'manifest.json'), files['manifest.json'] ?? '');
    fs.writeFileSync(path.join(dir, 'signature'), files.signature);
    const certs = await openssl(['pkcs7', '-inform', 'DER', '-in', 'signature', '-print_certs'], dir);
    const pems = certs.stdout.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    const parsed = pems.map((p) => new X509Certificate(p));
    const signer = parsed.find((c) => readCertificate(c.raw).subject.some((a) => a.oid === OID.userId));
    if (!signer) add('signer', false, 'the signature carries no Pass Type ID certificate');
    else {
      const subject = readCertificate(signer.raw).subject;
      const passType = subject.find((a) => a.oid === OID.userId)?.value;
      const team = subject.find((a) => a.oid === OID.organizationalUnit)?.value;
      add(
        'pass type id',
        passType === pass.passTypeIdentifier,
        passType === pass.passTypeIdentifier
          ? String(passType)
          : `pass.json says passTypeIdentifier "${pass.passTypeIdentifier}", the signing certificate is for "${passType}"`,
      );
      add(
        'team id',
        team === pass.teamIdentifier,
        team === pass.teamIdentifier
          ? String(team)
          : `pass.json says teamIdentifier "${pass.teamIdentifier}", the signing certificate's team is "${team}"`,
      );
      const printed = await openssl(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', 'signature'], dir);
      const when = /signingTime[\s\S]*?UTCTIME:([^\n]+)/.exec(printed.stdout)?.[1]?.trim();
      const signedAt = when ? new Date(when) : undefined;
      if (signedAt && !Number.isNaN(signedAt.getTime())) {
        const valid = signedAt >= new Date(signer.validFrom) && signedAt <= new Date(signer.validTo);
        add(
          'signer validity',
          valid,
          valid
            ? `valid when signed (${signedAt.toISOString()})`
            : `the signer was not valid when the pass was signed (${signedAt.toISOString()}; valid ${new Date(signer.validFrom).toISOString()} to ${new Date(signer.validTo).toISOString()})`,
        );
      }
      const issuer = parsed.find((c) => c !== signer && signer.checkIssued(c));
      const ou = issuer
        ? readCertificate(issuer.raw).subject.find((a) => a.oid === OID.organizationalUnit)?.value
        : undefined;
      add(
        'chain',
        Boolean(issuer) && ou === 'G4',
        issuer
          ? ou === 'G4'
            ? 'issued by the WWDR G4 carried beside it'
            : `issued by WWDR ${ou ?? '(no generation)'}, not G4`
          : 'the WWDR intermediate that issued the signer is not in the signature',
      );
    }
    const verifyArgs = [
      'cms',
      '-verify',
      '-binary',
      '-inform',
      'DER',
      '-in',
      'signature',
      '-content',
      'manifest.json',
      '-out',
      '/dev/null',
    ];
    if (opts.wwdrPem) {
      fs.writeFileSync(path.join(dir, 'ca.pem'), opts.wwdrPem);
      verifyArgs.push('-CAfile', 'ca.pem', '-partial_chain', '-purpose', 'any');
    } else verifyArgs.push('-noverify');
    const verified = await openssl(verifyArgs, dir);
    add(
      'signature',
      verified.code === 0,
      verified.code === 0 ? 'verifies over manifest.json' : `does not verify: ${verified.stderr.trim().split('\n')[0]}`,
    );
    if (pass.nfc !== undefined)
      add(
        'nfc',
        true,
        'pass.json asks for NFC: the certificate must be a "Pass Type ID with NFC" (Apple\'s NFC entitlement), or Wallet ignores the pass\'s NFC',
      );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return findings;
}
