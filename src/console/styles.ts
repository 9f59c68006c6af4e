import { css } from 'lit';
import { tokens } from '../styles/tokens.styles.js';

/** The console's look: the elements' tokens, mobile first from 360 px, targets ≥ 44 px, visible focus. */
export const consoleStyles = [
  tokens,
  css`
    :host {
      display: block;
      font-family: var(--_font);
      font-size: 1rem;
      line-height: 1.5;
      color: var(--_text);
      background: var(--_surface);
      min-height: 100vh;
    }
    *, *::before, *::after { box-sizing: border-box; }
    header {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: calc(var(--_space) / 2);
      padding: calc(var(--_space) / 2) var(--_space);
      border-block-end: 1px solid var(--_border);
      background: var(--_surface-alt);
    }
    header .brand { font-weight: 600; margin-inline-end: auto; }
    nav ul { display: flex; gap: calc(var(--_space) / 2); list-style: none; margin: 0; padding: 0; }
    main { padding: var(--_space); max-width: 64rem; margin-inline: auto; display: grid; gap: var(--_space); }
    h1 { font-size: 1.5rem; margin: 0; }
    h2 { font-size: 1.2rem; margin: 0; }
    h3 { font-size: 1.05rem; margin: 0; }
    a { color: var(--_primary); }
    a, button, input, select { min-height: 44px; }
    a { display: inline-flex; align-items: center; }
    button {
      font: inherit;
      padding: 0 var(--_space);
      border-radius: var(--_radius);
      border: 1px solid var(--_primary);
      background: var(--_surface);
      color: var(--_primary);
      cursor: pointer;
    }
    button.primary { background: var(--_primary); color: var(--_on-primary); }
    button.danger { border-color: var(--_danger); color: var(--_danger); }
    button[disabled] { opacity: 0.6; cursor: default; }
    input, select {
      font: inherit;
      font-size: max(1rem, 16px);
      padding: 0 calc(var(--_space) / 2);
      border: 1px solid var(--_border);
      border-radius: var(--_radius);
      background: var(--_surface);
      color: var(--_text);
      min-width: 0;
    }
    :focus-visible { outline: 3px solid var(--_focus); outline-offset: 2px; }
    form, fieldset { display: grid; gap: calc(var(--_space) / 2); }
    fieldset { border: 1px solid var(--_border); border-radius: var(--_radius); padding: var(--_space); margin: 0; }
    label { display: grid; gap: 4px; }
    .row { display: flex; flex-wrap: wrap; gap: calc(var(--_space) / 2); align-items: end; }
    .card { border: 1px solid var(--_border); border-radius: var(--_radius); padding: var(--_space); display: grid; gap: calc(var(--_space) / 2); }
    .muted { color: var(--_muted); }
    .error { color: var(--_danger); }
    .status { font-weight: 600; }
    .status[data-status='active'] { color: var(--_success); }
    .status[data-status='revoked'], .status[data-status='revoking'] { color: var(--_danger); }
    .status[data-status='suspended'] { color: var(--_warning); }
    table { border-collapse: collapse; width: 100%; }
    th, td { text-align: start; padding: 8px; border-block-end: 1px solid var(--_border); vertical-align: top; }
    .ltr { direction: ltr; unicode-bidi: isolate; }
    .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
    dialog { border: 1px solid var(--_border); border-radius: var(--_radius); background: var(--_surface); color: var(--_text); max-width: 28rem; }
    progress { width: 100%; height: 1.5rem; accent-color: var(--_primary); }
    dl.counts { display: flex; flex-wrap: wrap; gap: var(--_space); margin: 0; }
    dl.counts div { display: grid; min-width: 6rem; }
    dl.counts dt { color: var(--_muted); }
    dl.counts dd { margin: 0; font-size: 1.5rem; font-weight: 600; }
    dl.counts [data-action='refused'] dd { color: var(--_danger); }
    code { font-family: ui-monospace, monospace; font-size: 0.9em; }
    img.qr { width: 180px; height: 180px; image-rendering: pixelated; background: #fff; }
    @media (max-width: 40rem) {
      table.people thead { display: none; }
      table.people tr { display: grid; border-block-end: 1px solid var(--_border); padding-block: 8px; }
      table.people td { border: 0; padding: 2px 0; }
    }
  `,
];
