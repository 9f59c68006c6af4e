// The pages' HTTP contract, through app.request: headers, locale, branding, the CDN route, /p/session.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { hostedPageKey } from '../../server/domain/callers/keys.js';
import { createHarness, type Harness } from '../helpers/harness.js';
import { redeemedCredential } from '../helpers/passes.js';

describe('pages over HTTP', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness({ env: { KEYWAY_BRAND_NAME: 'Acme Offices', KEYWAY_BRAND_COLOR: '#0b6e4f' } });
  });
  after(() => h.close());

  test('/p: strict CSP, no-referrer, never framed, and no inline script or style in the markup', async () => {
    const res = await h.keyway.app.request('/p');
    assert.equal(res.status, 200);
    const csp = res.headers.get('content-security-policy')!;
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /script-src 'self'/);
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
    const html = await res.text();
    assert.doesNotMatch(html, /\sstyle=/);
    assert.doesNotMatch(html, /<style/);
    // Every script is a file, except the JSON data block (not executed, not subject to script-src).
    for (const tag of html.match(/<script[^>]*>/g) ?? []) assert.match(tag, /src="\/|type="application\/json"/, tag);
    assert.match(html, /Acme Offices/);
    assert.ok(html.includes(`publishable-key="${hostedPageKey(h.keyway.ctx)}"`), 'the built-in hosted-page key');
    assert.match(html, /Step 1 of 3/);
  });

  test('/p follows Accept-Language: German, and Arabic right to left', async () => {
    const de = await (await h.keyway.app.request('/p', { headers: { 'accept-language': 'de-DE,de;q=0.9' } })).text();
    assert.match(de, /<html lang="de" dir="ltr">/);
    assert.match(de, /Schritt 1 von 3/);
    const ar = await h.keyway.app.request('/p', { headers: { 'accept-language': 'ar' } });
    assert.equal(ar.headers.get('content-language'), 'ar');
    assert.match(await ar.text(), /<html lang="ar" dir="rtl">/);
  });

  test('/p/brand.css carries KEYWAY_BRAND_COLOR; page assets are served as files', async () => {
    assert.match(await (await h.keyway.app.request('/p/brand.css')).text(), /#0b6e4f/);
    const js = await h.keyway.app.request('/p/page.js');
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type')!, /javascript/);
    assert.equal((await h.keyway.app.request('/p/page.css')).status, 200);
  });

  test('/cdn serves only bare file names of the build', async () => {
    assert.equal((await h.keyway.app.request('/cdn/..%2Fpackage.json')).status, 404);
    assert.equal((await h.keyway.app.request('/cdn/missing-chunk.js')).status, 404);
    const bundle = await h.keyway.app.request('/cdn/keyway.js');
    assert.equal(bundle.status, 200, 'npm run build has made dist/cdn/keyway.js');
    assert.match(bundle.headers.get('content-type')!, /javascript/);
  });

  test('/p/session names the credential of a ps_ token, and nothing else', async () => {
    const { ps, credentialId } = await redeemedCredential(h);
    const ok = await h.request('POST', '/p/session', { token: ps });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.credential_id, credentialId);
    assert.equal((await h.request('POST', '/p/session', { token: h.pk })).status, 401);
    assert.equal((await h.request('POST', '/p/session', {})).status, 401);
    assert.equal(
      (await h.request('POST', '/p/session', { token: ps, headers: { origin: 'https://evil.example' } })).status,
      403,
    );
  });

  test('the demo / renders in development with a nonce CSP; production has no demo', async () => {
    const res = await h.keyway.app.request('/');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-security-policy')!, /script-src 'self' 'nonce-/);
    assert.match(await res.text(), /development certificates/);
    const prod = await createHarness({
      env: {
        KEYWAY_ENV: 'production',
        PUBLIC_URL: 'https://keys.example.com',
        KEYWAY_PASSES: 'off',
        KEYWAY_SMS_PROVIDER: 'webhook',
        KEYWAY_SMS_WEBHOOK_URL: 'http://127.0.0.1:9/sms',
        KEYWAY_SMS_WEBHOOK_SECRET: `whsec_${Buffer.alloc(32, 7).toString('base64')}`,
      },
    });
    try {
      assert.equal((await prod.keyway.app.request('/')).status, 404);
      // The dev phone's inbox and wallet exist only in development.
      for (const dev of ['/dev/outbox', '/dev/passes'])
        assert.equal((await prod.keyway.app.request(dev)).status, 404, dev);
      const save = await prod.keyway.app.request('/dev/passes/dev_x/google-save', { method: 'POST' });
      assert.equal(save.status, 404);
      assert.equal((await prod.keyway.app.request('/p')).status, 200);
    } finally {
      await prod.close();
    }
  });

  test('the demo console: one "Issue wallet pass" button without HID Origo; a type choice with it (type 8 offered)', async () => {
    const plain = await (await h.keyway.app.request('/')).text();
    assert.match(plain, /<button type="button" id="issue" data-type="9">Issue wallet pass<\/button>/);
    assert.doesNotMatch(plain, /id="issue-type"|HID Mobile Access/);
    const hid = await createHarness({
      env: {
        KEYWAY_HID_ORIGO_CLIENT_ID: '1000123-OSRV7QZ4',
        KEYWAY_HID_ORIGO_CLIENT_SECRET: 's',
        KEYWAY_HID_ORIGO_APPLICATION_ID: 'A',
        KEYWAY_HID_ORIGO_PART_NUMBER: 'P',
        KEYWAY_HID_ORIGO_AUTH_URL: 'http://127.0.0.1:9',
        KEYWAY_HID_ORIGO_API_URL: 'http://127.0.0.1:9/cm',
      },
    });
    try {
      const page = await (await hid.keyway.app.request('/')).text();
      assert.match(
        page,
        /<select id="issue-type"><option value="8">HID Mobile Access<\/option><option value="9" selected>Wallet pass<\/option><\/select>/,
      );
      assert.match(page, /<button type="button" id="issue" data-type="9">Issue wallet pass<\/button>/);
    } finally {
      await hid.close();
    }
  });
});
