// Progress lines for long work: elapsed time, and the same message never printed twice in a row.
export function progressPrinter(label: string): (message: string) => void {
  const started = performance.now();
  let last = "";
  return (message) => {
    if (message === last) return;
    last = message;
    const seconds = ((performance.now() - started) / 1000).toFixed(1).padStart(5);
    process.stdout.write(`[${label} ${seconds}s] ${message}\n`);
  };
}

/** Runs `stop` once on Ctrl-C or SIGTERM, then exits; a second Ctrl-C exits at once. */
export function onShutdown(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130);
    stopping = true;
    process.stdout.write(`\n${signal}: shutting down cleanly (Ctrl-C again to force)…\n`);
    stop().then(
      () => process.exit(0),
      (error: Error) => (console.error(error.message), process.exit(1)),
    );
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
}
