/** What test/programs/faults answers when nothing was lost, doubled or left held (the tests compare against it). */
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

export function correctAnswer(rounds: number, items: number) {
  return {
    squares: range(rounds * 10).reduce((sum, x) => sum + x * x, 0),
    echoes: rounds * 20,
    barrierRounds: rounds,
    arrivals: range(rounds).flatMap(() => ['p0', 'p1']),
    consumed: range(rounds * items),
    lockedIncrements: rounds * 2 * 5,
    counter: rounds * (2 * 5 + 10),
    semaphoreValue: 2,
    lockFree: true,
    dict: range(rounds).map((round) => [`round ${round}`, round]),
  };
}

/** Items of the queue the answer's log lacks, and items it holds more than once. */
export function lostAndDuplicated(consumed: number[], rounds: number, items: number): { lost: number; duplicated: number } {
  const seen = new Set(consumed);
  return { lost: range(rounds * items).filter((item) => !seen.has(item)).length, duplicated: consumed.length - seen.size };
}
