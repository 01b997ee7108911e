/**
 * Bounded min-heap of (score, doc) in typed arrays: keeps the k best of a stream without
 * allocating per candidate. Ties prefer the lower document number so results are deterministic.
 */
export class TopK {
  readonly scores: Float32Array;
  readonly docs: Uint32Array;
  size = 0;

  constructor(readonly capacity: number) {
    this.scores = new Float32Array(capacity);
    this.docs = new Uint32Array(capacity);
  }

  reset(): void {
    this.size = 0;
  }

  /** The score a candidate must beat once the heap is full. */
  get threshold(): number {
    return this.size < this.capacity ? -Infinity : this.scores[0]!;
  }

  private worse(scoreA: number, docA: number, scoreB: number, docB: number): boolean {
    return scoreA < scoreB || (scoreA === scoreB && docA > docB);
  }

  push(score: number, doc: number): void {
    if (this.size < this.capacity) {
      this.siftUp(this.size++, score, doc);
      return;
    }
    if (!this.worse(this.scores[0]!, this.docs[0]!, score, doc)) return;
    this.siftDown(0, score, doc);
  }

  private siftUp(start: number, score: number, doc: number): void {
    let at = start;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!this.worse(score, doc, this.scores[parent]!, this.docs[parent]!)) break;
      this.scores[at] = this.scores[parent]!;
      this.docs[at] = this.docs[parent]!;
      at = parent;
    }
    this.scores[at] = score;
    this.docs[at] = doc;
  }

  private siftDown(start: number, score: number, doc: number): void {
    let at = start;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= this.size) break;
      const right = child + 1;
      if (
        right < this.size &&
        this.worse(this.scores[right]!, this.docs[right]!, this.scores[child]!, this.docs[child]!)
      ) {
        child = right;
      }
      if (!this.worse(this.scores[child]!, this.docs[child]!, score, doc)) break;
      this.scores[at] = this.scores[child]!;
      this.docs[at] = this.docs[child]!;
      at = child;
    }
    this.scores[at] = score;
    this.docs[at] = doc;
  }

  /** Best first; empties the heap. */
  drain(): { docs: Uint32Array; scores: Float32Array } {
    const count = this.size;
    const docs = new Uint32Array(count);
    const scores = new Float32Array(count);
    for (let index = count - 1; index >= 0; index -= 1) {
      docs[index] = this.docs[0]!;
      scores[index] = this.scores[0]!;
      const lastScore = this.scores[this.size - 1]!;
      const lastDoc = this.docs[this.size - 1]!;
      this.size -= 1;
      if (this.size > 0) this.siftDown(0, lastScore, lastDoc);
    }
    return { docs, scores };
  }
}
