/**
 * Last-chance cleanup when the test process exits without reaching its
 * `afterAll` hooks (a crash, `process.exit`, a jest worker being recycled).
 * Only synchronous work can run in an `exit` handler, so tasks must be sync.
 */
const tasks = new Set<() => void>();
let installed = false;

function runAll(): void {
  for (const task of tasks) {
    try {
      task();
    } catch {
      // Best effort: one failing task must not stop the others.
    }
  }
  tasks.clear();
}

/**
 * Registers a synchronous task to run when the process exits.
 * @returns a function that unregisters the task (call it after normal cleanup).
 */
export function onProcessExit(task: () => void): () => void {
  if (!installed) {
    installed = true;
    process.once('exit', runAll);
  }
  tasks.add(task);
  return () => {
    tasks.delete(task);
  };
}
