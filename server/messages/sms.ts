// The words of the verification SMS. Longest first: delivery/templates.ts sends the first that fits
// one GSM-7 segment. The last line is always the WebOTP / iOS autofill line `@host #code`
// (docs/security.md), so it is added by the renderer, not here.

/** Wordings of the verification SMS body, longest first; `brand` is '' when it cannot be sent in GSM-7. */
export function verificationSmsWordings(input: { brand: string; code: string; link: string }): string[] {
  const { brand, code, link } = input;
  return [
    `${brand ? `${brand}: your` : 'Your'} door pass code is ${code} (valid 10 min). Or open ${link}\n`,
    `${brand ? `${brand} code` : 'Code'} ${code}. Or open ${link}`,
    `${code} ${link}`,
  ];
}
