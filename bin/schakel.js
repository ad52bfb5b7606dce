#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx (see docs/decisions/0001-stack.md).
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/index.ts");
const code = await main(process.argv);
if (code !== 0) process.exit(code);
