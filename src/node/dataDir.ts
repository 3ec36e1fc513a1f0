/**
 * Checks the node's data directory before the databases open it, so that an unusable directory is reported as
 * what it is (with what to do) rather than as a LevelDB I/O error.
 */
import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { NodeStartError } from './errors.js';

/** Creates `dataDir` if missing and checks that it is a writable directory; throws {@link NodeStartError}. */
export async function prepareDataDir(dataDir: string): Promise<void> {
  try {
    await mkdir(dataDir, { recursive: true });
    await access(dataDir, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new NodeStartError(
      `cannot use the data directory ${dataDir} (${reason}): fix its permissions, or choose another with --data-dir`,
      { cause: error }
    );
  }
}
