// Answers held against /openapi.json, as a generated client reads it (docs/api.md: /openapi.json is complete).

import type { ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { ERRORS, type ErrorCode } from '../../server/domain/errors.js';

interface MediaType {
  schema?: unknown;
}
interface ResponseObject {
  description: string;
  headers?: Record<string, unknown>;
  content?: Record<string, MediaType>;
}
export interface Operation {
  operationId: string;
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string; required?: boolean }[];
  requestBody?: { required?: boolean; content: Record<string, MediaType> };
  responses: Record<string, ResponseObject>;
}
export interface OpenApiDoc {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  webhooks?: Record<string, Record<string, Operation>>;
  components?: Record<string, unknown>;
}

/** What a test saw: the status, the headers and the raw body text. */
export interface Seen {
  status: number;
  headers: Headers;
  text: string;
}

/** Response headers that must be declared wherever they are sent (docs/api.md). */
const DECLARED_HEADERS = ['retry-after', 'etag', 'last-modified'];

const pointer = (...parts: string[]) =>
  parts.map((p) => encodeURIComponent(p.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/');

export interface AnswerChecker {
  doc: OpenApiDoc;
  /** The operation a concrete path and method belong to (the template with the fewest parameters wins). */
  operationOf(method: string, path: string): { template: string; operation: Operation } | undefined;
  /** Every way this answer departs from the document; empty when it is one the document told of. */
  problems(method: string, path: string, seen: Seen): string[];
  /** Problems of a JSON body held against a schema of the document (a webhook's, say) by its JSON pointer. */
  schemaProblems(pointerParts: string[], value: unknown): string[];
}

export function answerChecker(doc: OpenApiDoc): AnswerChecker {
  // OpenAPI 3.1 schemas are JSON Schema 2020-12; the document is added whole so its $refs resolve.
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false, validateFormats: false });
  ajv.addSchema(doc as object, 'openapi');
  const compiled = new Map<string, ValidateFunction>();
  const validatorAt = (parts: string[]) => {
    const ref = `openapi#/${pointer(...parts)}`;
    let v = compiled.get(ref);
    if (!v) compiled.set(ref, (v = ajv.compile({ $ref: ref })));
    return v;
  };
  const templates = Object.keys(doc.paths)
    .map((template) => ({
      template,
      params: (template.match(/\{/g) ?? []).length,
      pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '[^/]+')}$`),
    }))
    .sort((a, b) => a.params - b.params);

  const schemaProblems = (parts: string[], value: unknown) => {
    const v = validatorAt(parts);
    return v(value)
      ? []
      : (v.errors ?? [])
          .slice(0, 5)
          .map((e) => `${e.instancePath || '(body)'} ${e.message} ${JSON.stringify(e.params)}`);
  };

  return {
    doc,
    schemaProblems,
    operationOf(method, path) {
      const pathname = new URL(path, 'http://x').pathname;
      for (const t of templates) {
        if (!t.pattern.test(pathname)) continue;
        const operation = doc.paths[t.template][method.toLowerCase()];
        if (operation) return { template: t.template, operation };
      }
      return undefined;
    },
    problems(method, path, seen) {
      const where = `${method.toUpperCase()} ${path} → ${seen.status}`;
      const found = this.operationOf(method, path);
      if (!found) {
        // Not an operation: no route (404), a known path with another method (405, never per operation), or
        // what the shared middleware answers before routing (the body limit, the database, and under /api/3
        // the origin check and, on a POST, Idempotency-Key).
        const pathname = new URL(path, 'http://x').pathname;
        const api = pathname.startsWith('/api/3/');
        const allowed = [
          404,
          405,
          413,
          503,
          ...(api ? [403] : []),
          ...(api && method.toUpperCase() === 'POST' ? [400, 409, 422] : []),
        ];
        if (!allowed.includes(seen.status)) return [`${where}: no operation, and not one of ${allowed.join(', ')}`];
        let body: unknown;
        try {
          body = JSON.parse(seen.text);
        } catch {
          return [`${where}: not a JSON error: ${seen.text.slice(0, 80)}`];
        }
        if ((doc.components as { schemas?: Record<string, unknown> } | undefined)?.schemas?.[`Error${seen.status}`]) {
          return schemaProblems(['components', 'schemas', `Error${seen.status}`], body).map((p) => `${where}: ${p}`);
        }
        // 405 is no operation's: its body is still the one error shape, with the code of its status.
        const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
        const code = typeof error?.code === 'string' ? (error.code as ErrorCode) : undefined;
        return code && ERRORS[code]?.[0] === seen.status && typeof error?.message === 'string'
          ? []
          : [`${where}: not an error body of its status: ${seen.text.slice(0, 120)}`];
      }
      const { template, operation } = found;
      const status = String(seen.status);
      const key =
        status in operation.responses
          ? status
          : `${status[0]}XX` in operation.responses
            ? `${status[0]}XX`
            : 'default' in operation.responses
              ? 'default'
              : undefined;
      if (!key)
        return [
          `${where}: status not declared for ${operation.operationId} (declared: ${Object.keys(operation.responses).join(', ')})`,
        ];
      const declared = operation.responses[key];
      const out: string[] = [];
      const declaredHeaders = new Set(Object.keys(declared.headers ?? {}).map((h) => h.toLowerCase()));
      for (const h of DECLARED_HEADERS) {
        if (seen.headers.has(h) && !declaredHeaders.has(h)) out.push(`${where}: sends ${h}, not declared`);
      }
      if (
        declaredHeaders.has('retry-after') &&
        (seen.status === 429 || seen.status === 503) &&
        !seen.headers.has('retry-after')
      )
        out.push(`${where}: no Retry-After`);
      const type = (seen.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
      if (!declared.content) {
        if (seen.text !== '') out.push(`${where}: a body (${type}) where ${operation.operationId} declares none`);
        return out;
      }
      const media = declared.content[type];
      if (!media) {
        out.push(`${where}: Content-Type ${type || '(none)'}, declared: ${Object.keys(declared.content).join(', ')}`);
        return out;
      }
      if (type === 'application/json' || type.endsWith('+json')) {
        let body: unknown;
        try {
          body = JSON.parse(seen.text);
        } catch {
          out.push(`${where}: not JSON: ${seen.text.slice(0, 80)}`);
          return out;
        }
        for (const p of schemaProblems(
          ['paths', template, method.toLowerCase(), 'responses', key, 'content', type, 'schema'],
          body,
        ))
          out.push(`${where}: ${p}; body ${seen.text.slice(0, 300)}`);
      }
      return out;
    },
  };
}
