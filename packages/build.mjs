// Fills the two publishable packages from the repository's build (run by `npm run pack`, after
// `npm run build`): packages/elements gets dist/ (tsc, with qrcode bundled into the lazy QR
// module), cdn/ (vite), custom-elements.json and the framework types generated from it; packages/server gets every server/**/*.ts compiled by tsc,
// every other file under server/ (page assets), the CDN build it serves, and the LICENSE.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as esbuild } from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const at = (...p) => path.join(ROOT, ...p);
const rootPackage = JSON.parse(fs.readFileSync(at('package.json'), 'utf8'));

function fresh(dir) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
}

/**
 * @keyway/elements ships no source maps (they were 1.2 MB of its 2 MB, and tsc's point at src/,
 * which is not in the package): the install stays under 15 MB beside libphonenumber-js's 10. The
 * server's /cdn keeps the CDN build's maps.
 */
const notSourceMap = (file) => !file.endsWith('.map');
function dropSourceMapComments(dir) {
  for (const file of fs.readdirSync(dir, { recursive: true })) {
    if (!/\.(js|d\.ts)$/.test(String(file))) continue;
    const full = path.join(dir, String(file));
    const text = fs.readFileSync(full, 'utf8');
    const stripped = text.replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, '\n');
    if (stripped !== text) fs.writeFileSync(full, stripped);
  }
}

/** Each dependency range must be the root's, so the lockfile and both packages agree. */
function checkRanges(pkg) {
  for (const [name, range] of Object.entries(pkg.dependencies ?? {})) {
    if (rootPackage.dependencies[name] !== range)
      throw new Error(`${pkg.name}: ${name}@${range} differs from the root's ${rootPackage.dependencies[name]}`);
  }
}

// ---- @keyway/elements ------------------------------------------------------------------------
const elements = at('packages', 'elements');
const elementsPackage = JSON.parse(fs.readFileSync(path.join(elements, 'package.json'), 'utf8'));
checkRanges(elementsPackage);
// The registry tells versions apart on a page (src/internal/version.ts): it must say this package's.
const versionSource = fs.readFileSync(at('src', 'internal', 'version.ts'), 'utf8');
if (!versionSource.includes(`VERSION = '${elementsPackage.version}'`))
  throw new Error(`src/internal/version.ts does not say ${elementsPackage.version}, the version of @keyway/elements`);
if (!fs.existsSync(at('dist', 'cdn', 'keyway.js')) || !fs.existsSync(at('dist', 'index.js')))
  throw new Error('run `npm run build` first');
