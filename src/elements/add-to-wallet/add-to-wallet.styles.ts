import { css } from 'lit';

export const addToWalletStyles = css`
  /* One column as wide as the widest button: both wallet buttons the same width, words on one line. */
  .buttons {
    display: grid;
    grid-template-columns: minmax(0, max-content);
    gap: 12px;
  }
  .buttons > button {
    justify-self: stretch;
    justify-content: center;
  }
  [part~='apple-button'],
  [part~='google-button'] {
    background: var(--keyway-wallet-button-background, #000000);
    border-color: var(--keyway-wallet-button-background, #000000);
    color: var(--keyway-wallet-button-color, #ffffff);
    min-height: 48px;
  }
  @media (prefers-color-scheme: dark) {
    [part~='apple-button'],
    [part~='google-button'] {
      border-color: var(--keyway-wallet-button-color, #ffffff);
    }
  }
  ::slotted(img),
  ::slotted(svg) {
    display: block;
    height: 40px;
    width: auto;
  }
  [part='handoff'] {
    display: grid;
    gap: 8px;
    padding: var(--_space);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
  }
  [part='qr'] {
    width: 200px;
    height: 200px;
    background: #ffffff;
    border-radius: var(--_radius);
  }
  [part='qr'] img {
    display: block;
    width: 100%;
    height: 100%;
  }
  [part='handoff-link'] {
    color: var(--_primary);
    word-break: break-all;
  }
  [part='in-app-guidance'] {
    padding: 12px;
    border-inline-start: 4px solid var(--_warning);
    background: var(--_surface-alt);
  }
  .link-row {
    display: flex;
    flex-wrap: wrap;
    gap: 8px;
    align-items: center;
  }
`;
