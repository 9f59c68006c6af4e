// Every wallet message an operator reads (start-up and `certs import` problems) in one place, so wording
// stays consistent and reviewable.

/** A start-up problem with wallet configuration; `variable` names the environment variable to fix. */
export class WalletConfigError extends Error {
  override name = 'WalletConfigError';
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}

/** A `certs import` problem (bad file, wrong password, nothing usable inside). */
export class CertificateImportError extends Error {
  override name = 'CertificateImportError';
}

/**
 * The one-line fix for a start-up refusal, by the variable it names and its cause: `keyway doctor`
 * and the server's refusal print the same cause and the same fix (docs/operations.md).
 */
export function walletFix(error: WalletConfigError): string {
  const m = error.message;
  if (/wrong passphrase|is encrypted/.test(m))
    return "set KEYWAY_APPLE_KEY_PASSPHRASE to the key's passphrase, or convert the .p12 once with npx keyway certs import <file.p12> --password …";
  if (/PKCS#12/.test(m))
    return 'run npx keyway certs import <file.p12> and point KEYWAY_APPLE_CERT/KEYWAY_APPLE_KEY at the PEM files it writes';
  if (/line breaks were lost|no matching -----END|without its -----BEGIN/.test(m))
    return `put the PEM in a file (mode 0600) and set ${error.variable} to its path`;
  if (/does not belong to the certificate/.test(m))
    return `set ${error.variable} to the key exported with this certificate (both come out of the same .p12)`;
  if (/next certificate must|next signer is a certificate/.test(m))
    return 'set KEYWAY_APPLE_NEXT_CERT and KEYWAY_APPLE_NEXT_KEY to the renewed Pass Type ID certificate of this pass type and its key (docs/operations.md#rolling-a-certificate)';
  if (/next pass certificate expired/.test(m))
    return 'the next pair has expired: make a new Pass Type ID certificate and set KEYWAY_APPLE_NEXT_CERT/KEY to it (docs/operations.md#rolling-a-certificate)';
  if (/not issued by the certificate in KEYWAY_APPLE_WWDR/.test(m) && error.variable === 'KEYWAY_APPLE_NEXT_CERT')
    return "set KEYWAY_APPLE_NEXT_CERT to a certificate Apple's WWDR G4 issued (KEYWAY_APPLE_WWDR), as for the current one";
  if (/not issued by the certificate in KEYWAY_APPLE_WWDR/.test(m))
    return "set KEYWAY_APPLE_WWDR to Apple's WWDR G4 certificate (https://www.apple.com/certificateauthority/AppleWWDRCAG4.cer)";
  if (/certificate is for pass type/.test(m))
    return "set KEYWAY_APPLE_PASS_TYPE_ID to the certificate's pass type id, or use the certificate made for this one";
  if (/belongs to team/.test(m)) return "set KEYWAY_APPLE_TEAM_ID to the certificate's team id (its OU)";
  if (/WWDR intermediate certificate expired/.test(m))
    return "download Apple's current WWDR G4 certificate and set KEYWAY_APPLE_WWDR to it (docs/operations.md#the-certificate-calendar)";
  if (/pass certificate expired/.test(m))
    return 'make a new Pass Type ID certificate in the Apple developer portal and import it (docs/operations.md#rolling-a-certificate)';
  if (/dev chain|dev service account/.test(m))
    return 'configure the real material (npx keyway certs import), or KEYWAY_PASSES=off';
  return `correct ${error.variable} (README, configuration)`;
}

export const messages = {
  missing: () => 'is not set (a file path or PEM contents)',
  fileNotFound: (path: string) =>
    `"${path}" is neither PEM contents nor an existing file (give a file path, or the PEM text itself starting with -----BEGIN)`,
  notReadable: (path: string, reason: string) => `cannot read "${path}": ${reason}`,
  truncatedPem: () =>
    'looks like PEM contents but has no matching -----END line (was it cut off, or did you mean a file path?)',
  pemLineBreaksLost: () =>
    'holds PEM whose line breaks were lost (spaces where newlines belong); write them as \\n escapes on one line, or give a file path',
  bareBase64: () =>
    'looks like base64 without its -----BEGIN/-----END lines; give the whole PEM text or a path to the .pem file',
  p12Given: (path: string) =>
    `"${path}" is a PKCS#12 (.p12) file; convert it once with \`npx keyway certs import ${path}\` and point this variable at the PEM files it writes`,
  notPem: (path: string) => `"${path}" holds neither PEM text nor a DER certificate`,
  wrongPemKind: (found: string, expected: string) =>
    `holds a ${found} where a ${expected} was expected (are two variables swapped?)`,
  keyNeedsPassphrase: (keyVariable = 'KEYWAY_APPLE_KEY') =>
    `is not set, but the private key in ${keyVariable} is encrypted`,
  keyWrongPassphrase: () => 'does not decrypt the private key (wrong passphrase)',
  keyUnreadable: (reason: string) => `cannot read the private key: ${reason}`,
  keyNotRsa: (type: string) => `the private key is ${type}; Apple pass certificates use RSA keys`,
  keyMismatch: (certVariable = 'KEYWAY_APPLE_CERT') =>
    `the private key does not belong to the certificate in ${certVariable}`,
  certUnreadable: (reason: string) => `cannot read the certificate: ${reason}`,
  notIssuedByWwdr: (what = 'pass certificate') =>
    `the ${what} was not issued by the certificate in KEYWAY_APPLE_WWDR (download the matching Apple WWDR intermediate, G4 for current pass certificates)`,
  nextPairIncomplete: (given: string) =>
    `is not set, but ${given} is: the next signer is a certificate and its key, both given (or neither)`,
  nextPassTypeMismatch: (next: string, current: string) =>
    `is for pass type "${next}", but the current certificate is for "${current}": passes keep their pass type id, so the next certificate must be made for the same Pass Type ID`,
  nextTeamMismatch: (next: string, current: string) =>
    `belongs to team "${next}", but the current certificate to team "${current}": the next certificate must come from the same Apple developer team`,
  passTypeMismatch: (inCert: string, configured: string) =>
    `is "${configured}" but the certificate is for pass type "${inCert}"`,
  teamMismatch: (inCert: string, configured: string) =>
    `is "${configured}" but the certificate belongs to team "${inCert}"`,
  noPassTypeInCert: () =>
    'the certificate subject has no UID (pass type identifier); is this a Pass Type ID certificate?',
  expired: (what: string, when: Date) => `${what} expired on ${when.toISOString()}`,
  notYetValid: (what: string, when: Date) => `${what} is not valid before ${when.toISOString()}`,
  expiresSoon: (variable: string, what: string, when: Date, days: number) =>
    `${variable}: ${what} expires on ${when.toISOString()} (in ${days} days); renew it before passes stop verifying`,
  badDigest: (value: string) => `must be "sha1" or "sha256", not "${value}"`,
  nfcTooLong: (bytes: number) => `the NFC message is ${bytes} bytes; Apple allows at most 64`,
  nfcBadKey: () => 'the NFC encryption public key must be a base64 P-256 SubjectPublicKeyInfo',
  authTokenTooShort: () => 'authenticationToken must be at least 16 characters',
  iconMissing: () => 'a pass needs icon.png',
  badPng: (path: string) => `"${path}" is not a PNG image`,
  p12WrongPassword: (path: string) =>
    `wrong password for "${path}" (the PKCS#12 integrity check failed); pass it with --password`,
  p12Unreadable: (path: string, reason: string) => `"${path}" is not a readable PKCS#12 file: ${reason}`,
  p12NoKey: (path: string) => `"${path}" holds no private key`,
  p12NoMatchingCert: (path: string) => `"${path}" holds no certificate matching its private key`,
  refuseOverwrite: (path: string) => `"${path}" already exists; remove it or pass --force`,
  partialDevSet: (dir: string, missing: string[]) =>
    `dev certificates in "${dir}" are incomplete (missing ${missing.join(', ')}); delete the apple-*.pem files there to make a fresh chain`,
  googleJwtTooLong: (length: number) =>
    `the Google save JWT would be ${length} characters (limit 1800); insert the class and object through the REST API first (KEYWAY_GOOGLE_API_URL)`,
  googleApi: (method: string, path: string, status: number) => `Google Wallet API ${method} ${path} answered ${status}`,
  googleToken: (status: number) => `Google OAuth token request answered ${status}`,
  googleTimeout: (what: string, seconds: number) =>
    `Google Wallet API gave no complete answer to ${what} within ${seconds} s`,
  googleUnreachable: (what: string, cause: string) => `Google Wallet API unreachable for ${what} (${cause})`,
} as const;
