// A toolbar button pressed from the keyboard changes state (Run gives way to Stop, Check grades): the
// keyboard's focus must stay where the learner works, never fall back to the page's body.

/** Disables `button`; if it held the focus, `next` (the control that takes over its job) gets it. */
export function disableHandingFocusTo(button: HTMLButtonElement, next: HTMLElement): void {
  const hadFocus = document.activeElement === button;
  button.disabled = true;
  if (hadFocus) next.focus();
}

/**
 * Marks a pressed button busy while its work runs. It says it is unavailable (aria-disabled, drawn as
 * disabled) but keeps the focus, which a disabled button would drop; its handler ignores presses meanwhile.
 */
export function setBusy(button: HTMLButtonElement, busy: boolean): void {
  if (busy) button.setAttribute("aria-disabled", "true");
  else button.removeAttribute("aria-disabled");
}

/** Whether `button` is busy with an earlier press. */
export const isBusy = (button: HTMLButtonElement): boolean => button.getAttribute("aria-disabled") === "true";
