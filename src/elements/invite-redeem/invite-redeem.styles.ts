import { css } from 'lit';

export const inviteRedeemStyles = css`
  input {
    font-family: ui-monospace, 'SF Mono', Menlo, Consolas, monospace;
    letter-spacing: 0.08em;
    text-transform: uppercase;
  }
`;
