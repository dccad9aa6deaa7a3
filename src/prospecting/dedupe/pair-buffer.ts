/** A growable list of record pairs in two typed arrays (no object per pair). */
export class PairBuffer {
  left: Int32Array;
  right: Int32Array;
  length = 0;

  constructor(capacity = 1024) {
    this.left = new Int32Array(capacity);
    this.right = new Int32Array(capacity);
  }

  push(i: number, j: number): void {
    if (this.length === this.left.length) {
      const grown = Math.ceil(this.left.length * 1.5) + 1024;
      const l = new Int32Array(grown);
      l.set(this.left);
      const r = new Int32Array(grown);
      r.set(this.right);
      this.left = l;
      this.right = r;
    }
    this.left[this.length] = i;
    this.right[this.length] = j;
    this.length++;
  }

  /** The pairs as exact-length arrays (views, no copy). */
  view(): { left: Int32Array; right: Int32Array } {
    return { left: this.left.subarray(0, this.length), right: this.right.subarray(0, this.length) };
  }
}
