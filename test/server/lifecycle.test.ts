import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  admitsAccess,
  type CredentialStatus,
  type LifecycleAction,
  nextState,
  STATUSES,
} from '../../server/domain/credentials/lifecycle.js';
import { ApiError } from '../../server/domain/errors.js';

const s = (status: CredentialStatus, enabled = true) => ({ status, enabled });
const illegal = (from: ReturnType<typeof s>, action: LifecycleAction) =>
  assert.throws(
    () => nextState(from, action),
    (e: unknown) => e instanceof ApiError && e.code === 'invalid_transition' && e.status === 409,
  );

test('the happy path: invited → provisioning → active', () => {
  assert.deepEqual(nextState(s('invited'), { type: 'redeem' }), s('provisioning'));
  assert.deepEqual(nextState(s('provisioning'), { type: 'confirm_device' }), s('active'));
  assert.deepEqual(nextState(s('active'), { type: 'confirm_device' }), s('active'), 'a second phone changes nothing');
});

test('enabled flag: active ⇄ suspended; invited and provisioning keep their status', () => {
  assert.deepEqual(nextState(s('active'), { type: 'set_enabled', enabled: false }), s('suspended', false));
  assert.deepEqual(nextState(s('suspended', false), { type: 'set_enabled', enabled: true }), s('active', true));
  assert.deepEqual(nextState(s('invited'), { type: 'set_enabled', enabled: false }), s('invited', false));
  assert.deepEqual(nextState(s('provisioning'), { type: 'set_enabled', enabled: false }), s('provisioning', false));
  assert.deepEqual(nextState(s('expired'), { type: 'set_enabled', enabled: false }), s('expired', false));
  assert.deepEqual(
    nextState(s('provisioning', false), { type: 'confirm_device' }),
    s('suspended', false),
    'a disabled credential never turns active',
  );
});

test('terminal statuses refuse every PUT, no-ops included; DELETE on them is a no-op', () => {
  for (const t of ['revoking', 'revoked'] as const) {
    illegal(s(t), { type: 'set_enabled', enabled: true });
    illegal(s(t, false), { type: 'set_enabled', enabled: false });
    illegal(s(t), { type: 'reissue' });
    illegal(s(t), { type: 'redeem' });
    assert.deepEqual(nextState(s(t), { type: 'revoke', devicesToConfirm: 2 }), s(t));
  }
});

test('revoke: revoking while devices must confirm, revoked straight away without; then confirmed', () => {
  for (const from of ['invited', 'provisioning', 'active', 'suspended', 'expired'] as const) {
    assert.equal(nextState(s(from), { type: 'revoke', devicesToConfirm: 1 }).status, 'revoking');
    assert.equal(nextState(s(from), { type: 'revoke', devicesToConfirm: 0 }).status, 'revoked');
  }
  assert.deepEqual(nextState(s('revoking'), { type: 'revoke_confirmed' }), s('revoked'));
  illegal(s('active'), { type: 'revoke_confirmed' });
});

test('expiry and re-issue: invited → expired → invited; others keep their status on re-issue', () => {
  assert.deepEqual(nextState(s('invited'), { type: 'expire' }), s('expired'));
  assert.deepEqual(nextState(s('expired'), { type: 'reissue' }), s('invited'));
  for (const from of ['provisioning', 'active', 'suspended'] as const) {
    assert.deepEqual(nextState(s(from), { type: 'reissue' }), s(from));
    illegal(s(from), { type: 'expire' });
  }
  illegal(s('expired'), { type: 'redeem' });
});

test('an HID invitation that lapsed before any phone held it: invited or provisioning → expired, nothing else', () => {
  assert.deepEqual(nextState(s('invited'), { type: 'lapse' }), s('expired'));
  assert.deepEqual(nextState(s('provisioning'), { type: 'lapse' }), s('expired'));
  for (const from of ['active', 'suspended', 'revoking', 'revoked', 'expired'] as const)
    illegal(s(from), { type: 'lapse' });
});

test('only enabled provisioning or active credentials open doors', () => {
  const open = STATUSES.filter((st) => admitsAccess(s(st)));
  assert.deepEqual(open, ['provisioning', 'active']);
  assert.equal(admitsAccess(s('active', false)), false);
});
