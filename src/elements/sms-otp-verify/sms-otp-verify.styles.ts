import { css } from 'lit';

export const smsOtpVerifyStyles = css`
  .country {
    display: grid;
    gap: 8px;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 8px;
    align-items: center;
  }
  input[inputmode='numeric'] {
    font-family: ui-monospace, 'SF Mono', Menlo, Consolas, monospace;
    letter-spacing: 0.2em;
    max-width: 12em;
  }
`;
