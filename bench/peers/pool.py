"""Python's multiprocessing.Pool on the workloads of mpflow's benchmarks, as the peer to compare with.

    python3 bench/peers/pool.py fork-join N SLEEP_MS      wall ms of Pool(N).map(sleep, [s] * N), pool start included
    python3 bench/peers/pool.py task-overhead N PROCESSES  wall ms of Pool(PROCESSES).map(noop, range(N), chunksize=1)
    python3 bench/peers/pool.py pi N SAMPLES              wall ms of Pool(N).map(in_circle, N batches) and the estimate

Prints one JSON object.
"""
import json
import random
import sys
import time
from multiprocessing import Pool


def nap(ms):
    time.sleep(ms / 1000)
    return ms


def noop(x):
    return x


def in_circle(samples):
    rng = random.Random()
    inside = 0
    for _ in range(samples):
        x, y = rng.random(), rng.random()
        if x * x + y * y <= 1:
            inside += 1
    return inside


def fork_join(n, sleep_ms):
    start = time.perf_counter()
    with Pool(n) as pool:
        pool.map(nap, [sleep_ms] * n, chunksize=1)
    return {'ms': (time.perf_counter() - start) * 1000}


def task_overhead(n, processes):
    with Pool(processes) as pool:
        pool.map(noop, range(processes))  # workers started before the clock
        start = time.perf_counter()
        pool.map(noop, range(n), chunksize=1)
        return {'ms': (time.perf_counter() - start) * 1000}


def pi(n, samples):
    start = time.perf_counter()
    with Pool(n) as pool:
        inside = sum(pool.map(in_circle, [samples // n] * n, chunksize=1))
    return {'ms': (time.perf_counter() - start) * 1000, 'pi': 4 * inside / (samples // n * n)}


if __name__ == '__main__':
    workload, a, b = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    run = {'fork-join': fork_join, 'task-overhead': task_overhead, 'pi': pi}[workload]
    print(json.dumps(run(a, b)))
