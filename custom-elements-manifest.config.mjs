// Generates dist/custom-elements.json from the JSDoc on each element class.
export default {
  globs: ['src/**/*.ts'],
  exclude: ['src/**/*.styles.ts', 'src/i18n/**'],
  outdir: 'dist',
  litelement: true,
};
