/**
 * The text a directive prints, with etcd-raft's `withIndent` nesting (stabilize prints each node's Ready and
 * deliveries indented under a `> n handling Ready` header) and a quiet mode for boilerplate setup
 * (`log-level none`), in which only errors are printed.
 */
export class InteractionOutput {
  private text = '';
  /** Set by `log-level none`: handlers print nothing but errors. */
  quiet = false;

  /** Appends `line` and a newline, unless quiet. */
  line(line: string): void {
    if (!this.quiet) this.text += `${line}\n`;
  }

  /** Appends `block` (which may span lines) and a newline, unless quiet. */
  block(block: string): void {
    if (!this.quiet) this.text += block.endsWith('\n') ? block : `${block}\n`;
  }

  /** Errors are printed even when quiet: a script must show every failure it provokes. */
  error(message: string): void {
    this.text += `${message}\n`;
  }

  /** Runs `body` and indents by two spaces everything it printed. */
  withIndent(body: () => void): void {
    const outer = this.text;
    this.text = '';
    try {
      body();
    } finally {
      const inner = this.text;
      this.text = outer;
      for (const innerLine of inner.split('\n').slice(0, -1)) this.text += `  ${innerLine}\n`;
    }
  }

  /** Returns what was printed since the last call and starts afresh. */
  take(): string {
    const taken = this.text;
    this.text = '';
    return taken;
  }
}
