import { AddToWallet } from './elements/add-to-wallet/add-to-wallet.js';
import { CredentialStatusElement } from './elements/credential-status/credential-status.js';
import { InviteRedeem } from './elements/invite-redeem/invite-redeem.js';
import { KeywayProvider } from './elements/keyway-provider/keyway-provider.js';
import { SmsOtpVerify } from './elements/sms-otp-verify/sms-otp-verify.js';

const elements: [string, CustomElementConstructor][] = [
  ['keyway-provider', KeywayProvider],
  ['invite-redeem', InviteRedeem],
  ['sms-otp-verify', SmsOtpVerify],
  ['add-to-wallet', AddToWallet],
  ['credential-status', CredentialStatusElement],
];

// Guarded: the CDN file and an npm import on one page must not throw on a second definition.
for (const [tag, element] of elements) {
  if (!customElements.get(tag)) customElements.define(tag, element);
}

export * from './index.js';
