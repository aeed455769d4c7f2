// Where the built keeper is: next to the chunk that holds this module in dist/, or, when nightshift
// runs from its sources (the tests), in dist/ of the same checkout (the test run builds it first).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const besideUs = fileURLToPath(new URL('./attempt-keeper.js', import.meta.url));

export const KEEPER_PATH = existsSync(besideUs) ? besideUs : fileURLToPath(new URL('../../../dist/attempt-keeper.js', import.meta.url));
