/**
 * The public seams: the objects a host page, a story or a test replaces to change how Keyway reaches
 * a heavy library or the browser (`keyway/seams`; also exported from the package's main module).
 */
export { passNavigator } from './navigation.js';
export { type CountryOption, type PhoneUtil, phoneUtilManager } from './phone.js';
export { type QrRenderer, qrManager } from './qr.js';
export { webOtp } from './web-otp.js';
