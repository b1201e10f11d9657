// The learner's code for each exercise survives a reload: it lives in this browser's localStorage.
const key = (exerciseId: string) => `tributary:code:${exerciseId}`;

/** The learner's last code for the exercise, or undefined if they have not changed the starter. */
export function loadSavedCode(exerciseId: string): string | undefined {
  try {
    return localStorage.getItem(key(exerciseId)) ?? undefined;
  } catch {
    return undefined; // storage disabled: the page still works, it just forgets
  }
}

export function saveCode(exerciseId: string, code: string, starter: string): void {
  try {
    if (code === starter) localStorage.removeItem(key(exerciseId));
    else localStorage.setItem(key(exerciseId), code);
  } catch {
    // Storage full or disabled: keep working without saving.
  }
}

const LANGUAGE_KEY = "tributary:language";

/** The language this learner last chose for an exercise (TypeScript or Python), remembered for every exercise. */
export function loadLanguage(): string | undefined {
  try {
    return localStorage.getItem(LANGUAGE_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

export function saveLanguage(language: string): void {
  try {
    localStorage.setItem(LANGUAGE_KEY, language);
  } catch {
    // Storage disabled: the choice lasts until the page is left.
  }
}
