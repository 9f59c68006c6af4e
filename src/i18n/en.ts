type Fmt = {
  /** Formats a number in the current locale (Arabic keeps Latin digits, as its phone numbers and codes have). */
  n(value: number): string;
  /** "in 2 minutes" style phrase for a duration in seconds. */
  duration(seconds: number): string;
};

/** The English strings; every other locale is typed against this object. */
const en = {
  common: {
    tryAgain: 'Try again',
    loading: 'Please wait…',
    continue: 'Continue',
    errorPrefix: 'Error:',
  },
  errors: {
    network_error: 'We could not reach the server. Check your connection and try again.',
    misconfigured: 'This page is not set up correctly. Contact the site owner.',
    server_error: 'Something went wrong on our side. Try again in a moment.',
    unauthorized: 'Your session has ended. Start again to continue.',
    origin_not_allowed: 'This page is not allowed to use this service. Contact the site owner.',
    insufficient_scope: 'This page is not allowed to do that. Contact the site owner.',
    credential_disabled: 'This pass has been disabled by your administrator. Contact them for help.',
    not_found: 'We could not find this pass. Contact your administrator.',
    invitation_not_found: 'That code was not recognised. Check the code and try again.',
    invitation_expired: 'This invitation code has expired. Ask your administrator for a new one.',
    invitation_used: 'This invitation code has already been used. Ask your administrator for a new one.',
    link_expired: 'This link has expired or was already used.',
    invalid_phone_number: 'Enter a mobile number for the country chosen, written like the example.',
    phone_not_found: 'We could not find this number. Check your profile has this number.',
    country_not_allowed: 'Numbers from this country cannot be used here.',
    verification_expired: 'This code has expired. Send a new code to continue.',
    incorrect_code: 'The code is not correct.',
    too_many_attempts: 'Too many wrong codes.',
    rate_limited: 'Too many tries.',
    invalid_request: 'Something was not accepted. Check what you entered and try again.',
    unknown: 'Something went wrong. Try again.',
  } as Record<string, string>,
  retryIn: (seconds: number, f: Fmt) => `Try again ${f.duration(seconds)}.`,
  retryNow: 'You can try again now.',
  attemptsLeft: (count: number, f: Fmt) =>
    count === 1 ? 'You have 1 attempt left.' : `You have ${f.n(count)} attempts left.`,
  invite: {
    label: 'Invitation code',
    hint: '12 letters and numbers, for example \u20667KX-9QM-2HR-4TD\u2069',
    submit: 'Redeem code',
    incomplete: 'Enter all 12 letters and numbers of your invitation code.',
    success: (name: string | undefined) =>
      name ? `Welcome, ${name}. Your invitation is accepted.` : 'Your invitation is accepted.',
  },
  otp: {
    phoneHeading: 'Enter your mobile number',
    countryLabel: 'Country',
    countrySearchLabel: 'Search countries',
    phoneLabel: 'Mobile number',
    phoneHint: 'We will send a text message with a security code to this number.',
    phoneRequired: 'Enter your mobile number.',
    sendCode: 'Send code',
    codeHeading: 'Check your phone',
    codeSentTo: (phone: string) => `We have sent a text message with a security code to \u2066${phone}\u2069.`,
    /** Numbers stand in isolates (U+2066…U+2069): the elements render them as one left-to-right unit. */
    phoneExample: (national: string, international: string) =>
      `For example \u2066${national}\u2069 or \u2066${international}\u2069`,
    codeLasts: (seconds: number, f: Fmt) => `The code expires ${f.duration(seconds)}.`,
    codeLabel: 'Security code',
    codeHint: 'The code is 6 numbers.',
    codeRequired: 'Enter the 6-number security code.',
    notReceived: 'Not received a text message?',
    notReceivedHelp:
      'Text messages sometimes take a few minutes to arrive. Check the number is right, then send a new code.',
    resend: 'Send a new code',
    resendIn: (seconds: number, f: Fmt) => `You can send a new code ${f.duration(seconds)}.`,
    resent: 'A new code has been sent.',
    changeNumber: 'Change mobile number',
    lockedOut: 'Too many wrong codes. Start again with a new code.',
    startAgain: 'Start again',
    done: 'Your mobile number is confirmed.',
  },
  wallet: {
    addApple: 'Add to Apple Wallet',
    addGoogle: 'Add to Google Wallet',
    preparing: 'Preparing your pass…',
    opened: 'Your pass is opening. Follow the steps on your phone to add it.',
    notOpened: 'Nothing happened?',
    added: (wallet: string) => `Your pass is in ${wallet}.`,
    suspended: 'Your pass is suspended, so it cannot be added now. Your administrator can turn it back on.',
    /** Suspended with the pass already on a phone: nothing to add, only to wait for. */
    paused:
      'Your pass is paused. It stays in your wallet and opens doors again when your administrator turns it back on.',
    turnedOff: 'Your pass is turned off by your administrator, so it cannot be added now. Ask them to turn it back on.',
    removed: 'Your pass has been removed, so it cannot be added.',
    appleWallet: 'Apple Wallet',
    googleWallet: 'Google Wallet',
    inAppSafari:
      'To add your pass, open this page in Safari: tap the menu, then “Open in Safari”, or copy the link below.',
    appleOnIphone: 'Apple Wallet is on iPhone. Scan the QR code below with your iPhone to add the pass there.',
    inAppChrome:
      'To add your pass, open this page in Chrome: tap the menu, then “Open in Chrome”, or copy the link below.',
  },
  /** "just now", for times under a minute. */
  justNow: 'just now',
};

export type Translation = typeof en;
export type { Fmt };
export default en;
