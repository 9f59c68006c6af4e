import { css } from 'lit';

export const smsOtpVerifyStyles = css`
  .country {
    display: grid;
    gap: 8px;
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
