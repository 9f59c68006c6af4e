/** Renders text as a QR code image URL (data: URI, allowed by the partner CSP). */
export type QrRenderer = (text: string) => Promise<string>;

async function renderWithQrcode(text: string): Promise<string> {
  // Lazy: only desktop visitors see a QR code.
  return (await import('../internal/qr-render.js')).renderQrDataUrl(text);
}

export const qrManager = {
  render: renderWithQrcode as QrRenderer,
  setRenderer(renderer: QrRenderer): void {
    this.render = renderer;
  },
};
