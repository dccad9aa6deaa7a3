/** Union-find over record indices (union by size, path halving). */
export class UnionFind {
  readonly parent: Int32Array;
  readonly size: Int32Array;

  constructor(n: number) {
    this.parent = new Int32Array(n);
    this.size = new Int32Array(n).fill(1);
    for (let i = 0; i < n; i++) this.parent[i] = i;
  }

  /** The root of `i`'s set. */
  find(i: number): number {
    const parent = this.parent;
    while (parent[i]! !== i) {
      const up = parent[parent[i]!]!;
      parent[i] = up;
      i = up;
    }
    return i;
  }

  /** Joins the sets of `a` and `b`; false when they were already one. */
  union(a: number, b: number): boolean {
    let ra = this.find(a);
    let rb = this.find(b);
    if (ra === rb) return false;
    if (this.size[ra]! < this.size[rb]!) {
      const t = ra;
      ra = rb;
      rb = t;
    }
    this.parent[rb] = ra;
    this.size[ra]! += this.size[rb]!;
    return true;
  }
}

/**
 * Connected components as labels: per record, the index of the first record (lowest index)
 * of its component, so labels are stable whatever the order pairs were joined in.
 */
export function componentLabels(uf: UnionFind, n: number): { labels: Int32Array; count: number } {
  const firstOfRoot = new Int32Array(n).fill(-1);
  const labels = new Int32Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const r = uf.find(i);
    if (firstOfRoot[r] === -1) {
      firstOfRoot[r] = i;
      count++;
    }
    labels[i] = firstOfRoot[r]!;
  }
  return { labels, count };
}
