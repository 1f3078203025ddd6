"""The study's four applications on Python's multiprocessing, the same algorithms as mpflow's examples/.

    python3 bench/peers/applications.py es '{"generations": 10, "population": 32, "processes": 4}'
    python3 bench/peers/applications.py gridsearch '{"rows": 1000, "inputs": 4, "folds": 5, "processes": 4}'
    python3 bench/peers/applications.py dataframe-apply '{"rows": 200000, "processes": 4, "partsPerProcess": 4, "dir": "/tmp/x"}'
    python3 bench/peers/applications.py ppo '{"iterations": 10, "environments": 4, "steps": 200}'

Prints one JSON object: the wall ms (pool or processes started inside the clock, as a user's
program pays them) and what the program computed, to check against mpflow's. Pure Python, as
the examples are plain TypeScript: no numpy on either side.
"""
import json
import math
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import Array, Pipe, Pool, Process


def xorshift(seed):
    state = [(seed & 0xFFFFFFFF) or 1]

    def random():
        s = state[0]
        s ^= (s << 13) & 0xFFFFFFFF
        s ^= s >> 17
        s ^= (s << 5) & 0xFFFFFFFF
        state[0] = s
        return s / 4294967296

    return random


# --- evolution strategies on CartPole (examples/es) ---

OBSERVATIONS, HIDDEN = 4, 16
PARAMETERS = OBSERVATIONS * HIDDEN + HIDDEN + HIDDEN + 1


def noise(seed):
    random = xorshift((seed * 2654435761) & 0xFFFFFFFF)
    values = [0.0] * PARAMETERS
    for i in range(0, PARAMETERS, 2):
        radius = math.sqrt(-2 * math.log(1 - random()))
        angle = 2 * math.pi * random()
        values[i] = radius * math.cos(angle)
        if i + 1 < PARAMETERS:
            values[i + 1] = radius * math.sin(angle)
    return values


def episode_return(w, seed, max_steps):
    random = xorshift(seed)
    x, speed, angle, spin = [(random() - 0.5) * 0.1 for _ in range(4)]
    for step in range(max_steps):
        obs = (x, speed, angle, spin)
        output = w[PARAMETERS - 1]
        for h in range(HIDDEN):
            total = w[OBSERVATIONS * HIDDEN + h]
            for o in range(OBSERVATIONS):
                total += w[h * OBSERVATIONS + o] * obs[o]
            output += w[OBSERVATIONS * HIDDEN + HIDDEN + h] * math.tanh(total)
        force = 10 if output > 0 else -10
        cos, sin = math.cos(angle), math.sin(angle)
        temp = (force + 0.05 * spin * spin * sin) / 1.1
        spin_acc = (9.8 * sin - cos * temp) / (0.5 * (4 / 3 - (0.1 * cos * cos) / 1.1))
        acc = temp - (0.05 * spin_acc * cos) / 1.1
        x += 0.02 * speed
        speed += 0.02 * acc
        angle += 0.02 * spin
        spin += 0.02 * spin_acc
        if abs(x) > 2.4 or abs(angle) > 0.2095:
            return step + 1
    return max_steps


shared_parameters = None


def share(parameters):
    global shared_parameters
    shared_parameters = parameters


def evaluate(args):
    seed, sigma, episodes, max_steps = args
    theta = shared_parameters[:]
    epsilon = noise(seed)

    def mean_return(sign):
        w = [v + sign * sigma * e for v, e in zip(theta, epsilon)]
        return sum(episode_return(w, seed * 1000 + k, max_steps) for k in range(episodes)) / episodes

    return seed, mean_return(1), mean_return(-1)


def es(generations=10, population=32, processes=4, sigma=0.1, learningRate=0.05, episodes=2, maxSteps=500):
    parameters = Array('d', PARAMETERS)
    mean_returns = []
    with Pool(processes, initializer=share, initargs=(parameters,)) as pool:
        for generation in range(generations):
            seeds = [generation * population + i + 1 for i in range(population)]
            scores = pool.map(evaluate, [(seed, sigma, episodes, maxSteps) for seed in seeds], chunksize=1)
            returns = [r for _, plus, minus in scores for r in (plus, minus)]
            order = sorted(range(len(returns)), key=lambda i: returns[i])
            ranks = [0.0] * len(returns)
            for rank, index in enumerate(order):
                ranks[index] = rank / (len(returns) - 1) - 0.5
            step = [0.0] * PARAMETERS
            for i, (seed, _, _) in enumerate(scores):
                weight = ranks[2 * i] - ranks[2 * i + 1]
                for p, e in enumerate(noise(seed)):
                    step[p] += weight * e
            theta = parameters[:]
            parameters[:] = [v + learningRate / (2 * population * sigma) * s for v, s in zip(theta, step)]
            mean_returns.append(sum(returns) / (2 * population))
    return {'generations': generations, 'best': max(mean_returns), 'meanReturns': mean_returns}


