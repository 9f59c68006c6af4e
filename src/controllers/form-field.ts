import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** What a form sees of the host: its value and, when it is not acceptable, why. */
export interface FormFieldState {
  value: string | null;
  /** Why a required element has no value yet ('' when it has one or is not required). */
  missing: string;
  /** Why the value is not acceptable ('' when it is). */
  invalid: string;
  /** Where the browser points when it reports the problem. */
  anchor?: HTMLElement;
}

/**
 * Form participation through ElementInternals, synced after every update. Create it in the
 * constructor of a class with `static formAssociated = true`.
 */
export class FormFieldController implements ReactiveController {
  /** Undefined where the browser lacks ElementInternals; the element then works outside forms only. */
  private readonly internals: ElementInternals | undefined;

  constructor(
    host: ReactiveControllerHost & HTMLElement,
    private readonly state: () => FormFieldState,
  ) {
    this.internals = host.attachInternals?.();
    host.addController(this);
  }

  hostUpdated(): void {
    const { value, missing, invalid, anchor } = this.state();
    this.internals?.setFormValue(value);
    this.internals?.setValidity(
      { valueMissing: !!missing, customError: !missing && !!invalid },
      missing || invalid,
      anchor,
    );
  }
}
