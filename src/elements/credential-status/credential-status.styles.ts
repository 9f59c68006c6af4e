import { css } from 'lit';

export const credentialStatusStyles = css`
  [part~='badge'] {
    display: inline-flex;
    align-items: center;
    gap: 8px;
    justify-self: start;
    padding: 6px 12px;
    border: 2px solid var(--_tone);
    border-radius: 999px;
    color: var(--_tone);
    font-weight: 700;
  }
  [part~='badge'] svg {
    width: 1.25em;
    height: 1.25em;
    flex: none;
  }
  [data-status='active'] {
    --_tone: var(--keyway-status-active, var(--_success));
  }
  [data-status='invited'],
  [data-status='provisioning'] {
    --_tone: var(--keyway-status-pending, var(--_info));
  }
  [data-status='suspended'] {
    --_tone: var(--keyway-status-suspended, var(--_warning));
  }
  [data-status='revoking'],
  [data-status='revoked'] {
    --_tone: var(--keyway-status-revoked, var(--_danger));
  }
  [data-status='expired'],
  [data-status='unknown'] {
    --_tone: var(--keyway-status-expired, var(--_neutral));
  }
  :host([compact]) [part='base'] {
    gap: 4px;
  }
  ul {
    margin: 0;
    padding-inline-start: 1.25em;
  }
`;
