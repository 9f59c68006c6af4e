/** Asks the browser for an SMS one-time code (WebOTP); replaceable so tests can deliver one. */
export const webOtp = {
  async receive(signal: AbortSignal): Promise<string | null> {
    if (typeof window === 'undefined' || !('OTPCredential' in window)) return null;
    const credential = (await navigator.credentials.get({
      otp: { transport: ['sms'] },
      signal,
    } as CredentialRequestOptions)) as (Credential & { code?: string }) | null;
    return credential?.code ?? null;
  },
};
