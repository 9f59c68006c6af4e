// Every error code the API answers, its HTTP status and its default message (docs/errors.md lists
// them for partners). A throw site may give a more specific message; the code and
// status come from here.

export const ERRORS = {
  invalid_request: [400, 'The request is not valid.'],
  invalid_json: [400, 'The request body is not valid JSON.'],
  invalid_phone_number: [400, 'That is not a valid phone number.'],
  unauthorized: [401, 'A valid API key or token is required.'],
  google_sign_in_invalid: [401, 'The Google sign-in could not be verified. Sign in with Google again.'],
  origin_not_allowed: [403, 'This origin is not allowed for this key.'],
  insufficient_scope: [403, 'This key may not do that.'],
  credential_disabled: [403, 'This credential is disabled.'],
  handoff_not_allowed: [403, 'A session carried to this phone by a hand-off cannot make another hand-off.'],
  not_found: [404, 'Not found.'],
  invitation_not_found: [404, 'That invitation code was not found. Check it and try again.'],
  phone_not_found: [404, 'We could not find that number: check your profile has this number.'],
  method_not_allowed: [405, 'This path does not take that method.'],
  invalid_transition: [409, 'That change is not possible in the credential’s current status.'],
  invitation_used: [409, 'That invitation code has already been used.'],
  value_in_use: [409, 'Another live credential already holds that value.'],
  external_id_taken: [409, 'Another person already has this external_id.'],
  idempotency_in_progress: [409, 'A request with this Idempotency-Key is still being processed.'],
  provisioning_unavailable: [409, 'This badge cannot be added to a wallet now. Ask for a new invitation.'],
  invitation_expired: [410, 'That invitation code has expired. Ask for a new one.'],
  verification_expired: [410, 'That code has expired. Ask for a new one.'],
  link_expired: [410, 'That link has expired or was already used.'],
  payload_too_large: [413, 'The request body is too large.'],
  incorrect_code: [422, 'That code is not right.'],
  unknown_credential_type: [422, 'Unknown credential type.'],
  country_not_allowed: [422, 'Numbers from that country are not accepted here.'],
  idempotency_mismatch: [422, 'This Idempotency-Key was used with a different request.'],
  email_not_configured: [422, 'This server sends no email: deliver the invitation code yourself (deliver: "none").'],
  csv_invalid: [422, 'That file is not a CSV of people this import reads.'],
  hid_not_configured: [
    422,
    'HID Origo is not configured on this server any more: this HID credential cannot be added to a wallet or changed at HID until the operator configures it again.',
  ],
  google_sign_in_required: [428, 'Sign in with Google to add the badge to Google Wallet.'],
  too_many_attempts: [429, 'Too many attempts.'],
  rate_limited: [429, 'Too many requests. Try again later.'],
  too_many_streams: [429, 'Too many open status streams.'],
  internal_error: [500, 'Something went wrong on our side. Try again.'],
  service_unavailable: [503, 'The service is not ready.'],
  upstream_unavailable: [503, 'A service this needs did not answer in time. Nothing was changed; try again shortly.'],
} as const satisfies Record<string, readonly [number, string]>;

export type ErrorCode = keyof typeof ERRORS;
