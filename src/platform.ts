export type DevicePlatform = 'ios' | 'android' | 'desktop';
export type InAppBrowser = 'instagram' | 'facebook' | 'gmail' | 'whatsapp';

export interface PlatformGuess {
  platform: DevicePlatform;
  /** Set inside an app's web view, where wallet downloads usually fail. */
  inApp: InAppBrowser | null;
}

/** The platform from the user agent only; iPadOS reports "Macintosh" but has touch points. */
export function detectPlatform(userAgent: string, maxTouchPoints = 0): PlatformGuess {
  const ua = userAgent;
  let platform: DevicePlatform = 'desktop';
  if (/Android/i.test(ua)) platform = 'android';
  else if (/iPhone|iPad|iPod/i.test(ua) || (/Macintosh/i.test(ua) && maxTouchPoints > 1)) platform = 'ios';
  let inApp: InAppBrowser | null = null;
  if (/Instagram/i.test(ua)) inApp = 'instagram';
  else if (/FBAN|FBAV|FB_IAB/i.test(ua)) inApp = 'facebook';
  else if (/Gmail/i.test(ua)) inApp = 'gmail';
  else if (/WhatsApp/i.test(ua)) inApp = 'whatsapp';
  return { platform, inApp: platform === 'desktop' ? null : inApp };
}
