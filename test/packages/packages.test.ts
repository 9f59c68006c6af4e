// The two packed packages as partners install them (the README’s packages section): @keyway/elements alone in an empty
// project (no server or qrcode in its tree, at most 15 MB, each element on its own, a manifest true to the package and sources),
// and @keyway/server alone in another (the compiled `keyway` command, no tsx, a production start).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ROOT } from '../helpers/process.js';
import { installedBytes, installInto, release, tarball, treeNames } from './install.js';

const SERVER_ONLY = [
  '@keyway/server',
  'hono',
  '@hono/node-server',
  '@hono/zod-openapi',
  'better-sqlite3',
  'pg',
  'nodemailer',
  'node-forge',
  'kysely',
  'jose',
  'zod',
  'fflate',
  'tsx',
  'typescript',
  'esbuild',
];

interface Manifest {
  modules: {
    path: string;
    declarations?: Declaration[];
    exports?: { kind: string; name: string; declaration: { name: string; module?: string } }[];
  }[];
}
interface Declaration {
  name: string;
  tagName?: string;
  customElement?: boolean;
  events?: { name: string; type?: { text: string } }[];
  cssProperties?: { name: string }[];
  cssParts?: { name: string }[];
  slots?: { name: string }[];
}

/** The source files an element's module reaches through value imports (not `import type`), inside src/. */
function sourceClosure(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file) || !fs.existsSync(file)) return;
    seen.add(file);
    const code = fs.readFileSync(file, 'utf8');
    for (const m of code.matchAll(/(?:^import(?! type)[^;]*?from\s*|import\()\s*'(\.[^']+)\.js'/gm))
      visit(path.resolve(path.dirname(file), `${m[1]}.ts`));
  };
  visit(entry);
  return [...seen];
}

