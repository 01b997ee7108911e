import { Command } from 'commander';
import { registerStackCommand } from './stack-command.ts';

/** The `rag-r1` command line; each command group registers itself. */
const program = new Command('rag-r1').description('RAG-R1 Lab: retrieval-augmented RL experiments');
registerStackCommand(program);
await program.parseAsync(process.argv);
