// Generates dist/custom-elements.json from the JSDoc on each element class.
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';

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
          const internal = new Set(
            members.filter((m) => m.privacy === 'private' || m.privacy === 'protected').map((m) => m.name),
          );
          for (const member of members) if (internal.has(member.name)) delete member.attribute;
          declaration.members = members.filter((m) => !(m.static && m.name === 'properties'));
          if (declaration.attributes)
            declaration.attributes = declaration.attributes.filter((a) => !internal.has(a.fieldName));
        }
      }
    },
  };
}

/** Module paths as published: `src/x.ts` (and the analyzer's `/src/x.js`) → `dist/x.js`, which tsc writes. */
const publishedPath = (p) => p.replace(/^\/?src\/(.*)\.(ts|js)$/, 'dist/$1.js');

/** Event name → `CustomEvent<Detail>`, read from KeywayEventMap (the map GlobalEventHandlersEventMap extends). */
function eventTypes() {
  const source = readFileSync(new URL('./src/events.ts', import.meta.url), 'utf8');
  const map = /interface KeywayEventMap \{([\s\S]*?)\n\}/.exec(source)?.[1] ?? '';
  return new Map([...map.matchAll(/'([a-z-]+)': (CustomEvent<\w+>);/g)].map((m) => [m[1], m[2]]));
}

/**
 * What the analyzer leaves untrue for a published package: paths to sources the tarball lacks,
 * defineElement's call read as one definition named "tag", events without types, and the theme
 * tokens documented once on KeywayElement but read by every element that extends it.
 */
function publishableManifest() {
  return {
    name: 'keyway-publishable-manifest',
    packageLinkPhase({ customElementsManifest }) {
      const modules = customElementsManifest.modules;
      const types = eventTypes();
      const base = modules.flatMap((m) => m.declarations ?? []).find((d) => d.name === 'KeywayElement');
      const elements = [];
      for (const mod of modules) {
        for (const declaration of mod.declarations ?? []) {
          if (!declaration.customElement || !declaration.tagName) continue;
          elements.push({ tag: declaration.tagName, name: declaration.name, module: mod.path });
          for (const event of declaration.events ?? []) {
            const type = types.get(event.name);
            if (!type)
              throw new Error(`${declaration.tagName} fires ${event.name}, which KeywayEventMap does not declare`);
            event.type = { text: type };
          }
          if (declaration.superclass?.name === 'KeywayElement') {
            const own = new Set((declaration.cssProperties ?? []).map((p) => p.name));
            declaration.cssProperties = [
              ...(declaration.cssProperties ?? []),
              ...(base?.cssProperties ?? []).filter((p) => !own.has(p.name)),
            ];
          }
        }
      }
      // Tags are registered through defineElement (src/internal/registry.ts), which the analyzer
      // reads as one definition named "tag": each definition belongs to its src/define/<tag>.ts.
      for (const mod of modules)
        mod.exports = (mod.exports ?? []).filter((e) => e.kind !== 'custom-element-definition');
      for (const e of elements) {
        const define = modules.find((m) => m.path === `src/define/${e.tag}.ts`);
        if (!define) throw new Error(`no src/define/${e.tag}.ts registers <${e.tag}>`);
        define.exports.push({
          kind: 'custom-element-definition',
          name: e.tag,
          declaration: { name: e.name, module: e.module },
        });
      }
      // A re-export's module is relative to the module that re-exports it (`./elements/x.js`).
      const rewrite = (node, from) => {
        if (Array.isArray(node)) {
          for (const n of node) rewrite(n, from);
          return;
        }
        if (!node || typeof node !== 'object') return;
        for (const [key, value] of Object.entries(node)) {
          if (key === 'module' && typeof value === 'string' && value.startsWith('.'))
            node[key] = publishedPath(posix.join(posix.dirname(from), value));
          else if ((key === 'path' || key === 'module') && typeof value === 'string') node[key] = publishedPath(value);
          else rewrite(value, from);
        }
      };
      for (const mod of modules) rewrite(mod, mod.path);
    },
  };
}

export default {
  globs: ['src/**/*.ts'],
  // src/loader.ts is the CDN entry only (vite); the npm package has no dist/loader.js.
  exclude: ['src/**/*.styles.ts', 'src/i18n/**', 'src/loader.ts', 'src/client/api-types.ts', 'src/console/**'],
  outdir: 'dist',
  litelement: true,
  plugins: [dropInternalState(), publishableManifest()],
};
