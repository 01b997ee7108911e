import { createHash } from 'node:crypto';

/** Hex sha256 of the concatenated child hashes. */
function parent(left: string, right: string): string {
  return createHash('sha256').update(left).update(right).digest('hex');
}

/**
 * Merkle root over hex leaf hashes: pairs hashed level by level, an odd last node promoted
 * as is. The empty tree's root is the hash of nothing.
 */
export function merkleRoot(leaves: readonly string[]): string {
  if (leaves.length === 0) return createHash('sha256').digest('hex');
  let level = [...leaves];
  while (level.length > 1) {
    const next: string[] = [];
    for (let index = 0; index < level.length; index += 2) {
      const left = level[index]!;
      const right = level[index + 1];
      next.push(right === undefined ? left : parent(left, right));
    }
    level = next;
  }
  return level[0]!;
}
