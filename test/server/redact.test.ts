import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redactPath } from '../../server/log.js';

// The request log writes every path through redactPath (docs/security.md: no code, token, key or phone number).
test('log paths keep resource ids and lose every secret-bearing segment', () => {
  const cases: [string, string][] = [
    ['/api/3/people/12/credentials/cred_0qPYnqlxk2clSHQxK', '/api/3/people/12/credentials/cred_0qPYnqlxk2clSHQxK'],
    ['/v/Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA', '/v/:redacted'],
    ['/passes/dl_short.pkpass', '/passes/:redacted'],
    [
      '/wallet/apple/v1/devices/abc/registrations/pass.type/serial',
      '/wallet/apple/v1/devices/abc/registrations/:redacted/serial',
    ],
    ['/api/3/people/+447400123456', '/api/3/people/:redacted'],
    ['/api/3/people/%2B447400123456', '/api/3/people/:redacted'],
    ['/p/7KX-9QM-2HR-4TD', '/p/:redacted'],
    ['/p/7kx9qm2hr4td', '/p/:redacted'],
    ['/api/3/sk_live_0123456789abcdef', '/api/3/:redacted'],
    ['/api/3/verifications/ver_abcdefghijklmnopqrstuv/check', '/api/3/verifications/:redacted/check'],
    [
      '/api/3/events?limit=20&cursor=abc&type=pass.requested',
      '/api/3/events?limit=20&cursor=:redacted&type=pass.requested',
    ],
    ['/api/3/people?phone=%2B447400123456', '/api/3/people?phone=:redacted'],
    ['/', '/'],
    ['/healthz', '/healthz'],
    ['/a//b/', '/a//b/'],
    ['/x/%E0%A4%A', '/x/%E0%A4%A'],
  ];
  for (const [path, logged] of cases) assert.equal(redactPath(path), logged, path);
});