# --- grid search with k-fold cross-validation of ridge regression (examples/gridsearch) ---

def generate(rows, inputs, seed):
    random = xorshift(seed)
    x = [[2 * random() - 1 for _ in range(inputs)] for _ in range(rows)]
    y = [sum(math.sin((j + 1) * v) + 0.5 * v * row[(j + 1) % inputs] for j, v in enumerate(row)) + 0.3 * (random() - 0.5) for row in x]
    return x, y


def polynomial(row, degree):
    terms = [(1.0, 0)]
    features = [1.0]
    for _ in range(degree):
        terms = [(value * v, last + j) for value, last in terms for j, v in enumerate(row[last:])]
        features.extend(value for value, _ in terms)
    return features


def ridge(x, y, alpha):
    n = len(x[0])
    gram = [[alpha if i == j and i > 0 else 0.0 for j in range(n)] for i in range(n)]
    moment = [0.0] * n
    for row, target in zip(x, y):
        for i in range(n):
            moment[i] += row[i] * target
            line, ri = gram[i], row[i]
            for j in range(i + 1):
                line[j] += ri * row[j]
    for i in range(n):
        for j in range(i + 1):
            total = gram[i][j] - sum(gram[i][k] * gram[j][k] for k in range(j))
            gram[i][j] = math.sqrt(max(total, 1e-12)) if i == j else total / gram[j][j]
    forward = [0.0] * n
    for i in range(n):
        forward[i] = (moment[i] - sum(gram[i][k] * forward[k] for k in range(i))) / gram[i][i]
    weights = [0.0] * n
    for i in range(n - 1, -1, -1):
        weights[i] = (forward[i] - sum(gram[k][i] * weights[k] for k in range(i + 1, n))) / gram[i][i]
    return weights


def cross_validate(rows, inputs, seed, alpha, degree, folds):
    x, y = generate(rows, inputs, seed)
    features = [polynomial(row, degree) for row in x]
    r2 = 0.0
    for fold in range(folds):
        train = [i for i in range(rows) if i % folds != fold]
        test = [i for i in range(rows) if i % folds == fold]
        w = ridge([features[i] for i in train], [y[i] for i in train], alpha)
        predicted = [sum(a * b for a, b in zip(w, features[i])) for i in test]
        actual = [y[i] for i in test]
        mean = sum(actual) / len(actual)
        r2 += 1 - sum((a - p) ** 2 for a, p in zip(actual, predicted)) / sum((a - mean) ** 2 for a in actual)
    return {'alpha': alpha, 'degree': degree, 'r2': r2 / folds}


def gridsearch(rows=3000, inputs=6, folds=5, processes=4):
    with ProcessPoolExecutor(processes) as executor:
        futures = [executor.submit(cross_validate, rows, inputs, 20_240_601, alpha, degree, folds) for alpha in (1e-4, 1e-3, 1e-2, 0.1, 1, 10) for degree in (1, 2, 3)]
        best = max((future.result() for future in as_completed(futures)), key=lambda score: score['r2'])
    return {'best': best, 'evaluated': len(futures)}


# --- a dataframe apply: sentiment per row of a CSV, by byte ranges (examples/dataframe-apply) ---

POSITIVE = ['good', 'great', 'excellent', 'love', 'fast', 'friendly', 'perfect', 'happy', 'fresh', 'recommend']
NEGATIVE = ['bad', 'slow', 'awful', 'hate', 'broken', 'rude', 'late', 'cold', 'dirty', 'refund']
NEUTRAL = ['the', 'food', 'service', 'was', 'and', 'order', 'staff', 'place', 'very', 'not', 'really', 'again']
CATEGORIES = ['restaurant', 'hotel', 'delivery', 'shop']
LEXICON = {**{word: 1 for word in POSITIVE}, **{word: -1 for word in NEGATIVE}}