fresh(path.join(elements, 'dist'));
for (const entry of fs.readdirSync(at('dist'))) {
  if (['cdn', 'packages', 'custom-elements.json'].includes(entry)) continue;
  fs.cpSync(at('dist', entry), path.join(elements, 'dist', entry), { recursive: true, filter: notSourceMap });
}
// qrcode is bundled into the lazy QR module (with dijkstrajs, its one dependency), so a partner's
// install does not pull qrcode's command-line dependencies (yargs and friends) for a QR drawing.
const qrModule = path.join(elements, 'dist', 'internal', 'qr-render.js');
await esbuild({
  entryPoints: [at('dist', 'internal', 'qr-render.js')],
  outfile: qrModule,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  allowOverwrite: true,
  banner: { js: '/*! Bundles qrcode and dijkstrajs (MIT): licences in ../../cdn/THIRD_PARTY_LICENSES.txt */' },
});
if (/from\s*["']qrcode["']|import\(["']qrcode["']\)/.test(fs.readFileSync(qrModule, 'utf8')))
  throw new Error('qr-render.js still imports qrcode');
fresh(path.join(elements, 'cdn'));
fs.cpSync(at('dist', 'cdn'), path.join(elements, 'cdn'), { recursive: true, filter: notSourceMap });
dropSourceMapComments(elements);
// The manifest sits at the package root, so its `dist/…` module paths resolve inside the package.
const manifest = JSON.parse(fs.readFileSync(at('dist', 'custom-elements.json'), 'utf8'));
fs.writeFileSync(path.join(elements, 'custom-elements.json'), `${JSON.stringify(manifest, null, 2)}\n`);
fresh(path.join(elements, 'types'));
const tags = frameworkTags(manifest);
fs.writeFileSync(path.join(elements, 'types', 'react.d.ts'), reactTypes(tags));
fs.writeFileSync(path.join(elements, 'types', 'vue.d.ts'), vueTypes(tags));
fs.copyFileSync(at('LICENSE'), path.join(elements, 'LICENSE'));

// ---- @keyway/server --------------------------------------------------------------------------
const server = at('packages', 'server');
const serverPackage = JSON.parse(fs.readFileSync(path.join(server, 'package.json'), 'utf8'));
checkRanges(serverPackage);
fresh(path.join(server, 'server'));
execFileSync(
  process.execPath,
  [at('node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(server, 'tsconfig.json')],
  { stdio: 'inherit' },
);
// Whatever the server reads from disk beside its code (page assets today) ships as it is.
for (const file of fs.readdirSync(at('server'), { recursive: true, withFileTypes: true })) {
  if (!file.isFile() || file.name.endsWith('.ts')) continue;
  const relative = path.relative(at('server'), path.join(file.parentPath, file.name));
  fs.mkdirSync(path.dirname(path.join(server, 'server', relative)), { recursive: true });
  fs.copyFileSync(path.join(file.parentPath, file.name), path.join(server, 'server', relative));
}
fresh(path.join(server, 'dist'));
fs.cpSync(at('dist', 'cdn'), path.join(server, 'dist', 'cdn'), { recursive: true });
fs.cpSync(at('dist', 'console'), path.join(server, 'dist', 'console'), { recursive: true });
fs.copyFileSync(at('LICENSE'), path.join(server, 'LICENSE'));
// Every package the compiled server imports must be one of its dependencies (never tsx).
const imported = new Set();
for (const file of fs.readdirSync(path.join(server, 'server'), { recursive: true })) {
  if (!String(file).endsWith('.js')) continue;
  const code = fs.readFileSync(path.join(server, 'server', String(file)), 'utf8');
  const specifiers = [
    ...code.matchAll(/^\s*(?:import|export)\b[^'";]*?\bfrom\s*['"]([^'"]+)['"]/gm),
    ...code.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm),
    ...code.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((m) => m[1]);
  for (const s of specifiers) {
    if (/^(\.|\/|node:)/.test(s)) continue; // relative, a browser asset's /cdn URL, or built in
    imported.add(s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]);
  }
}
if (!imported.has('hono')) throw new Error('found no imports in the compiled server');
const missing = [...imported].filter((name) => !serverPackage.dependencies[name]);
if (missing.length)
  throw new Error(`@keyway/server imports ${missing.map((m) => JSON.stringify(m)).join(', ')} without depending on it`);

// ---- framework types, generated from the manifest ---------------------------------------------
/** Per tag: its class, its public settable properties and the events it fires. */
function frameworkTags(cem) {
  const out = [];
  for (const mod of cem.modules) {
    for (const d of mod.declarations ?? []) {
      if (!d.customElement || !d.tagName) continue;
      const props = (d.members ?? [])
        .filter(
          (m) =>
            m.kind === 'field' &&
            !m.static &&
            !m.readonly &&
            (m.privacy ?? 'public') === 'public' &&
            !m.name.startsWith('_'),
        )
        .map((m) => m.name);
      out.push({
        tag: d.tagName,
        className: d.name,
        props: [...new Set(props)].sort(),
        events: (d.events ?? []).map((e) => e.name),
      });
    }
  }
  return out.sort((a, b) => a.tag.localeCompare(b.tag));
}

function header(tags) {
  const classes = tags.map((t) => t.className).join(', ');
  return `// Generated by packages/build.mjs from custom-elements.json: do not edit.\nimport type { ${classes}, KeywayEventMap } from '../dist/index.js';\n`;
}

function union(names) {
  return names.length ? names.map((n) => `'${n}'`).join(' | ') : 'never';
}
/** Events bubble: a <keyway-provider> hears every event of the elements inside it. */
function eventsOf(t, tags) {
  return t.tag === 'keyway-provider' ? [...new Set(tags.flatMap((x) => x.events))] : t.events;
}

function reactTypes(tags) {
  return `${header(tags)}import type { HTMLAttributes, ReactNode, RefAttributes } from 'react';

/** React 19 adds a listener for each \`on<event-name>\` prop of a custom element, named exactly. */
export type KeywayEventProps<E extends keyof KeywayEventMap> = { [K in E as \`on\${K}\`]?: (event: KeywayEventMap[K]) => void };

/** React 19 sets a custom element's known properties as properties, so objects (a client) pass as they are. */
export type KeywayElementProps<T extends HTMLElement, P extends keyof T, E extends keyof KeywayEventMap> = Partial<Pick<T, P>> &
  KeywayEventProps<E> &
  Omit<HTMLAttributes<T>, P> &
  RefAttributes<T> & { children?: ReactNode; class?: string };

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
${tags.map((t) => `      '${t.tag}': KeywayElementProps<${t.className}, ${union(t.props)}, ${union(eventsOf(t, tags))}>;`).join('\n')}
    }
  }
}
`;
}

function vueTypes(tags) {
  return `${header(tags)}import type { DefineComponent } from 'vue';

type Camel<S extends string> = S extends \`\${infer H}-\${infer T}\` ? \`\${H}\${Capitalize<Camel<T>>}\` : S;
/** \`@invite-redeemed\` in a template is the \`onInviteRedeemed\` prop to Vue's type checker. */
export type KeywayVueEvents<E extends keyof KeywayEventMap> = { [K in E as \`on\${Capitalize<Camel<K>>}\`]?: (event: KeywayEventMap[K]) => void };
export type KeywayVueElement<T extends HTMLElement, P extends keyof T, E extends keyof KeywayEventMap> = DefineComponent<Partial<Pick<T, P>> & KeywayVueEvents<E>>;

declare module 'vue' {
  interface GlobalComponents {
${tags.map((t) => `    '${t.tag}': KeywayVueElement<${t.className}, ${union(t.props)}, ${union(eventsOf(t, tags))}>;`).join('\n')}
  }
}
`;
}
