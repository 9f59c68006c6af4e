/**
 * The browser's wire types are generated from /openapi.json (src/client/api-types.ts, `npm run
 * api-types`): the file in the tree must be exactly what the server's document generates now, so a
 * route or schema change without a regeneration fails here.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { API_TYPES_FILE, generateApiTypes } from '../helpers/api-types.js';

test('src/client/api-types.ts is what /openapi.json generates now (npm run api-types)', async () => {
  const fresh = await generateApiTypes();
  const inTree = fs.readFileSync(API_TYPES_FILE, 'utf8');
  assert.ok(inTree === fresh, 'src/client/api-types.ts is stale: run `npm run api-types` and commit the result');
});
