import { css } from 'lit';

/**
 * The documented `--keyway-*` properties with light and dark defaults, mapped to private
 * `--_*` properties the elements use. A partner sets the public ones; the private ones stay ours.
 */
export const tokens = css`
  :host {
    --_font: var(--keyway-font-family, system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Noto Sans Arabic', sans-serif);
    --_radius: var(--keyway-radius, 8px);
    --_space: var(--keyway-space, 16px);
    --_text: var(--keyway-color-text, #1b1b1f);
    --_muted: var(--keyway-color-text-muted, #505058);
    --_surface: var(--keyway-color-surface, #ffffff);
    --_surface-alt: var(--keyway-color-surface-alt, #f3f3f6);
    --_border: var(--keyway-color-border, #6f6f78);
    --_primary: var(--keyway-color-primary, #0b57d0);
    --_on-primary: var(--keyway-color-on-primary, #ffffff);
    --_danger: var(--keyway-color-danger, #b3261e);
    --_success: var(--keyway-color-success, #146c2e);
    --_warning: var(--keyway-color-warning, #7a4a00);
    --_info: var(--keyway-color-info, #0b57d0);
    --_neutral: var(--keyway-color-neutral, #505058);
    --_focus: var(--keyway-color-focus, #0b57d0);
    --_duration: var(--keyway-motion-duration, 150ms);
    color-scheme: light dark;
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --_text: var(--keyway-color-text, #e6e6ea);
      --_muted: var(--keyway-color-text-muted, #c4c4cc);
      --_surface: var(--keyway-color-surface, #1b1b1f);
      --_surface-alt: var(--keyway-color-surface-alt, #2a2a30);
      --_border: var(--keyway-color-border, #9a9aa4);
      --_primary: var(--keyway-color-primary, #a8c7fa);
      --_on-primary: var(--keyway-color-on-primary, #062e6f);
      --_danger: var(--keyway-color-danger, #ffb4ab);
      --_success: var(--keyway-color-success, #7fd99a);
      --_warning: var(--keyway-color-warning, #f5c46b);
      --_info: var(--keyway-color-info, #a8c7fa);
      --_neutral: var(--keyway-color-neutral, #c4c4cc);
      --_focus: var(--keyway-color-focus, #a8c7fa);
    }
  }
  @media (prefers-reduced-motion: reduce) {
    :host {
      --_duration: 0ms;
    }
  }
`;
