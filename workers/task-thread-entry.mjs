// Worker threads do not inherit the parent's module hooks: register tsx in the thread, then load the TypeScript task thread.
import { register } from 'tsx/esm/api';

register();
const { default: runChunk } = await import('./task-thread.ts');
export default runChunk;
