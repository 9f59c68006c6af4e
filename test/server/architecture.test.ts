/**
 * The import graph, checked: no cycle in server/ or src/, and no import from a lower layer into a
 * higher one (docs/architecture.md). The layers are data, so changing the rules is one edit here.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * Highest first. A file may import its own layer and any layer below it, never one above.
 * `apart` folders of one layer are independent of each other (wallet never imports delivery).
 */
const SERVER_LAYERS: { name: string; members: string[]; apart?: boolean }[] = [
  { name: 'entry', members: ['server/main.ts', 'server/app.ts', 'server/runtime.ts', 'server/cli/'] },
  { name: 'http', members: ['server/http/', 'server/pages/'] },
  { name: 'domain', members: ['server/domain/'] },
  { name: 'services', members: ['server/wallet/', 'server/delivery/', 'server/webhooks/', 'server/hid/'], apart: true },
  { name: 'storage', members: ['server/storage/', 'server/crypto/'], apart: true },
  {
    name: 'foundation',
    members: ['server/config.ts', 'server/log.ts', 'server/clock.ts', 'server/metrics.ts', 'server/messages/'],
  },
];

interface Edge {
  from: string;
  to: string;
  typeOnly: boolean;
  /** The names imported (`import { a, b }`), when the import names them. */
  names?: string[];
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...sourceFiles(rel));
    else if (/\.ts$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

/** Relative specifier → repository path of the .ts file it names, or null for packages and assets. */
function resolve(from: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  for (const candidate of [base.replace(/\.js$/, '.ts'), `${base}.ts`, `${base}/index.ts`]) {
    if (fs.existsSync(path.join(ROOT, candidate))) return candidate;
  }
  return null;
}

function importsOf(file: string): Edge[] {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const edges: Edge[] = [];
  const add = (specifier: ts.Expression | undefined, typeOnly: boolean, names?: string[]) => {
    if (!specifier || !ts.isStringLiteralLike(specifier)) return;
    const to = resolve(file, specifier.text);
    if (to) edges.push({ from: file, to, typeOnly, names });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const named =
        clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
      const typeOnly =
        !!clause &&
        (clause.isTypeOnly || (!clause.name && !!named && named.length > 0 && named.every((e) => e.isTypeOnly)));
      add(
        node.moduleSpecifier,
        typeOnly,
        named?.map((e) => (e.propertyName ?? e.name).text),
      );
    } else if (ts.isExportDeclaration(node)) {
      const named = node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause.elements : undefined;
      add(node.moduleSpecifier, node.isTypeOnly || (!!named && named.length > 0 && named.every((e) => e.isTypeOnly)));
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node.arguments[0], false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal as ts.Expression, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edges;
}

const graphOf = (dir: string) => sourceFiles(dir).flatMap(importsOf);

/** Every cycle, as its strongly connected component (Tarjan), each listed once. */
function cyclesOf(edges: Edge[]): string[][] {
  const next = new Map<string, Set<string>>();
  for (const e of edges) {
    if (!next.has(e.from)) next.set(e.from, new Set());
    next.get(e.from)!.add(e.to);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let counter = 0;
  const strong = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || next.get(v)?.has(v)) components.push(component.sort());
    }
  };
  for (const v of next.keys()) if (!index.has(v)) strong(v);
  return components;
}

function layerOf(file: string): { rank: number; member: string } | null {
  for (const [rank, layer] of SERVER_LAYERS.entries()) {
    const member = layer.members.find((m) => (m.endsWith('/') ? file.startsWith(m) : file === m));
    if (member) return { rank, member };
  }
  return null;
}

/** Imports against the layer rules, as `from → to (why)`. */
function layerViolations(edges: Edge[]): string[] {
  const out: string[] = [];
  for (const e of edges) {
    if (!e.to.startsWith('server/')) continue;
    const from = layerOf(e.from);
    const to = layerOf(e.to);
    if (!from || !to) {
      out.push(`${e.from} → ${e.to} (${!from ? e.from : e.to} is in no layer: add it to SERVER_LAYERS)`);
      continue;
    }
    if (to.rank < from.rank)
      out.push(
        `${e.from} → ${e.to} (${SERVER_LAYERS[from.rank].name} imports the higher layer ${SERVER_LAYERS[to.rank].name})`,
      );
    else if (to.rank === from.rank && SERVER_LAYERS[to.rank].apart && to.member !== from.member) {
      out.push(
        `${e.from} → ${e.to} (${from.member} and ${to.member} are independent parts of ${SERVER_LAYERS[to.rank].name})`,
      );
    }
  }
  return out;
}

