"""Python's multiprocessing.Pool on the workloads of mpflow's benchmarks, as the peer to compare with.

    python3 bench/peers/pool.py fork-join N SLEEP_MS      wall ms of Pool(N).map(sleep, [s] * N), pool start included
    python3 bench/peers/pool.py task-overhead N PROCESSES  wall ms of Pool(PROCESSES).map(noop, range(N), chunksize=1)
    python3 bench/peers/pool.py pi N SAMPLES              wall ms of Pool(N).map(in_circle, N batches) and the estimate
    python3 bench/peers/pool.py main-ops ROUNDS 0         µs per operation of ROUNDS rounds of a Manager Value increment, Queue put and get, dict set
    python3 bench/peers/pool.py main-maps COUNT 8         ms per map of COUNT sequential Pool(8).map(noop, range(8), chunksize=1)

Prints one JSON object. With MPFLOW_PEER=lithops the same workloads run on the study's system,
lithops.multiprocessing on its localhost backend (a process per task), its state in the Redis
at MPFLOW_REDIS_URL (bench/lib.ts installs Lithops in a virtualenv and sets both).
"""
import json
import os
import random
import sys
import time
from urllib.parse import urlparse

if os.environ.get('MPFLOW_PEER') == 'lithops':
    from lithops.multiprocessing import Manager, Pool, config

    redis = urlparse(os.environ['MPFLOW_REDIS_URL'])
    config.set_parameter(config.LITHOPS_CONFIG, {
        'lithops': {'backend': 'localhost', 'storage': 'localhost', 'log_level': 'WARNING'},
        'redis': {'host': redis.hostname, 'port': redis.port or 6379, **({'password': redis.password} if redis.password else {})},
    })
else:
    from multiprocessing import Manager, Pool


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


def main_ops(rounds, _):
    with Manager() as manager:
        counter, queue, table = manager.Value('q', 0), manager.Queue(), manager.dict()
        start = time.perf_counter()
        for i in range(rounds):
            counter.value += 1
            queue.put(i)
            queue.get()
            table[i % 100] = i
        return {'usPerOp': (time.perf_counter() - start) * 1e6 / (rounds * 4)}


def main_maps(count, processes):
    with Pool(processes) as pool:
        pool.map(noop, range(processes), chunksize=1)  # workers started before the clock
        start = time.perf_counter()
        for _ in range(count):
            pool.map(noop, range(processes), chunksize=1)
        return {'msPerMap': (time.perf_counter() - start) * 1000 / count}


if __name__ == '__main__':
    workload, a, b = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    run = {'fork-join': fork_join, 'task-overhead': task_overhead, 'pi': pi, 'main-ops': main_ops, 'main-maps': main_maps}[workload]
    print(json.dumps(run(a, b)))