describe('@keyway/elements installed into an empty project', { timeout: 600_000 }, () => {
  let project: string;
  let pkg: string;
  let manifest: Manifest;
  before(async () => {
    project = await installInto('elements', [tarball('@keyway/elements')]);
    pkg = path.join(project, 'node_modules', '@keyway', 'elements');
    manifest = JSON.parse(fs.readFileSync(path.join(pkg, 'custom-elements.json'), 'utf8')) as Manifest;
  });
  after(() => release(project));

  test('its package.json: MIT, publishable, runtime dependencies only lit, @lit/context, libphonenumber-js', () => {
    const meta = JSON.parse(fs.readFileSync(path.join(pkg, 'package.json'), 'utf8'));
    assert.equal(meta.license, 'MIT');
    assert.notEqual(meta.private, true);
    assert.deepEqual(Object.keys(meta.dependencies).sort(), ['@lit/context', 'libphonenumber-js', 'lit']);
    assert.ok(fs.existsSync(path.join(pkg, 'LICENSE')));
    // Every file an export names is in the package.
    const targets: string[] = [];
    JSON.stringify(
      meta.exports,
      (_key, value) => (typeof value === 'string' && !value.includes('*') && targets.push(value), value),
    );
    for (const target of targets) assert.ok(fs.existsSync(path.join(pkg, target)), `exports names ${target}`);
    assert.ok(fs.existsSync(path.join(pkg, meta.customElements)));
  });

  test('nothing of the server or of qrcode in its tree, and at most 15 MB installed', async () => {
    const names = await treeNames(project);
    assert.ok(names.has('lit') && names.has('libphonenumber-js'), [...names].join(' '));
    for (const name of [...SERVER_ONLY, 'qrcode', 'dijkstrajs', 'yargs', 'pngjs'])
      assert.ok(!names.has(name), `${name} is in the tree`);
    assert.ok(!fs.existsSync(path.join(project, 'node_modules', 'better-sqlite3')));
    // libphonenumber-js alone is 10.4 MB (1.12.x, its builds and metadata); the rest of the tree is
    // capped too (qrcode's command-line dependencies made it 17.6 MB in all; the all-in-one package 77 MB).
    const bytes = await installedBytes(path.join(project, 'node_modules'));
    const phone = await installedBytes(path.join(project, 'node_modules', 'libphonenumber-js'));
    assert.ok(bytes - phone < 5e6, `installed without libphonenumber-js: ${((bytes - phone) / 1e6).toFixed(1)} MB`);
    assert.ok(bytes <= 15e6, `installed: ${(bytes / 1e6).toFixed(2)} MB`);
  });

  test('the QR module draws a code with qrcode bundled inside it', async () => {
    const qr = path.join(pkg, 'dist', 'internal', 'qr-render.js');
    assert.doesNotMatch(fs.readFileSync(qr, 'utf8'), /from\s*["']qrcode["']/);
    const { renderQrDataUrl } = (await import(qr)) as { renderQrDataUrl(text: string): Promise<string> };
    const url = await renderQrDataUrl('https://keyway.example.com/p#h=abc');
    assert.match(url, /^data:image\/svg\+xml;charset=utf-8,%3Csvg/);
  });

  test('each element imports and registers on its own, and a bundler keeps only that element', async () => {
    const { build } = await import('esbuild');
    const bundle = async (code: string) => {
      const result = await build({
        stdin: { contents: code, resolveDir: project, loader: 'js' },
        bundle: true,
        format: 'esm',
        platform: 'browser',
        minify: true,
        write: false,
        logLevel: 'silent',
      });
      return result.outputFiles[0]!.text;
    };
    /** Another element is in a bundle when its tag is, as a string (event names such as invite-redeemed are not tags). */
    const carries = (code: string, tag: string) => new RegExp(`["'\`]${tag}["'\`]`).test(code);
    const others = (tag: string) =>
      ['invite-redeem', 'sms-otp-verify', 'add-to-wallet', 'credential-status'].filter((t) => t !== tag);
    for (const tag of ['invite-redeem', 'sms-otp-verify', 'add-to-wallet', 'credential-status']) {
      const registered = await bundle(`import '@keyway/elements/define/${tag}';`);
      assert.ok(carries(registered, tag), `${tag} registers`);
      assert.match(registered, /customElements\.define\(/);
      for (const other of others(tag)) assert.ok(!carries(registered, other), `${tag}'s bundle carries <${other}>`);
    }
    const classOnly = await bundle(
      `import { InviteRedeem } from '@keyway/elements/invite-redeem'; console.log(InviteRedeem);`,
    );
    assert.doesNotMatch(classOnly, /customElements\.define\(/, 'importing a class registers nothing');
    const provider = await bundle(`import '@keyway/elements/define/keyway-provider';`);
    for (const other of others('')) assert.ok(!carries(provider, other), `keyway-provider's bundle carries <${other}>`);
  });

  test('every module path in custom-elements.json exists in the package', () => {
    const paths = new Set<string>();
    JSON.stringify(manifest, (key, value) => {
      if ((key === 'path' || key === 'module') && typeof value === 'string') paths.add(value);
      return value;
    });
    assert.ok(paths.size > 20);
    for (const p of paths) assert.ok(fs.existsSync(path.join(pkg, p)), `${p} is not in the package`);
  });

  test('definitions are named by their real tags; every event has a type', () => {
    const definitions = manifest.modules
      .flatMap((m) => m.exports ?? [])
      .filter((e) => e.kind === 'custom-element-definition');
    assert.deepEqual(definitions.map((d) => d.name).sort(), [
      'add-to-wallet',
      'credential-status',
      'invite-redeem',
      'keyway-provider',
      'sms-otp-verify',
    ]);
    const declarations = manifest.modules.flatMap((m) => m.declarations ?? []).filter((d) => d.customElement);
    for (const d of definitions) assert.equal(declarations.find((x) => x.name === d.declaration.name)?.tagName, d.name);
    for (const d of declarations)
      for (const e of d.events ?? [])
        assert.match(e.type?.text ?? '', /^CustomEvent<\w+Detail>$/, `${d.tagName} ${e.name}`);
  });

  test('every CSS custom property, part and slot an element uses is listed for it', () => {
    for (const mod of manifest.modules) {
      for (const d of mod.declarations ?? []) {
        if (!d.customElement || !d.tagName) continue;
        const source = path.join(ROOT, mod.path.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts'));
        const text = sourceClosure(source)
          .map((f) => fs.readFileSync(f, 'utf8'))
          .join('\n');
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the manifest's own placeholder, not a template
        const platform = '${platform}';
        const expand = (name: string) =>
          name.includes(platform) ? ['apple', 'google'].map((p) => name.replace(platform, p)) : [name];
        const used = {
          cssProperties: new Set([...text.matchAll(/var\((--keyway-[a-z0-9-]+)/g)].map((m) => m[1]!)),
          cssParts: new Set(
            [...text.matchAll(/\spart=["']([^"']+)["']/g)].flatMap((m) => m[1]!.split(/\s+/)).flatMap(expand),
          ),
          slots: new Set([...text.matchAll(/<slot(?:\s+name="([^"]+)")?/g)].flatMap((m) => expand(m[1] ?? ''))),
        };
        for (const [kind, names] of Object.entries(used) as [keyof typeof used, Set<string>][]) {
          const listed = new Set((d[kind] ?? []).map((x) => x.name));
          const missing = [...names].filter((n) => !listed.has(n));
          assert.deepEqual(missing, [], `${d.tagName} uses ${kind} it does not list`);
        }
      }
    }
  });

  test('the types name every tag for the DOM, React and Vue', () => {
    const react = fs.readFileSync(path.join(pkg, 'types', 'react.d.ts'), 'utf8');
    const vue = fs.readFileSync(path.join(pkg, 'types', 'vue.d.ts'), 'utf8');
    for (const tag of ['add-to-wallet', 'credential-status', 'invite-redeem', 'keyway-provider', 'sms-otp-verify']) {
      assert.match(react, new RegExp(`'${tag}': KeywayElementProps<`));
      assert.match(vue, new RegExp(`'${tag}': KeywayVueElement<`));
    }
    const dts = fs.readFileSync(path.join(pkg, 'dist', 'elements', 'invite-redeem', 'invite-redeem.d.ts'), 'utf8');
    assert.match(dts, /interface HTMLElementTagNameMap/);
    assert.match(
      fs.readFileSync(path.join(pkg, 'dist', 'events.d.ts'), 'utf8'),
      /interface GlobalEventHandlersEventMap extends KeywayEventMap/,
    );
  });
});

describe('@keyway/server installed into an empty project', { timeout: 900_000 }, () => {
  let project: string;
  before(async () => {
    project = await installInto('server', [tarball('@keyway/server')]);
  });
  after(() => release(project));

  /**
   * `npx keyway …` in the partner's project, with no TypeScript loader inherited from this test.
   * A server runs its bin link (what npx runs) directly, so SIGTERM reaches the server itself.
   */
  const keyway = (args: string[], env: Record<string, string>, { direct = false } = {}) => {
    const { NODE_OPTIONS: _drop, ...parent } = process.env;
    const [command, prefix] = direct
      ? [path.join(project, 'node_modules', '.bin', 'keyway'), []]
      : ['npx', ['--no-install', 'keyway']];
    return spawn(command, [...prefix, ...args], {
      cwd: project,
      env: { ...parent, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  };

  test('compiled JavaScript only: no tsx or TypeScript in its tree, no .ts file in the package', async () => {
    const names = await treeNames(project);
    assert.ok(names.has('hono') && names.has('better-sqlite3'));
    assert.ok(!names.has('tsx') && !names.has('typescript') && !names.has('esbuild'), 'TypeScript tooling in the tree');
    const files = fs
      .readdirSync(path.join(project, 'node_modules', '@keyway', 'server'), { recursive: true })
      .map(String);
    assert.ok(files.includes(path.join('server', 'main.js')));
    assert.deepEqual(
      files.filter((f) => f.endsWith('.ts')),
      [],
    );
    assert.ok(files.includes(path.join('dist', 'cdn', 'keyway.js')), 'the CDN build the hosted page loads');
  });

  test('npx keyway serve --help', async () => {
    const child = keyway(['serve', '--help'], {});
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    assert.equal(code, 0, out);
    assert.match(out, /Usage: npx keyway serve/);
  });

  test('npx keyway serve starts in production with a valid configuration and serves /p and the CDN file', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-pkg-data-'));
    const child = keyway(
      ['serve'],
      {
        PORT: '0',
        KEYWAY_DATA_DIR: dataDir,
        PUBLIC_URL: 'https://keyway.example.com',
        KEYWAY_SECRET: Buffer.alloc(32, 7).toString('base64'),
        KEYWAY_SMS_PROVIDER: 'webhook',
        KEYWAY_SMS_WEBHOOK_URL: 'https://sms.example.com/send',
        KEYWAY_SMS_WEBHOOK_SECRET: `whsec_${Buffer.alloc(32, 9).toString('base64')}`,
        KEYWAY_PASSES: 'off',
      },
      { direct: true },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    try {
      const port = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no start in 60 s:\n${out}`)), 60_000);
        child.stdout.on('data', () => {
          const m = /production server listening on [\d.]+:(\d+)/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        });
        child.once('exit', (code) => reject(new Error(`exited with ${code}:\n${out}`)));
      });
      const base = `http://127.0.0.1:${port}`;
      assert.equal((await fetch(`${base}/healthz`)).status, 200);
      const page = await fetch(`${base}/p`);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-security-policy')!, /script-src 'self'/);
      assert.match(await page.text(), /<invite-redeem>/);
      const cdn = await fetch(`${base}/cdn/keyway.js`);
      assert.equal(cdn.status, 200);
      const loader = await cdn.text();
      assert.match(loader, /MutationObserver/);
      const chunk = /\.\/(invite-redeem-[\w-]+\.js)/.exec(loader)?.[1];
      assert.ok(chunk, 'the loader names the element chunks');
      assert.equal((await fetch(`${base}/cdn/${chunk}`)).status, 200);
      assert.equal((await fetch(`${base}/`)).status, 404, 'production has no demo');
      // The staff console ships in the package: its page and its built script.
      const consolePage = await fetch(`${base}/console`);
      assert.equal(consolePage.status, 200);
      assert.match(await consolePage.text(), /\/console\/assets\/console\.js/);
      const consoleScript = await fetch(`${base}/console/assets/console.js`);
      assert.equal(consoleScript.status, 200, 'dist/console is in @keyway/server');
      assert.match(consoleScript.headers.get('content-type') ?? '', /javascript/);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
