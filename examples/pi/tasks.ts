/** What the processes run: count random points of the unit square that fall inside the quarter circle. */

export function inCircle([samples, seed]: [number, number]): number {
  let state = seed >>> 0 || 1;
  // xorshift32: seeded, so a chunk retried after a crash counts the same points.
  const random = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  let inside = 0;
  for (let i = 0; i < samples; i++) {
    const x = random();
    const y = random();
    if (x * x + y * y <= 1) inside++;
  }
  return inside;
}
