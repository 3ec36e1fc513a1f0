// A trivial workflow for the conformance tests: no activities, no timers, one workflow task.

/** Greets `name`. */
export async function hello(name: string): Promise<string> {
  return 'hello ' + name;
}
