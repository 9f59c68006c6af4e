import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

/**
 * Lit templates keep their source indentation. After minification real newlines only remain
 * inside template literals, where a newline plus indentation means the same as one newline.
 */
function collapseTemplateIndentation(): Plugin {
  return {
    name: 'keyway-collapse-template-indentation',
    apply: 'build',
    renderChunk(code) {
      return { code: code.replace(/\n[ \t]+/g, '\n').replace(/\n{2,}/g, '\n'), map: null };
    },
  };
}

/**
 * Lit's css`` blocks reach the browser verbatim: drop comments and the whitespace CSS does not
 * need (never before ':' — `a :hover` differs from `a:hover`). Blocks with `${}` are left alone.
 */
function minifyCssTemplates(): Plugin {
  const minify = (css: string) =>
    css
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\s+/g, ' ')
      .replace(/\s*([{};,>])\s*/g, '$1')
      .replace(/([{;][-\w]+):\s+/g, '$1:') // `color: red` after `{` or `;` is a declaration, never a selector
      .replace(/;}/g, '}')
      .trim();
  return {
    name: 'keyway-minify-css-templates',
    apply: 'build',
    transform(code, id) {
      if (!/\/src\/.*\.ts$/.test(id) || !code.includes('css`')) return null;
      return {
        code: code.replace(/\bcss`([^`]*)`/g, (whole, body: string) =>
          body.includes('${') ? whole : `css\`${minify(body)}\``,
        ),
        map: null,
      };
    },
  };
}

// Third-party licences ship beside the bundle (as esbuild's legalComments "external" does);
// each file points at them instead of carrying Lit's per-module comments (about 100 bytes gz).
const THIRD_PARTY = [
  'lit',
  'lit-html',
  'lit-element',
  '@lit/reactive-element',
  '@lit/context',
  'libphonenumber-js',
  'qrcode',
  'dijkstrajs',
];
const LICENSES_FILE = 'THIRD_PARTY_LICENSES.txt';

function thirdPartyLicenses(): Plugin {
  return {
    name: 'keyway-third-party-licenses',
    apply: 'build',
    generateBundle() {
      const texts = THIRD_PARTY.map((name) => {
        const dir = fileURLToPath(new URL(`./node_modules/${name}/`, import.meta.url));
        const file = readdirSync(dir).find((f) => /^licen[cs]e/i.test(f));
        if (!file) throw new Error(`no licence file in ${name}`);
        return `${name}\n${'-'.repeat(name.length)}\n${readFileSync(join(dir, file), 'utf8').trim()}\n`;
      });
      this.emitFile({ type: 'asset', fileName: LICENSES_FILE, source: texts.join('\n') });
    },
  };
}

/** Names lazy chunks by what they carry, so the budget check and a partner's CSP review can find them. */
function chunkName(chunk: { moduleIds: string[]; name: string }): string {
  if (chunk.moduleIds.some((id) => id.includes('libphonenumber-js'))) return 'phone-[hash].js';
  if (chunk.moduleIds.some((id) => id.includes('/qrcode/'))) return 'qr-[hash].js';
  if (chunk.moduleIds.some((id) => /\/i18n\/(de|ar)\.ts$/.test(id))) return 'locale-[name]-[hash].js';
  if (chunk.moduleIds.some((id) => id.endsWith('/handoff-panel.ts'))) return 'handoff-[hash].js';
  if (chunk.moduleIds.some((id) => id.endsWith('/seams/index.ts'))) return 'seams-[hash].js';
  return '[name]-[hash].js';
}

/**
 * What most elements share travels in one `core` chunk: Lit, the context, the base class with its
 * client, strings and styles, and the form controllers. A page's first element fetches it once;
 * each element after costs only its own chunk. (Left to Rollup, the same code came as five files
 * whose separate gzip cost 0.5 KiB more on an <invite-redeem> page.)
 */
const CORE = [
  /\/node_modules\/(lit|lit-html|lit-element|@lit\/reactive-element)\//,
  // The consumer side of @lit/context; the provider's half stays in <keyway-provider>'s chunk.
  /\/node_modules\/@lit\/context\/(index\.js|lib\/(context-request-event|create-context|controllers\/context-consumer)\.js)$/,
  /\/src\/(context|events)\.ts$/,
  /\/src\/client\/(errors|fetch-client)\.ts$/,
  /\/src\/keyway-element\.ts$/,
  /\/src\/internal\/(server-clock|normalize|registry|version)\.ts$/,
  /\/src\/controllers\/(countdown|localize|token-expiry|request|form-field)\.ts$/,
  /\/src\/i18n\/(index|en)\.ts$/,
  /\/src\/styles\//,
];
const coreChunk = (id: string) => (CORE.some((pattern) => pattern.test(id)) ? 'core' : undefined);

/** Only files carrying third-party code point at the licences; our own chunks are MIT like the package. */
const licenceBanner = (chunk: { moduleIds: string[] }) =>
  chunk.moduleIds.some((id) => id.includes('/node_modules/')) ? `/*! Licences: ${LICENSES_FILE} */` : '';

// The CDN build: dist/cdn/keyway.js is a small loader (src/loader.ts) that fetches each element's
// chunk when its tag appears; phone metadata, QR, locales and the hand-off panel stay lazy too.
// (The npm build is plain tsc output in dist/; see package.json "build".)
export default defineConfig({
  plugins: [minifyCssTemplates(), collapseTemplateIndentation(), thirdPartyLicenses()],
  build: {
    outDir: 'dist/cdn',
    emptyOutDir: true,
    target: 'es2022',
    // Library mode does not minify ES output by default: the size budget needs it explicitly.
    minify: true,
    sourcemap: true,
    copyPublicDir: false,
    lib: {
      entry: 'src/loader.ts',
      formats: ['es'],
      fileName: () => 'keyway.js',
    },
    rollupOptions: {
      // Lazy chunks import shared code (lit, controllers) from keyway.js itself instead of from an
      // extra common chunk the entry would load statically.
      preserveEntrySignatures: 'allow-extension',
      output: {
        chunkFileNames: chunkName,
        manualChunks: coreChunk,
        // Library mode keeps whitespace in ES output even with build.minify (for bundlers); the CDN
        // file goes straight to browsers, so minify fully and drop bundler-only annotations.
        minify: true,
        comments: { annotation: false, jsdoc: false, legal: false },
        postBanner: licenceBanner,
      },
    },
  },
});
