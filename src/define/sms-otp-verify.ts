// Registers <sms-otp-verify> alone (guarded: a tag another copy or version holds is left to it).
import { SmsOtpVerify } from '../elements/sms-otp-verify/sms-otp-verify.js';
import { defineElement } from '../internal/registry.js';

defineElement('sms-otp-verify', SmsOtpVerify);

export { SmsOtpVerify };
