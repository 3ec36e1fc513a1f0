/**
 * The file system under the data directory, named from its statfs magic number. fsync costs nothing on tmpfs
 * and little on a RAM-backed overlay, so the report must say where the LevelDBs were.
 */
import { statfs } from 'node:fs/promises';

/** statfs `type` magic numbers of common Linux file systems (linux/magic.h). */
const FILE_SYSTEM_NAMES = new Map<number, string>([
  [0xef53, 'ext4'],
  [0x58465342, 'xfs'],
  [0x9123683e, 'btrfs'],
  [0x01021994, 'tmpfs (fsync is a no-op!)'],
  [0x794c7630, 'overlayfs'],
  [0x2fc12fc1, 'zfs'],
  [0x6969, 'nfs'],
  [0x65735546, 'fuse'],
]);

/** A short description of the file system holding `path`, e.g. "ext4". */
export async function describeFileSystem(path: string): Promise<string> {
  try {
    const stats = await statfs(path);
    return FILE_SYSTEM_NAMES.get(stats.type) ?? `file system type 0x${stats.type.toString(16)}`;
  } catch (_error) {
    // statfs is unsupported on some platforms: the report then says so instead of failing the run.
    return 'unknown file system';
  }
}
