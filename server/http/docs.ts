/** Renders /docs from the OpenAPI document on the server: no CDN, no script (docs/api.md). */
interface Doc {
  info: { title: string; description?: string };
  paths: Record<string, Record<string, Operation>>;
  /** What Keyway POSTs to a partner's endpoint, one entry per event. */
  webhooks?: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, unknown> };
}
interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
}

const esc = (s: string | undefined) => String(s ?? '').replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** The schema of the first media type (JSON for most routes, the .pkpass for downloads). */
const firstSchema = (content?: Record<string, { schema: unknown }>): unknown =>
  content ? Object.values(content)[0]?.schema : undefined;

export function renderDocs(doc: Doc, nonce: string): string {
  const byTag = new Map<string, string[]>();
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const tag = op.tags?.[0] ?? 'Other';
      const auth = op.security?.map((s) => Object.keys(s).join(' ')).join(', ') || 'none';
      const body = firstSchema(op.requestBody?.content);
      const html = `<section class="op"><h3><span class="m ${method}">${method.toUpperCase()}</span> <code>${esc(path)}</code></h3>
<p>${esc(op.summary ?? '')}${op.description ? ` — ${esc(op.description)}` : ''}</p><p class="auth">Auth: ${esc(auth)}</p>
${body ? `<details><summary>Request body</summary><pre>${esc(JSON.stringify(body, null, 2))}</pre></details>` : ''}
<ul>${Object.entries(op.responses)
        .map(
          ([s, r]) =>
            `<li><b>${esc(s)}</b> ${esc(r.description)}${firstSchema(r.content) ? `<details><summary>${esc(Object.keys(r.content!)[0])}</summary><pre>${esc(JSON.stringify(firstSchema(r.content), null, 2))}</pre></details>` : ''}</li>`,
        )
        .join('')}</ul></section>`;
      byTag.set(tag, [...(byTag.get(tag) ?? []), html]);
    }
  }
  const webhooks = Object.entries(doc.webhooks ?? {})
    .map(([event, ops]) => {
      const op = Object.values(ops)[0];
      const body = firstSchema(op?.requestBody?.content);
      return `<section class="op"><h3><span class="m post">EVENT</span> <code>${esc(event)}</code></h3><p>${esc(op?.summary ?? '')}</p>${body ? `<details><summary>Body</summary><pre>${esc(JSON.stringify(body, null, 2))}</pre></details>` : ''}</section>`;
    })
    .join('');
  const schemas = Object.entries(doc.components?.schemas ?? {})
    .map(
      ([name, s]) =>
        `<details id="schema-${esc(name)}"><summary>${esc(name)}</summary><pre>${esc(JSON.stringify(s, null, 2))}</pre></details>`,
    )
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(doc.info.title)}</title><style nonce="${nonce}">
body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:0 auto;padding:1rem;color:#1b1b1f;background:#fff}
@media (prefers-color-scheme:dark){body{color:#e6e6ea;background:#15161a}pre{background:#22242a!important}}
code,pre{font-family:ui-monospace,monospace}pre{background:#f3f4f7;padding:.75rem;overflow:auto;border-radius:6px;font-size:13px}
.op{border-top:1px solid #8884;padding:.5rem 0}.m{display:inline-block;min-width:4.5rem;font-size:13px;font-weight:700;color:#fff;border-radius:4px;padding:0 .4rem;text-align:center}
.get{background:#1a7f37}.post{background:#1f4fd1}.put{background:#9a6700}.delete{background:#cf222e}.auth{color:#667;font-size:14px}
</style></head><body><h1>${esc(doc.info.title)}</h1><p>${esc(doc.info.description ?? '')} Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p>
${[...byTag].map(([tag, ops]) => `<h2>${esc(tag)}</h2>${ops.join('')}`).join('')}${webhooks ? `<h2>Webhook deliveries</h2>${webhooks}` : ''}<h2>Schemas</h2>${schemas}</body></html>`;
}
