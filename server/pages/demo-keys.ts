import fs from 'node:fs';
import path from 'node:path';

/** The demo operator's keys, as the demo console needs them in the browser (development only). */
export interface DemoConsoleKeys {
  secretKey: string;
  publishableKey: string;
}

const FILE = 'demo-keys.json';

/**
 * Keys are stored hashed, so a restarted dev server could not fill in the demo console. In
 * development the generated pair is kept beside the dev secret (mode 0600), which already
 * derives every other key of this data directory.
 */
export function rememberDemoKeys(dataDir: string, keys: DemoConsoleKeys): void {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, FILE);
  fs.writeFileSync(file, `${JSON.stringify({ secretKey: keys.secretKey, publishableKey: keys.publishableKey })}\n`, {
    mode: 0o600,
  });
  fs.chmodSync(file, 0o600);
}

/** The kept pair, or keys fixed by KEYWAY_DEMO_*; null when neither is known. */
export function recallDemoKeys(
  dataDir: string,
  fixed: { secretKey?: string; publishableKey?: string },
): DemoConsoleKeys | null {
  let kept: Partial<DemoConsoleKeys> = {};
  try {
    kept = JSON.parse(fs.readFileSync(path.join(dataDir, FILE), 'utf8')) as Partial<DemoConsoleKeys>;
  } catch {
    kept = {};
  }
  const secretKey = fixed.secretKey ?? kept.secretKey;
  const publishableKey = fixed.publishableKey ?? kept.publishableKey;
  return secretKey && publishableKey ? { secretKey, publishableKey } : null;
}
