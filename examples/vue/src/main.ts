// A Vue 3 partner page: `isCustomElement` tells Vue's template compiler the five tags are custom
// elements (not Vue components); `.prop` binds properties, `@event-name` listens to the events.
// With single-file components, pass the same `isCustomElement` to @vitejs/plugin-vue's
// `template.compilerOptions` instead.
import '@keyway/elements/define';
import type {
  CredentialStatus,
  InviteRedeemedDetail,
  PassRequestedDetail,
  StatusChangedDetail,
} from '@keyway/elements';
import type {} from '@keyway/elements/vue';
import { createApp, defineComponent, ref } from 'vue';

const meta = (name: string) => document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)!.content;
const KEYWAY_TAGS = new Set([
  'keyway-provider',
  'invite-redeem',
  'sms-otp-verify',
  'add-to-wallet',
  'credential-status',
]);

const DoorPass = defineComponent({
  setup() {
    const step = ref<'redeem' | 'wallet' | 'status'>('redeem');
    const message = ref('');
    const status = ref<CredentialStatus | null>(null);
    return {
      apiBase: meta('keyway-url'),
      publishableKey: meta('keyway-publishable-key'),
      step,
      message,
      status,
      redeemed(event: CustomEvent<InviteRedeemedDetail>) {
        message.value = `Invitation accepted (${event.detail.credential.status}).`;
        step.value = 'wallet';
      },
      requested(event: CustomEvent<PassRequestedDetail>) {
        message.value = `Opening ${event.detail.platform === 'apple' ? 'Apple' : 'Google'} Wallet…`;
        step.value = 'status';
      },
      changed(event: CustomEvent<StatusChangedDetail>) {
        status.value = event.detail.newStatus;
      },
    };
  },
  template: `
    <h1>Your Acme Offices door pass</h1>
    <keyway-provider :apiBase.prop="apiBase" :publishableKey.prop="publishableKey">
      <invite-redeem v-if="step === 'redeem'" @invite-redeemed="redeemed"></invite-redeem>
      <add-to-wallet v-else @pass-requested="requested"></add-to-wallet>
      <credential-status v-if="step === 'status'" @status-changed="changed"></credential-status>
    </keyway-provider>
    <p role="status">{{ status ? 'Your pass is now ' + status + '.' : message }}</p>
  `,
});

const app = createApp(DoorPass);
app.config.compilerOptions.isCustomElement = (tag) => KEYWAY_TAGS.has(tag);
app.mount('#app');
