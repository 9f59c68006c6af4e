// Generates dist/custom-elements.json from the JSDoc on each element class.

/**
 * The analyzer reads `static properties` but not `state: true`, so internal reactive state would
 * be listed as attributes; a private or protected field is never part of the public API.
 */
function dropInternalState() {
  return {
    name: 'keyway-drop-internal-state',
    packageLinkPhase({ customElementsManifest }) {
      for (const mod of customElementsManifest.modules) {
        for (const declaration of mod.declarations ?? []) {
          const members = declaration.members ?? [];
          const internal = new Set(members.filter((m) => m.privacy === 'private' || m.privacy === 'protected').map((m) => m.name));
          for (const member of members) if (internal.has(member.name)) delete member.attribute;
          declaration.members = members.filter((m) => !(m.static && m.name === 'properties'));
          if (declaration.attributes) declaration.attributes = declaration.attributes.filter((a) => !internal.has(a.fieldName));
        }
      }
    },
  };
}

export default {
  globs: ['src/**/*.ts'],
  exclude: ['src/**/*.styles.ts', 'src/i18n/**'],
  outdir: 'dist',
  litelement: true,
  plugins: [dropInternalState()],
};
