import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createHarness, type Harness } from '../helpers/harness.js';

/** SPEC §2 "/openapi.json is complete": read from the served document, as a client generator would. */
let h: Harness;
before(async () => {
  h = await createHarness();
});
after(async () => {
  await h.close();
});

test('every operation of /openapi.json has a unique, URL-safe operationId', async () => {
  const doc = (await h.request('GET', '/openapi.json')).body as { paths: Record<string, Record<string, { operationId?: string }>> };
  const seen = new Map<string, string>();
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const where = `${method.toUpperCase()} ${path}`;
      assert.ok(op.operationId, `${where} has no operationId`);
      assert.match(op.operationId, /^[A-Za-z][A-Za-z0-9_]*$/, `${where}: ${op.operationId}`);
      assert.ok(!seen.has(op.operationId), `${where} and ${seen.get(op.operationId)} share ${op.operationId}`);
      seen.set(op.operationId, where);
    }
  }
  assert.ok(seen.size > 20, `${seen.size} operations`);
});