def generate_reviews(path, rows, seed):
    random = xorshift(seed)
    pick = lambda items: items[int(random() * len(items))]
    with open(path, 'w') as out:
        out.write('id,category,stars,text\n')
        for i in range(rows):
            mood = POSITIVE if random() < 0.5 else NEGATIVE
            words = [pick(mood if random() < 0.3 else POSITIVE + NEGATIVE if random() < 0.1 else NEUTRAL) for _ in range(8 + int(random() * 12))]
            category = pick(CATEGORIES)
            stars = 4 + int(random() * 2) if mood is POSITIVE else 1 + int(random() * 2)
            out.write(f'{i},{category},{stars},"{" ".join(words)}"\n')
    return os.path.getsize(path)


def score_range(path, start, end, part):
    with open(path, 'rb') as f:
        f.seek(max(start - 1, 0))
        if start > 0:
            f.readline()  # the row cut at `start` is the previous range's
        by_category, scores = {}, []
        while f.tell() < end:
            line = f.readline().decode()
            if not line:
                break
            if line.startswith('id,'):
                continue
            row_id, category, _, quoted = line.rstrip('\n').split(',')
            words = quoted[1:-1].split(' ')
            score = sum(LEXICON.get(word, 0) for word in words) / len(words)
            scores.append(f'{row_id},{score:.4f}')
            total = by_category.setdefault(category, [0, 0.0])
            total[0] += 1
            total[1] += score
    with open(part, 'w') as out:
        out.write('id,score\n' + '\n'.join(scores) + '\n')
    return by_category


