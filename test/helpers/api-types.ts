// The browser's wire types, generated: this server's /openapi.json through openapi-typescript into
// src/client/api-types.ts. `npm run api-types` writes the file; test/server/api-types.test.ts fails
// when it is not what the server's document generates now.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import { createHarness } from './harness.js';

export const API_TYPES_FILE = fileURLToPath(new URL('../../src/client/api-types.ts', import.meta.url));

const HEADER = `// Generated from the server's /openapi.json by openapi-typescript (npm run api-types). Do not edit:
// test/server/api-types.test.ts fails when this is not what the document generates now.

`;

export async function generateApiTypes(): Promise<string> {
  const h = await createHarness();
  try {
    const res = await h.request('GET', '/openapi.json');
    if (res.status !== 200) throw new Error(`/openapi.json answered ${res.status}`);
    return HEADER + astToString(await openapiTS(res.body as Parameters<typeof openapiTS>[0]));
  } finally {
    await h.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === fs.realpathSync(process.argv[1])) {
  fs.writeFileSync(API_TYPES_FILE, await generateApiTypes());
  console.log(`wrote ${API_TYPES_FILE}`);
}
