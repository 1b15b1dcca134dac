/**
 * Prints the tables generated from the registry: the README's parameter table
 * (`node --import tsx scripts/params-table.ts`) or docs/control.md's OSC address table (`--osc`).
 */
import { oscMarkdownTable } from '../controllers/osc/oscAddresses.js';
import { defaultValues, markdownTable } from '../engine/params/registry.js';

process.stdout.write(`${process.argv.includes('--osc') ? oscMarkdownTable(defaultValues()) : markdownTable()}\n`);
