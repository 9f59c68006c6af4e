import { css } from 'lit';

export const smsOtpVerifyStyles = css`
  /* One field first: the country is the number's prefix (a phone number reads left to right in every language). */
  .number {
    display: flex;
    gap: 8px;
  }
  .number > input {
    flex: 1;
    min-width: 0;
  }
  button.prefix {
    flex: none;
    padding-inline: 12px;
    border-color: var(--_border);
    color: var(--_text);
    font-variant-numeric: tabular-nums;
  }
  button.prefix::after {
    content: '';
    border: 5px solid transparent;
    border-top-color: currentColor;
    margin-top: 5px;
  }
  button.prefix[aria-expanded='true']::after {
    border-top-color: transparent;
    border-bottom-color: currentColor;
    margin-top: -5px;
  }
  .country {
    display: grid;
    gap: 8px;
    padding: 12px;
    border: 2px solid var(--_border);
    border-radius: var(--_radius);
  }
  .country[hidden] {
    display: none;
  }
  /* Each action keeps its words on one line (44 px tall); the row wraps whole actions, link text aligned to the start. */
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 8px 20px;
    align-items: center;
  }
  .actions > button {
    flex: none;
    white-space: nowrap;
  }
  .actions > button.link {
    padding-inline: 0;
  }
  input[inputmode='numeric'] {
    font-family: ui-monospace, 'SF Mono', Menlo, Consolas, monospace;
    letter-spacing: 0.2em;
    max-width: 12em;
  }
`;
