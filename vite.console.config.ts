import { defineConfig } from 'vite';

// The staff console (docs/console.md): its own build in dist/console, served by the server under
// /console/assets. Nothing here is part of @keyway/elements' CDN entry (vite.config.ts).
export default defineConfig({
  // Where the chunks are served: Vite's preload of a lazy chunk's dependencies (the import and
  // activity pages, the de and ar words) asks for them under this path, not the site's root.
  base: '/console/assets/',
  build: {
    outDir: 'dist/console',
    emptyOutDir: true,
    target: 'es2022',
    minify: true,
    sourcemap: true,
    copyPublicDir: false,
    rollupOptions: {
      input: 'src/console/main.ts',
      preserveEntrySignatures: 'allow-extension',

      output: {
        entryFileNames: 'console.js',
        chunkFileNames: '[name]-[hash].js',
        format: 'es',
      },
    },
  },
});