def dataframe_apply(rows=400_000, processes=4, partsPerProcess=4, dir='/tmp'):
    path = os.path.join(dir, 'reviews.csv')
    with Pool(processes) as pool:
        size = os.path.getsize(path) if os.path.exists(path) else pool.apply(generate_reviews, (path, rows, 7))
        start_clock = time.perf_counter()
        parts = processes * partsPerProcess
        step = -(-size // parts)
        summaries = pool.starmap(score_range, [(path, i * step, min((i + 1) * step, size), os.path.join(dir, f'part-{i:04}.csv')) for i in range(parts)])
    totals = {}
    for summary in summaries:
        for category, (count, score_sum) in summary.items():
            total = totals.setdefault(category, [0, 0.0])
            total[0] += count
            total[1] += score_sum
    return {'rows': sum(count for count, _ in totals.values()), 'bytes': size, 'applyMs': (time.perf_counter() - start_clock) * 1000,
            'meanScore': {category: score_sum / count for category, (count, score_sum) in sorted(totals.items())}}


# --- PPO with environment processes over pipes (examples/ppo) ---

EPISODE_STEPS, ACTIONS, FEATURES = 20, 3, 3


def environment(connection, seed):
    random = xorshift(seed)
    state = {}

    def reset():
        state.update(position=2 * random() - 1, speed=0.0, goal=1.6 * random() - 0.8, step=0)

    observe = lambda: [state['position'] - state['goal'], state['speed']]
    reset()
    connection.send(observe())
    while (action := connection.recv()) is not None:
        state['speed'] = 0.8 * state['speed'] + 0.05 * (action - 1)
        state['position'] = max(-1.0, min(1.0, state['position'] + state['speed']))
        reward = -abs(state['position'] - state['goal'])
        state['step'] += 1
        done = state['step'] == EPISODE_STEPS
        if done:
            reset()
        connection.send({'observation': observe(), 'reward': reward, 'done': done})


def softmax(policy, phi):
    logits = [sum(policy[a * FEATURES + j] * phi[j] for j in range(FEATURES)) for a in range(ACTIONS)]
    top = max(logits)
    exps = [math.exp(logit - top) for logit in logits]
    total = sum(exps)
    return [e / total for e in exps]


def discounted(values, done, gamma, lam):
    out, running = [0.0] * len(values), 0.0
    for t in range(len(values) - 1, -1, -1):
        running = values[t] + (0 if done[t] else gamma * lam * running)
        out[t] = running
    return out


def least_squares(x, y):
    n = len(x[0])
    a = [[sum(row[i] * row[j] for row in x) + (1e-6 if i == j else 0) for j in range(n)] + [sum(row[i] * t for row, t in zip(x, y))] for i in range(n)]
    for c in range(n):
        pivot = max(range(c, n), key=lambda r: abs(a[r][c]))
        a[c], a[pivot] = a[pivot], a[c]
        for r in range(n):
            if r != c:
                factor = a[r][c] / a[c][c]
                a[r] = [v - factor * a[c][k] for k, v in enumerate(a[r])]
    return [a[i][n] / a[i][i] for i in range(n)]


def ppo(iterations=30, environments=4, steps=200, epochs=8, learningRate=0.5, clip=0.2, gamma=0.95, lam=0.9):
    features = lambda o: [o[0], o[1] * 5, 1.0]
    value_features = lambda phi: [1.0, abs(phi[0]), phi[0] * phi[0], phi[1] * phi[1]]
    policy, mean_rewards = [0.0] * (ACTIONS * FEATURES), []
    pipes = [Pipe() for _ in range(environments)]
    workers = [Process(target=environment, args=(theirs, i + 1)) for i, (_, theirs) in enumerate(pipes)]
    for worker in workers:
        worker.start()
    observations = [mine.recv() for mine, _ in pipes]
    for iteration in range(iterations):
        random = xorshift(7919 * (iteration + 1))
        trajectories = [[] for _ in pipes]
        for _ in range(steps):
            chosen = []
            for observation in observations:
                probabilities = softmax(policy, features(observation))
                draw, action, cumulative = random(), 0, probabilities[0]
                while draw > cumulative and action < ACTIONS - 1:
                    action += 1
                    cumulative += probabilities[action]
                chosen.append((action, probabilities[action]))
            for (mine, _), (action, _) in zip(pipes, chosen):
                mine.send(action)
            transitions = [mine.recv() for mine, _ in pipes]
            for i, transition in enumerate(transitions):
                trajectories[i].append({'features': features(observations[i]), 'action': chosen[i][0], 'probability': chosen[i][1], 'reward': transition['reward'], 'done': transition['done']})
            observations = [transition['observation'] for transition in transitions]
        returns = [discounted([s['reward'] for s in steps_], [s['done'] for s in steps_], gamma, 1) for steps_ in trajectories]
        fit = least_squares([value_features(s['features']) for steps_ in trajectories for s in steps_], [r for rs in returns for r in rs])
        samples = []
        for steps_ in trajectories:
            values = [sum(f * w for f, w in zip(value_features(s['features']), fit)) for s in steps_]
            deltas = [s['reward'] + (0 if s['done'] or t == len(steps_) - 1 else gamma * values[t + 1]) - values[t] for t, s in enumerate(steps_)]
            advantages = discounted(deltas, [s['done'] for s in steps_], gamma, lam)
            samples.extend((s['features'], s['action'], s['probability'], a) for s, a in zip(steps_, advantages))
        mean = sum(a for *_, a in samples) / len(samples)
        spread = math.sqrt(sum((a - mean) ** 2 for *_, a in samples) / len(samples)) or 1
        samples = [(phi, action, p, (a - mean) / spread) for phi, action, p, a in samples]
        for _ in range(epochs):
            gradient = [0.0] * len(policy)
            for phi, action, probability, advantage in samples:
                probabilities = softmax(policy, phi)
                ratio = probabilities[action] / probability
                if (advantage > 0 and ratio > 1 + clip) or (advantage < 0 and ratio < 1 - clip):
                    continue
                for a in range(ACTIONS):
                    score = (1 if a == action else 0) - probabilities[a]
                    for j in range(FEATURES):
                        gradient[a * FEATURES + j] += advantage * ratio * score * phi[j] / len(samples)
            policy = [w + learningRate * g for w, g in zip(policy, gradient)]
        rewards = [s['reward'] for steps_ in trajectories for s in steps_]
        mean_rewards.append(sum(rewards) / len(rewards))
    for mine, _ in pipes:
        mine.send(None)
    for worker in workers:
        worker.join()
    return {'iterations': iterations, 'meanRewards': mean_rewards}


if __name__ == '__main__':
    workload, settings = sys.argv[1], json.loads(sys.argv[2])
    run = {'es': es, 'gridsearch': gridsearch, 'dataframe-apply': dataframe_apply, 'ppo': ppo}[workload]
    start = time.perf_counter()
    result = run(**settings)
    print(json.dumps({'ms': (time.perf_counter() - start) * 1000, **result}))
