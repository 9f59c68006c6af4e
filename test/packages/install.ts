// Installs packed tarballs the way a partner does: `npm install <file>.tgz` into an empty project.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../helpers/process.js';

const run = promisify(execFile);
export const PACKAGES = path.join(ROOT, 'dist', 'packages');

/** The tarball of one workspace in dist/packages (made by `npm run pack`, which run-packages.sh runs first). */
export function tarball(name: '@keyway/elements' | '@keyway/server'): string {
  const file = path.join(PACKAGES, `${name.slice(1).replace('/', '-')}-0.1.0.tgz`);
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run npm run pack`);
  return file;
}

/**
 * An empty project with the given packages installed from the registry (and tarballs by path).
 * Within one run of run-packages.sh (KEYWAY_PACKAGES_CACHE set) a project of the same name is
 * installed once and shared by the test files, so better-sqlite3 compiles once per run.
 */
export async function installInto(name: string, specs: string[]): Promise<string> {
  const cache = process.env.KEYWAY_PACKAGES_CACHE;
  const dir = cache ? path.join(cache, name) : fs.mkdtempSync(path.join(os.tmpdir(), `keyway-${name}-`));
  if (cache && fs.existsSync(path.join(dir, '.installed'))) return dir;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: `partner-${name}`, private: true, type: 'module' }, null, 2),
  );
  await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...specs], {
    cwd: dir,
    maxBuffer: 16 * 1024 * 1024,
  });
  fs.writeFileSync(path.join(dir, '.installed'), specs.join('\n'));
  return dir;
}

/** Removes a project installInto made, unless the run's cache keeps it for the next file. */
export function release(dir: string): void {
  if (!process.env.KEYWAY_PACKAGES_CACHE) fs.rmSync(dir, { recursive: true, force: true });
}

/** Every package name in an installed tree (npm ls --all). */
export async function treeNames(dir: string): Promise<Set<string>> {
  const { stdout } = await run('npm', ['ls', '--all', '--json'], { cwd: dir, maxBuffer: 64 * 1024 * 1024 }).catch(
    (e: { stdout: string }) => ({ stdout: e.stdout }),
  );
  const names = new Set<string>();
  const walk = (deps: Record<string, { dependencies?: Record<string, unknown> }> | undefined) => {
    for (const [name, node] of Object.entries(deps ?? {})) {
      names.add(name);
      walk(node.dependencies as never);
    }
  };
  walk(JSON.parse(stdout).dependencies);
  return names;
}

/** The bytes of every file under a folder (install size as packagephobia counts it, not disk blocks). */
export async function installedBytes(dir: string): Promise<number> {
  const { stdout } = await run('du', ['-sb', '--apparent-size', dir]);
  return Number(stdout.split('\t')[0]);
}
