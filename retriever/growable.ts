type TypedConstructor<T> = { new (length: number): T };
type Growable = Uint8Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;

/** An append-only typed array that doubles its backing store; `view()` trims to the length. */
export class GrowableArray<T extends Growable> {
  private data: T;
  length = 0;

  constructor(
    private readonly Kind: TypedConstructor<T>,
    initialCapacity = 1024,
  ) {
    this.data = new Kind(initialCapacity);
  }

  push(value: number): void {
    if (this.length === this.data.length) this.grow(this.length + 1);
    this.data[this.length++] = value;
  }

  /** Appends many values at once (bytes of a string, say). */
  append(values: ArrayLike<number>): void {
    if (this.length + values.length > this.data.length) this.grow(this.length + values.length);
    (this.data as unknown as { set(values: ArrayLike<number>, offset: number): void }).set(
      values,
      this.length,
    );
    this.length += values.length;
  }

  get(index: number): number {
    return this.data[index]!;
  }

  private grow(minimum: number): void {
    let capacity = Math.max(this.data.length * 2, 1024);
    while (capacity < minimum) capacity *= 2;
    const next = new this.Kind(capacity);
    (next as unknown as { set(values: T): void }).set(this.data);
    this.data = next;
  }

  /** The filled part, sharing memory with this array. */
  view(): T {
    return this.data.subarray(0, this.length) as T;
  }
}
