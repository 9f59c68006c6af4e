/** Renders text as a QR code image URL (data: URI, allowed by the partner CSP). */
export type QrRenderer = (text: string) => Promise<string>;

async function renderWithQrcode(text: string): Promise<string> {
  // Lazy: only desktop visitors see a QR code.
  const { default: QRCode } = await import('qrcode');
  const svg = await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

export const qrManager = {
  render: renderWithQrcode as QrRenderer,
  setRenderer(renderer: QrRenderer): void {
    this.render = renderer;
  },
};
