/**
 * Keyway widgets: the element classes, events and types. Importing this registers nothing;
 * import `keyway/define` (or load the CDN file) to register the five tags.
 */
export { InviteRedeem } from './elements/invite-redeem/invite-redeem.js';
export { SmsOtpVerify, type OtpStep } from './elements/sms-otp-verify/sms-otp-verify.js';
export { AddToWallet } from './elements/add-to-wallet/add-to-wallet.js';
export { CredentialStatusElement } from './elements/credential-status/credential-status.js';
export { KeywayProvider } from './elements/keyway-provider/keyway-provider.js';
export { KeywayElement } from './internal/keyway-element.js';
export { keywayContext, type KeywayConfig } from './context.js';
export * from './events.js';
export * from './client/index.js';
export { detectPlatform, type DevicePlatform, type InAppBrowser, type PlatformGuess } from './internal/platform.js';
export { phoneUtilManager, type CountryOption, type PhoneUtil } from './internal/phone-manager.js';
export { qrManager, type QrRenderer } from './internal/qr-manager.js';
export { passNavigator } from './internal/navigation.js';
export { webOtp } from './internal/web-otp.js';
export type { LocaleCode, Translation } from './i18n/index.js';