/**
 * Storage's mechanisms, which the domain and the HTTP layer never choose (docs/architecture.md, "one
 * way into storage"): they say what they read and write — `defineRead`, `defineCachedRead`,
 * `defineWrite`, `defineInsert`, `change`, `writeOne`, `transaction`, `recordChange` — and storage
 * decides how (prepared statement, read cache, grouped commit, one statement, row locks, LIMIT).
 */
const STORAGE_MECHANISMS = {
  /** Modules only storage itself opens. */
  modules: [
    'server/storage/statements.ts',
    'server/storage/commit-group.ts',
    'server/storage/connection.ts',
    'server/storage/read-cache.ts',
    'server/storage/writes.ts',
    'server/storage/listener.ts',
  ],
  /** Names that say how, wherever they are exported from. */
  names: [
    'preparedQuery',
    'preparedWrite',
    'preparedInsert',
    'cachedQuery',
    'groupCommit',
    'commitStatement',
    'forUpdate',
    'fixedLimit',
    'isPostgres',
    'directWriter',
    'ReadCache',
  ],
};

/** Imports of storage mechanisms by the domain or the HTTP layer, as `from → to: names`. */
function mechanismImports(edges: Edge[]): string[] {
  const out: string[] = [];
  for (const e of edges) {
    if (!/^server\/(domain|http|pages)\//.test(e.from) || !e.to.startsWith('server/storage/')) continue;
    if (STORAGE_MECHANISMS.modules.includes(e.to)) out.push(`${e.from} → ${e.to}: the module itself`);
    const named = (e.names ?? []).filter((n) => STORAGE_MECHANISMS.names.includes(n));
    if (named.length) out.push(`${e.from} → ${e.to}: ${named.join(', ')}`);
  }
  return out;
}

test('the domain and the HTTP layer say what they read and write, never how: no storage mechanism imported', () => {
  assert.deepEqual(mechanismImports(graphOf('server')), []);
});

test('server/ has no import cycle', () => {
  assert.deepEqual(cyclesOf(graphOf('server')), []);
});

test('server/ imports run one way: entry → http → domain → (wallet, delivery, webhooks) → (storage, crypto) → foundation', () => {
  assert.deepEqual(layerViolations(graphOf('server')), []);
});

test('src/ has no import cycle', () => {
  assert.deepEqual(cyclesOf(graphOf('src')), []);
});

test('src/ imports nothing from server/ but types', () => {
  const reaching = graphOf('src').filter((e) => e.to.startsWith('server/') && !e.typeOnly);
  assert.deepEqual(
    reaching.map((e) => `${e.from} → ${e.to}`),
    [],
  );
});

/** `export … from '…/internal/…'` in a module outside src/internal/: internal code made public. */
const reexportsInternal = (text: string) => /^export\b[^;]*?\bfrom\s*'[^']*\/internal\/[^']*'/m.test(text);

test('src/internal/ stays internal: no module outside it re-exports from it (public seams live in src/seams/)', () => {
  const leaking = sourceFiles('src')
    .filter((file) => !file.startsWith('src/internal/'))
    .filter((file) => reexportsInternal(fs.readFileSync(path.join(ROOT, file), 'utf8')));
  assert.deepEqual(leaking, []);
  assert.ok(
    reexportsInternal("export { KeywayElement } from './internal/keyway-element.js';"),
    'the check sees a leak',
  );
});

test('the checker sees what it checks: a cycle and an upward import are reported', () => {
  const edges: Edge[] = [
    { from: 'server/storage/db.ts', to: 'server/domain/events.ts', typeOnly: true },
    { from: 'server/domain/events.ts', to: 'server/storage/db.ts', typeOnly: false },
    { from: 'server/wallet/a.ts', to: 'server/delivery/b.ts', typeOnly: false },
  ];
  assert.deepEqual(cyclesOf(edges), [['server/domain/events.ts', 'server/storage/db.ts']]);
  assert.equal(layerViolations(edges).length, 2);
  assert.ok(graphOf('server').length > 100, 'the parser finds the server’s imports');
  assert.deepEqual(
    mechanismImports([
      { from: 'server/domain/a.ts', to: 'server/storage/db.ts', typeOnly: false, names: ['defineRead', 'groupCommit'] },
      { from: 'server/http/b.ts', to: 'server/storage/statements.ts', typeOnly: false, names: ['x'] },
      { from: 'server/delivery/c.ts', to: 'server/storage/db.ts', typeOnly: false, names: ['groupCommit'] },
    ]),
    [
      'server/domain/a.ts → server/storage/db.ts: groupCommit',
      'server/http/b.ts → server/storage/statements.ts: the module itself',
    ],
  );
});

/**
 * Services live on `Ctx` (createContext makes them, its `stop()` closes them), never in a module
 * map: a module-level Map, WeakMap, Set or WeakSet keyed by a context or its configuration is
 * forbidden anywhere in server/, and in domain/ (which only ever holds a context's parts) so is one
 * keyed by bare object identity, or any collection that is not a constant table.
 */
const CONTEXT_KEYS = /\b(Ctx|Config|ContextDeps|WalletRuntime|Services)\b/;
const COLLECTIONS = new Set(['Map', 'WeakMap', 'Set', 'WeakSet']);
/** Module-level collections domain/ may keep, each with why it is not a service. */
const DOMAIN_COLLECTIONS_ALLOWED = new Set([
  // Compiled statements by number of buckets: the same for every store (issue 28 moves them into storage/).
  'server/domain/rate-limits.ts countEveryOf',
]);

function moduleCollectionViolations(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const inDomain = file.startsWith('server/domain/');
  const out: string[] = [];
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const declaration of statement.declarationList.declarations) {
      const init = declaration.initializer;
      if (!init || !ts.isNewExpression(init) || !ts.isIdentifier(init.expression)) continue;
      const kind = init.expression.text;
      if (!COLLECTIONS.has(kind)) continue;
      const declared =
        declaration.type && ts.isTypeReferenceNode(declaration.type) ? declaration.type.typeArguments : undefined;
      const key = (init.typeArguments ?? declared)?.[0]?.getText(source) ?? '';
      const name = declaration.name.getText(source);
      const constantTable = (kind === 'Set' || kind === 'Map') && (init.arguments?.length ?? 0) > 0;
      if (CONTEXT_KEYS.test(key)) out.push(`${file} ${name}: a module-level ${kind} keyed by ${key}`);
      else if (inDomain && key === 'object')
        out.push(`${file} ${name}: a module-level ${kind} keyed by object identity`);
      else if (inDomain && !constantTable && !DOMAIN_COLLECTIONS_ALLOWED.has(`${file} ${name}`))
        out.push(`${file} ${name}: a module-level ${kind} in domain/ (per-process state belongs on Ctx.services)`);
    }
  }
  return out;
}

