/** Maps Eastern-Arabic (U+0660–0669) and Persian (U+06F0–06F9) digits to ASCII. */
export function toAsciiDigits(text: string): string {
  return text.replace(/[\u0660-\u0669\u06f0-\u06f9]/g, (d) => String((d.charCodeAt(0) & 0xf) % 10));
}

const CODE_LENGTH = 12;

/** An invitation code's symbols: upper-cased, look-alikes forgiven (O→0, I/L→1), separators dropped. */
export function invitationSymbols(text: string): string {
  return toAsciiDigits(text)
    .toUpperCase()
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1')
    .replace(/[^0-9A-Z]/g, '')
    .slice(0, CODE_LENGTH);
}

/** Groups symbols as XXX-XXX-XXX-XXX. */
export function formatInvitationCode(symbols: string): string {
  return symbols.match(/.{1,3}/g)?.join('-') ?? '';
}

export function isCompleteInvitationCode(symbols: string): boolean {
  return symbols.length === CODE_LENGTH;
}

/**
 * Reduces what was typed or pasted into the code field to the code: a whole pasted SMS yields
 * its `#123456` (WebOTP line) or first 6-digit run; typed digits keep their spaces and dashes out.
 */
export function extractOtp(text: string): string {
  const ascii = toAsciiDigits(text);
  const hashed = ascii.match(/#(\d{6})\b/);
  if (hashed) return hashed[1];
  if (/^[\d\s-]*$/.test(ascii)) return ascii.replace(/[\s-]/g, '');
  const run = ascii.match(/(?<!\d)\d{6}(?!\d)/);
  if (run) return run[0];
  return ascii.replace(/\D/g, '');
}
