/** Prints the parameter table for the README, generated from the registry: `node --import tsx scripts/params-table.ts`. */
import { markdownTable } from '../engine/params/registry.js';

process.stdout.write(`${markdownTable()}\n`);
