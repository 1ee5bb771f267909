/**
 * The baseline: a reorderer written the obvious way with a Map — store every item under its
 * sequence number, then release while the map has the expected one.
 */
export class MapReorderer<T> {
  readonly #map = new Map<number, T>();
  readonly #onRelease: (item: T, seq: number) => void;
  #expected = 0;

  constructor(onRelease: (item: T, seq: number) => void) {
    this.#onRelease = onRelease;
  }

  push(seq: number, item: T): void {
    this.#map.set(seq, item);
    while (this.#map.has(this.#expected)) {
      const next = this.#map.get(this.#expected) as T;
      this.#map.delete(this.#expected);
      this.#onRelease(next, this.#expected);
      this.#expected = (this.#expected + 1) >>> 0;
    }
  }
}
