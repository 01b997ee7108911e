import { Command } from 'commander';
import { LabError } from '../lib/errors.ts';
import { registerDataCommands } from './data-commands.ts';
import { registerEvalCommands } from './eval-commands.ts';
import { registerReportCommand } from './report-command.ts';
import { registerRetrievalCommands } from './retrieval-commands.ts';
import { registerRunCommands } from './run-commands.ts';
import { registerStackCommand } from './stack-command.ts';
import { registerVerlCommands } from './verl-command.ts';
import { registerWebCommand } from './web-command.ts';

/** The `rag-r1` command line; each command group registers itself. */
const program = new Command('rag-r1').description('RAG-R1 Lab: retrieval-augmented RL experiments');
registerStackCommand(program);
registerRunCommands(program);
registerDataCommands(program);
registerEvalCommands(program);
registerReportCommand(program);
registerRetrievalCommands(program);
registerWebCommand(program);
registerVerlCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // Lab errors are the user's to fix (bad config, service down): message only, no stack.
  console.error(error instanceof LabError ? `rag-r1: ${error.message}` : error);
  process.exitCode = 1;
}
