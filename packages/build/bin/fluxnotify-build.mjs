#!/usr/bin/env node
// The package's CLI is TypeScript like everything else; tooling may run through tsx (the
// bundles it writes never do). tsx is this package's own dependency, resolved from here.
import { register } from "tsx/esm/api";

register();
await import("../src/cli.ts");
