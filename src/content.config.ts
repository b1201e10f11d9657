// Lessons are data: content/<part>/<lesson>/lesson.mdx, with their exercises in the folder beside them.
import { defineCollection } from "astro:content";
import { glob } from "astro/loaders";
import { z } from "astro/zod";

const lessons = defineCollection({
  loader: glob({
    pattern: "**/lesson.mdx",
    base: "./content",
    // The lesson's id is its folder, e.g. "kafka-basics/first-producer-consumer".
    generateId: ({ entry }) => entry.replace(/\/lesson\.mdx$/, ""),
  }),
  schema: z.object({
    title: z.string().min(1),
    /** One sentence shown in the table of contents. */
    summary: z.string().min(1),
    /** Position in the course; lessons are listed by part, then by order. */
    order: z.number().int().nonnegative(),
    /** The part of the course the lesson belongs to, e.g. "Kafka basics". */
    part: z.string().min(1),
  }),
});

export const collections = { lessons };
