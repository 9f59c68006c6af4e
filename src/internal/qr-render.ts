// Loaded lazily by seams/qr.ts, so qrcode and its CommonJS interop stay out of the CDN entry.
import QRCode from 'qrcode';

export async function renderQrDataUrl(text: string): Promise<string> {
  const svg = await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}
