// The partner examples (examples/html, react, vue), built from the packed tarballs as a partner
// would (esbuild; tsc --strict for the TypeScript ones) and driven in Chromium against a real
// Keyway server installed from the @keyway/server tarball: redeem a code, add the pass, watch the
// status change live. Also: a TSX element with a misspelt event detail does not compile.
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { build, stop as stopEsbuild } from 'esbuild';
import type { Browser } from 'playwright-core';
import { freePort, launch, phone, watchProblems } from '../e2e/browser.js';
import { demoSecretKey, ROOT } from '../helpers/process.js';
import { installInto, release, tarball } from './install.js';

const run = promisify(execFile);
const EXAMPLES = path.join(ROOT, 'examples');
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/** The registry dependencies the React and Vue examples name (installed once, together). */
function exampleDependencies(): string[] {
  const specs = new Set<string>();
  for (const name of ['react', 'vue']) {
    const pkg = JSON.parse(fs.readFileSync(path.join(EXAMPLES, name, 'package.json'), 'utf8'));
    for (const [dep, range] of Object.entries({ ...pkg.dependencies, ...pkg.devDependencies } as Record<
      string,
      string
    >)) {
      // The elements come from the tarball; TypeScript 5.9 and esbuild are this repository's own.
      if (!['@keyway/elements', 'typescript', 'esbuild'].includes(dep)) specs.add(`${dep}@${range}`);
    }
  }
  return [...specs];
}

