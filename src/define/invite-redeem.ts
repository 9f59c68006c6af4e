// Registers <invite-redeem> alone (guarded: a tag another copy or version holds is left to it).
import { InviteRedeem } from '../elements/invite-redeem/invite-redeem.js';
import { defineElement } from '../internal/registry.js';

defineElement('invite-redeem', InviteRedeem);

export { InviteRedeem };
