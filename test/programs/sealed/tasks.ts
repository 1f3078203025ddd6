/** The sealed program's tasks, and the look through Redis from outside mpflow. */
import { Redis } from 'ioredis';
import { loads, type Connection, type Queue } from 'mpflow';

export async function echoOnce(connection: Connection): Promise<void> {
  await connection.send(`${await connection.recv<string>()}!`);
}

export function exclaim(text: string): string {
  return `${text}!`;
}

export function take(queue: Queue<string>): Promise<string> {
  return queue.get();
}

export function lengthOf(text: string): number {
  return text.length;
}

/** Every key of every kind in Redis, read as stored: how many there are, and which hold `marker`'s bytes. */
export async function findInRedis(redisUrl: string, marker: string): Promise<{ keys: number; holdingMarker: string[] }> {
  const redis = new Redis(redisUrl);
  try {
    const needle = Buffer.from(marker);
    const keys = await redis.keys('*');
    const holdingMarker: string[] = [];
    for (const key of keys) {
      const type = await redis.type(key);
      const values: Buffer[] =
        type === 'string' ? [(await redis.getBuffer(key))!]
        : type === 'list' ? await redis.lrangeBuffer(key, 0, -1)
        : type === 'hash' ? Object.entries(await redis.hgetallBuffer(key)).flatMap(([field, value]) => [Buffer.from(field), value])
        : type === 'set' ? await redis.smembersBuffer(key)
        : type === 'zset' ? await redis.zrangeBuffer(key, 0, -1)
        : [];
      if (Buffer.from(key).includes(needle) || values.some((value) => value.includes(needle))) holdingMarker.push(key);
    }
    return { keys: keys.length, holdingMarker };
  } finally {
    redis.disconnect();
  }
}

/** Another run's object, rebuilt here from its serialized handle: what this run can see of it. */
export async function peekAt(handle: Uint8Array): Promise<{ size: number; got: string | null }> {
  const queue = loads<Queue<string>>(handle);
  return { size: await queue.qsize(), got: await queue.get(true, 200).catch(() => null) };
}