test('server/ keeps no module-level map keyed by a context or its configuration (services live on Ctx)', () => {
  const found = sourceFiles('server').flatMap((f) =>
    moduleCollectionViolations(f, fs.readFileSync(path.join(ROOT, f), 'utf8')),
  );
  assert.deepEqual(found, []);
});

test('the checker sees a module-level map keyed by a context, by a config object, or kept in domain/', () => {
  const planted = [
    'const clients = new WeakMap<Ctx, OrigoClient>();',
    "const state: WeakMap<Config['hidOrigo'], number> = new WeakMap();",
    'const lastAsked = new WeakMap<object, Map<string, number>>();',
    'const lastUsedWritten = new Map<string, number>();',
    "const TERMINAL = new Set(['revoked']);",
    'function inside() { const local = new Map<Ctx, number>(); return local; }',
  ].join('\n');
  assert.deepEqual(moduleCollectionViolations('server/domain/planted.ts', planted), [
    'server/domain/planted.ts clients: a module-level WeakMap keyed by Ctx',
    "server/domain/planted.ts state: a module-level WeakMap keyed by Config['hidOrigo']",
    'server/domain/planted.ts lastAsked: a module-level WeakMap keyed by object identity',
    'server/domain/planted.ts lastUsedWritten: a module-level Map in domain/ (per-process state belongs on Ctx.services)',
  ]);
  assert.deepEqual(moduleCollectionViolations('server/http/planted.ts', planted), [
    'server/http/planted.ts clients: a module-level WeakMap keyed by Ctx',
    "server/http/planted.ts state: a module-level WeakMap keyed by Config['hidOrigo']",
  ]);
});
