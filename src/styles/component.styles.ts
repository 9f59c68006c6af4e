import { css } from 'lit';
import { tokens } from './tokens.styles.js';

/** Reset and the shared pieces every element uses: fields, buttons, messages, focus. */
export const componentStyles = [
  tokens,
  css`
    :host {
      display: block;
      box-sizing: border-box;
      font-family: var(--_font);
      font-size: 1rem;
      line-height: 1.5;
      color: var(--_text);
    }
    :host([hidden]) {
      display: none;
    }
    /* border-box outright, not inherited: inheritance stops at <details>' own shadow slot (content-box
       there made "Send a new code" 64 px tall instead of 44). */
    *,
    *::before,
    *::after {
      box-sizing: border-box;
    }
    [part='base'] {
      display: grid;
      gap: calc(var(--_space) * 0.75);
      max-width: 30rem;
    }
    h2,
    p {
      margin: 0;
    }
    h2 {
      font-size: 1.25rem;
      line-height: 1.3;
    }
    form {
      display: grid;
      gap: calc(var(--_space) * 0.75);
    }
    .field {
      display: grid;
      gap: 4px;
    }
    label {
      font-weight: 600;
    }
    .hint {
      color: var(--_muted);
    }
    /* A phone number or code: one left-to-right unit that never breaks across lines. */
    bdi {
      white-space: nowrap;
    }
    input,
    select {
      font: inherit;
      /* 16 px or more stops iOS zooming into the field. */
      font-size: max(16px, 1rem);
      min-height: 44px;
      width: 100%;
      padding: 8px 12px;
      color: var(--_text);
      background: var(--_surface);
      border: 2px solid var(--_border);
      border-radius: var(--_radius);
    }
    input[aria-invalid='true'] {
      border-color: var(--_danger);
    }
    input[dir='ltr'] {
      text-align: start;
    }
    button {
      font: inherit;
      font-weight: 600;
      min-height: 44px;
      min-width: 44px;
      padding: 8px 20px;
      border-radius: var(--_radius);
      border: 2px solid var(--_primary);
      background: var(--_primary);
      color: var(--_on-primary);
      cursor: pointer;
      justify-self: start;
      display: inline-flex;
      align-items: center;
      gap: 8px;
      transition: filter var(--_duration) ease-out;
    }
    button:hover {
      filter: brightness(1.1);
    }
    button.secondary {
      background: transparent;
      color: var(--_primary);
    }
    button.link {
      background: transparent;
      border-color: transparent;
      color: var(--_primary);
      text-decoration: underline;
      padding-inline: 4px;
    }
    button[aria-disabled='true'] {
      cursor: not-allowed;
      opacity: 0.75;
    }
    :focus-visible {
      outline: 3px solid var(--_focus);
      outline-offset: 2px;
    }
    /* Headings and status text take focus only so it never falls to <body>; they are not controls. */
    [data-focus-target]:focus {
      outline: none;
    }
    .error {
      color: var(--_danger);
      font-weight: 600;
    }
    .success {
      color: var(--_success);
      font-weight: 600;
    }
    .visually-hidden {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip-path: inset(50%);
      white-space: nowrap;
    }
    .spinner {
      width: 1em;
      height: 1em;
      border: 2px solid currentColor;
      border-inline-end-color: transparent;
      border-radius: 50%;
      animation: keyway-spin 800ms linear infinite;
    }
    @keyframes keyway-spin {
      to {
        transform: rotate(1turn);
      }
    }
    @media (prefers-reduced-motion: reduce) {
      .spinner {
        animation: none;
        border-inline-end-color: currentColor;
        opacity: 0.6;
      }
      * {
        transition: none !important;
      }
    }
    details summary {
      cursor: pointer;
      color: var(--_primary);
      text-decoration: underline;
      min-height: 44px;
      display: flex;
      align-items: center;
    }
    details > div {
      display: grid;
      gap: 8px;
      padding-inline-start: 12px;
      border-inline-start: 4px solid var(--_surface-alt);
    }
  `,
];
