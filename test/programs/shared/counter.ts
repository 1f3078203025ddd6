/** A class of the user's own, shared through BaseManager.register: its state lives in Redis. */
export class Counter {
  count: number;

  constructor(start = 0) {
    this.count = start;
  }

  increment(by = 1): number {
    this.count += by;
    return this.count;
  }

  value(): number {
    return this.count;
  }
}
