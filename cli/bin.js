#!/usr/bin/env node
// The `mpflow` command: the TypeScript CLI under tsx's loaders (import and require) in this same
// process, so that killing `mpflow run` kills the driver itself, with no wrapper left behind.
import { register as registerImport } from 'tsx/esm/api';
import { register as registerRequire } from 'tsx/cjs/api';

registerImport();
registerRequire();
await import('./main.ts');
