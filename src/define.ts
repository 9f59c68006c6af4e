// Registers the five tags; each also registers on its own through `keyway/define/<tag>`.
import './define/keyway-provider.js';
import './define/invite-redeem.js';
import './define/sms-otp-verify.js';
import './define/add-to-wallet.js';
import './define/credential-status.js';

export * from './index.js';