const typecheck = (project: string, example: string) =>
  run(process.execPath, [TSC, '-p', path.join(project, example, 'tsconfig.json')], { cwd: project }).then(
    () => ({ code: 0, out: '' }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
  );

describe('the partner examples, built from the tarballs, in Chromium against a real server', {
  timeout: 900_000,
}, () => {
  let serverProject: string;
  let project: string;
  let keyway: ChildProcess;
  let keywayUrl: string;
  let dataDir: string;
  let site: http.Server;
  let siteUrl: string;
  let publishableKey: string;
  let secretKey: string;
  let browser: Browser;
  let out = '';

  before(async () => {
    [serverProject, project] = await Promise.all([
      installInto('server', [tarball('@keyway/server')]),
      installInto('examples', [tarball('@keyway/elements'), ...exampleDependencies()]),
    ]);
    for (const name of ['react', 'vue'])
      fs.cpSync(path.join(EXAMPLES, name), path.join(project, name), {
        recursive: true,
        filter: (f) => !f.includes('node_modules'),
      });

    // The Keyway server from its tarball, in development (dev SMS, dev signing certificates).
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-examples-data-'));
    const port = await freePort();
    keywayUrl = `http://127.0.0.1:${port}`;
    const { NODE_OPTIONS: _drop, ...parent } = process.env;
    const env = {
      ...parent,
      KEYWAY_ENV: 'development',
      KEYWAY_DATA_DIR: dataDir,
      PORT: String(port),
      PUBLIC_URL: keywayUrl,
    };
    // The bin link npx would run, started directly so that SIGTERM reaches the server itself.
    keyway = spawn(path.join(serverProject, 'node_modules', '.bin', 'keyway'), ['start'], {
      cwd: serverProject,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    keyway.stdout!.on('data', (d) => (out += d));
    keyway.stderr!.on('data', (d) => (out += d));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`keyway start: no answer in 90 s\n${out}`)), 90_000);
      keyway.stdout!.on('data', () => /listening on/.test(out) && (clearTimeout(timer), resolve()));
      keyway.once('exit', (code) => reject(new Error(`keyway start exited with ${code}\n${out}`)));
    });
    secretKey = demoSecretKey(dataDir);

    // The partner's site: one origin for the three examples; its publishable key names that origin.
    site = http.createServer((req, res) => serveExample(req, res));
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://127.0.0.1:${(site.address() as { port: number }).port}`;
    const created = await run(
      'npx',
      ['--no-install', 'keyway', 'keys', 'create', '--publishable', '--origins', siteUrl, '--name', 'examples'],
      { cwd: serverProject, env },
    );
    publishableKey = /pk_[A-Za-z0-9_-]+/.exec(created.stdout)![0];
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    site?.close();
    site?.closeAllConnections();
    await stopEsbuild();
    if (keyway && keyway.exitCode === null) {
      keyway.kill('SIGTERM');
      await new Promise((resolve) => keyway.once('exit', resolve));
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (project) release(project);
    if (serverProject) release(serverProject);
  });

  /** Static files of the built examples; the pages' placeholder server URL and key become the real ones. */
  function serveExample(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url!, 'http://x');
    const [, example, ...rest] = url.pathname.split('/');
    const roots: Record<string, string> = {
      html: path.join(EXAMPLES, 'html'),
      react: path.join(project, 'react'),
      vue: path.join(project, 'vue'),
    };
    const file = path.join(roots[example!] ?? '/nonexistent', rest.join('/') || 'index.html');
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) return res.writeHead(404).end();
    const type =
      { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' }[path.extname(file)] ??
      'application/octet-stream';
    let body: string | Buffer = fs.readFileSync(file);
    if (type === 'text/html')
      body = body
        .toString('utf8')
        .replaceAll('http://127.0.0.1:8787', keywayUrl)
        .replaceAll('pk_replace_me', publishableKey);
    res.writeHead(200, { 'content-type': `${type}; charset=utf-8` }).end(body);
  }

  async function invitation(): Promise<{ code: string; credentialId: string }> {
    const headers = { authorization: `Bearer ${secretKey}`, 'content-type': 'application/json' };
    const person = await fetch(`${keywayUrl}/api/3/people`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        person: { first_name: 'Ada', last_name: 'Example', email: 'ada@example.com', enabled: true },
      }),
    });
    assert.equal(person.status, 201, await person.clone().text());
    const { person: p } = (await person.json()) as { person: { id: number } };
    const credential = await fetch(`${keywayUrl}/api/3/people/${p.id}/credentials`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ person_credential: { credential_type_id: 9, enabled: true } }),
    });
    assert.equal(credential.status, 201);
    const { person_credential: c } = (await credential.json()) as {
      person_credential: { id: string; invitation_code: string };
    };
    return { code: c.invitation_code, credentialId: `${p.id}/credentials/${c.id}` };
  }

  test('React and Vue examples type-check with tsc --strict and build with esbuild', async () => {
    for (const example of ['react', 'vue']) {
      const checked = await typecheck(project, example);
      assert.equal(checked.code, 0, `${example}: ${checked.out}`);
    }
    const define = {
      'process.env.NODE_ENV': '"production"',
      __VUE_OPTIONS_API__: 'true',
      __VUE_PROD_DEVTOOLS__: 'false',
      __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
    };
    await build({
      absWorkingDir: project,
      entryPoints: ['react/src/main.tsx'],
      bundle: true,
      format: 'esm',
      jsx: 'automatic',
      outfile: 'react/dist/main.js',
      define,
      logLevel: 'error',
    });
    await build({
      absWorkingDir: project,
      entryPoints: ['vue/src/main.ts'],
      bundle: true,
      format: 'esm',
      outfile: 'vue/dist/main.js',
      define,
      alias: { vue: 'vue/dist/vue.esm-bundler.js' },
      logLevel: 'error',
    });
  });

  test('a TSX element with a misspelt event detail, or a wrong property type, does not compile', async () => {
    const file = path.join(project, 'react', 'src', 'misspelt.tsx');
    fs.writeFileSync(
      file,
      `import type {} from '@keyway/elements/react';\nexport const a = <invite-redeem oninvite-redeemed={(e) => e.detail.provisioningTokn} />;\n`,
    );
    try {
      const misspelt = await typecheck(project, 'react');
      assert.notEqual(misspelt.code, 0);
      assert.match(
        misspelt.out,
        /misspelt\.tsx.*Property 'provisioningTokn' does not exist on type 'ProvisioningDetail'/,
      );
      fs.writeFileSync(
        file,
        `import type {} from '@keyway/elements/react';\nexport const a = <credential-status compact="yes" />;\n`,
      );
      const wrongType = await typecheck(project, 'react');
      assert.match(wrongType.out, /misspelt\.tsx.*Type 'string' is not assignable to type 'boolean/);
      fs.writeFileSync(
        file,
        `import type {} from '@keyway/elements/react';\nexport const a = <invite-redeem oninvite-redeemed={(e) => e.detail.provisioningToken} code="ABC" />;\n`,
      );
      assert.equal((await typecheck(project, 'react')).code, 0, 'the correct spelling compiles');
    } finally {
      fs.rmSync(file, { force: true });
    }
  });

  for (const example of ['html', 'react', 'vue']) {
    test(`${example}: redeem a code, add the pass, see its status change live`, async () => {
      const { code, credentialId } = await invitation();
      const context = await phone(browser);
      try {
        const page = await context.newPage();
        const problems = watchProblems(page);
        await page.goto(`${siteUrl}/${example}/`);
        await page.getByRole('heading', { name: 'Your Acme Offices door pass' }).waitFor();
        await page.getByLabel('Invitation code').fill(code);
        await page.getByRole('button', { name: 'Redeem code' }).click();
        await page.getByText(/Invitation accepted \(provisioning\)/).waitFor();
        const [download] = await Promise.all([
          page.waitForEvent('download'),
          page.getByRole('button', { name: 'Add to Apple Wallet' }).click(),
        ]);
        assert.match(new URL(download.url()).pathname, /\.pkpass$/);
        await page.locator('credential-status').getByText('Being set up').waitFor();
        // The operator removes the pass: the page hears it without a reload.
        const removed = await fetch(`${keywayUrl}/api/3/people/${credentialId}`, {
          method: 'DELETE',
          headers: { authorization: `Bearer ${secretKey}` },
        });
        assert.equal(removed.status, 202);
        await page.getByText(/Your pass is now (revoking|revoked)\./).waitFor({ timeout: 30_000 });
        await page
          .locator('credential-status')
          .getByText(/Being removed|Removed/)
          .first()
          .waitFor();
        assert.deepEqual(problems, []);
      } finally {
        await context.close();
      }
    });
  }
});
