/** This build's version, as in packages/elements/package.json (packages/build.mjs checks they agree). */
export const VERSION = '0.1.0';
