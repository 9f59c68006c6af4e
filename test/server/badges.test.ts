import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createHarness } from '../helpers/harness.js';

test('KEYWAY_BADGE_DIR: the hosted page slots official artwork per locale, plain buttons otherwise', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-badges-'));
  fs.writeFileSync(path.join(dir, 'apple.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  fs.writeFileSync(path.join(dir, 'google-de.png'), Buffer.from('89504e470d0a1a0a', 'hex'));
  const h = await createHarness({ env: { KEYWAY_BADGE_DIR: dir } });
  try {
    const de = await h.request('GET', '/p', { headers: { 'accept-language': 'de-DE,de;q=0.9' } });
    assert.match(de.text, /<img slot="apple-badge" src="\/p\/badges\/apple-de"/);
    assert.match(de.text, /<img slot="google-badge" src="\/p\/badges\/google-de"/);
    const en = await h.request('GET', '/p', { headers: { 'accept-language': 'en' } });
    assert.match(en.text, /slot="apple-badge"/);
    assert.doesNotMatch(en.text, /slot="google-badge"/, 'no English Google artwork: a plain labelled button');
    const apple = await h.keyway.app.request('/p/badges/apple-de');
    assert.equal(apple.status, 200);
    assert.equal(apple.headers.get('content-type'), 'image/svg+xml');
    assert.equal((await h.keyway.app.request('/p/badges/google-en')).status, 404);
    assert.equal((await h.keyway.app.request('/p/badges/..%2Fsecret')).status, 404);
  } finally {
    await h.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
