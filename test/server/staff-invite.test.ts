// Inviting staff (docs/console.md): two invitations of one address at once — two instances starting
// in development, each printing the demo admin's link — make one member, never a failed start.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { inviteStaff } from '../../server/domain/staff/staff.js';
import { createHarness, type Harness } from '../helpers/harness.js';
import { skipWithoutPostgres } from '../helpers/pg.js';

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`staff invitations (${backend})`, async () => {
    const skip = backend === 'postgres' ? await skipWithoutPostgres() : false;
    let h: Harness;
    before(async () => {
      if (!skip) h = await createHarness({ backend });
    });
    after(() => h?.close());

    test('the same address invited eight times at once: one member, eight links, one staff.created', {
      skip,
    }, async () => {
      const results = await Promise.all(
        Array.from({ length: 8 }, () =>
          inviteStaff(h.keyway.ctx, { email: 'Desk@Example.com', role: 'admin' }, 'system'),
        ),
      );
      assert.equal(new Set(results.map((r) => r.staff.id)).size, 1);
      assert.equal(new Set(results.map((r) => r.enrolment_url)).size, 8);
      const members = await h.store.db.selectFrom('staff').select('email').execute();
      assert.deepEqual(members, [{ email: 'desk@example.com' }]);
      const created = await h.store.db.selectFrom('events').select('seq').where('type', '=', 'staff.created').execute();
      assert.equal(created.length, 1);
    });
  });
}
