import type { Locale } from '../messages/locale.js';
import { LINK_PAGE } from '../messages/pages.js';

// The `/v/{token}` page an SMS link opens: a confirm button (GET consumes nothing) or "expired".

const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

export function linkPage(input: {
  locale: Locale;
  brand: string;
  state: 'confirm' | 'expired';
  action?: string;
}): string {
  const t = LINK_PAGE[input.locale];
  const title = input.state === 'confirm' ? t.title : t.expiredTitle;
  const body =
    input.state === 'confirm'
      ? `<p>${esc(t.confirm)}</p><form method="post" action="${esc(input.action ?? '')}"><button type="submit">${esc(t.button)}</button></form>`
      : `<p role="alert">${esc(t.expired)}</p><p><a class="action" href="/p">${esc(t.startAgain)}</a></p>`;
  return `<!doctype html><html lang="${input.locale}" dir="${input.locale === 'ar' ? 'rtl' : 'ltr'}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="referrer" content="no-referrer">
<title>${esc(title)} · ${esc(input.brand)}</title><link rel="stylesheet" href="/v/page.css"></head>
<body><main><p class="brand">${esc(input.brand)}</p><h1 tabindex="-1">${esc(title)}</h1>${body}</main></body></html>`;
}

export const LINK_PAGE_CSS = `:root{color-scheme:light dark;--accent:#1f4fd1}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f6f7f9;color:#1b1b1f}
main{max-width:26rem;margin:0 auto;padding:2rem 1.25rem}
.brand{font-weight:600;color:#555}h1{font-size:1.5rem;margin:.25rem 0 1rem}
button,.action{box-sizing:border-box;display:flex;align-items:center;justify-content:center;min-height:48px;min-width:44px;width:100%;font:inherit;font-weight:600;border:0;border-radius:8px;background:var(--accent);color:#fff;cursor:pointer;text-decoration:none}
button:focus-visible,.action:focus-visible,h1:focus-visible{outline:3px solid #111;outline-offset:2px}
@media (prefers-color-scheme:dark){body{background:#15161a;color:#e6e6ea}.brand{color:#aaa}button:focus-visible,.action:focus-visible,h1:focus-visible{outline-color:#fff}}`;
