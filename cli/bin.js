#!/usr/bin/env node
// The `mpflow` command: the CLI under tsx's loaders (import and require: programs are TypeScript)
// in this same process, so that killing `mpflow run` kills the driver itself, with no wrapper left
// behind. In mpflow's repo the CLI runs from its sources; installed, from its compiled dist/.
import { existsSync } from 'node:fs';
import { register as registerImport } from 'tsx/esm/api';
import { register as registerRequire } from 'tsx/cjs/api';

// mpflow runs on Node 20 by choice; the AWS SDK's notice that later SDK releases will want Node 22 is not the user's to act on.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

registerImport();
registerRequire();
await import(existsSync(new URL('./main.ts', import.meta.url)) ? './main.ts' : './main.js');
