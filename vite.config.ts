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

/** Names lazy chunks by what they carry, so the budget check and a partner's CSP review can find them. */
function chunkName(chunk: { moduleIds: string[]; name: string }): string {
  if (chunk.moduleIds.some((id) => id.includes('libphonenumber-js'))) return 'phone-[hash].js';
  if (chunk.moduleIds.some((id) => id.includes('/qrcode/'))) return 'qr-[hash].js';
  if (chunk.moduleIds.some((id) => /\/i18n\/(de|ar)\.ts$/.test(id))) return 'locale-[name]-[hash].js';
  return '[name]-[hash].js';
}

// The CDN build: dist/cdn/keyway.js registers the five elements; phone metadata and QR stay lazy.
// (The npm build is plain tsc output in dist/; see package.json "build".)
export default defineConfig({
  plugins: [collapseTemplateIndentation()],
  build: {
    outDir: 'dist/cdn',
    emptyOutDir: true,
    target: 'es2022',
    // Library mode does not minify ES output by default: the size budget needs it explicitly.
    minify: true,
    sourcemap: true,
    copyPublicDir: false,
    lib: {
      entry: 'src/define.ts',
      formats: ['es'],
      fileName: () => 'keyway.js',
    },
    rollupOptions: {
      output: {
        chunkFileNames: chunkName,
      },
    },
  },
});
