/**
 * The CLI from the sources, for tests and benchmarks that need real server processes
 * (two instances on one PostgreSQL, SIGKILL trials): `node --import tsx test/cli-process.ts serve …`.
 */
import { main } from '../src/cli/main.js';

process.exitCode = await main(process.argv);
