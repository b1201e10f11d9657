// Wakes each lab panel of the page once it is near view: until then the page carries none of its code and
// asks the server nothing about the learner's lab.

/** Watches every `[data-lab-panel]` of the page and mounts each as it comes near the viewport. */
export function wakeLabPanels(): void {
  const roots = [...document.querySelectorAll<HTMLElement>("[data-lab-panel]")];
  if (roots.length === 0) return;
  const observer = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        observer.unobserve(entry.target);
        const root = entry.target as HTMLElement;
        void import("./lab-panel.ts")
          .then(({ mountLabPanel }) => mountLabPanel(root))
          .catch((error: unknown) => {
            // The panel keeps its static text; say why it never came to life.
            console.error("The lab panel could not load:", error);
            const status = root.querySelector("[data-lab-status]");
            if (status) status.textContent = "The lab panel could not load. Reload the page to try again.";
          });
      }
    },
    { rootMargin: "200px" },
  );
  for (const root of roots) observer.observe(root);
}
