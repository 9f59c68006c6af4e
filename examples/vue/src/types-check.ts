// What Vue's type checker (vue-tsc, Volar) sees for the tags in a template: @keyway/elements/vue
// declares them in GlobalComponents with their properties and `on<Event>` listeners.
import type {} from '@keyway/elements/vue';
import type { GlobalComponents } from 'vue';

type InviteRedeemProps = InstanceType<GlobalComponents['invite-redeem']>['$props'];
type StatusProps = InstanceType<GlobalComponents['credential-status']>['$props'];

export const redeem: InviteRedeemProps = {
  code: 'ABC-DEF-GHJ-KMN',
  publishableKey: 'pk_example',
  onInviteRedeemed: (event) => void event.detail.provisioningToken.length,
};
export const status: StatusProps = { compact: true, onStatusChanged: (event) => void event.detail.newStatus };
