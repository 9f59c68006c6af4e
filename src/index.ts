/**
 * Keyway widgets: the element classes, events and types. Importing this registers nothing;
 * import `keyway/define` (or load the CDN file) to register the five tags.
 */

export * from './client/index.js';
export { type KeywayConfig, keywayContext } from './context.js';
export { AddToWallet } from './elements/add-to-wallet/add-to-wallet.js';
export { CredentialStatusElement } from './elements/credential-status/credential-status.js';
export { InviteRedeem } from './elements/invite-redeem/invite-redeem.js';
export { KeywayProvider } from './elements/keyway-provider/keyway-provider.js';
export { type OtpStep, SmsOtpVerify } from './elements/sms-otp-verify/sms-otp-verify.js';
export * from './events.js';
export type { LocaleCode, Translation } from './i18n/index.js';
export { KeywayElement } from './keyway-element.js';
export { type DevicePlatform, detectPlatform, type InAppBrowser, type PlatformGuess } from './platform.js';
export * from './seams/index.js';
