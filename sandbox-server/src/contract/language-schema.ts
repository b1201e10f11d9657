// The languages as the API's schema says them.
import { z } from "@hono/zod-openapi";
import { LANGUAGE_IDS, entryFile, type Language } from "./languages.ts";

/** The languages a learner may write an exercise in. */
export const LanguageSchema = z.enum(LANGUAGE_IDS as [Language, ...Language[]]).openapi({
  description: LANGUAGE_IDS.map((language) => `${language} (${entryFile(language)})`).join(", "),
});
