import type { Command } from 'commander';
import { registerCompactCommand } from './compact';
import { registerDashboardCommand } from './dashboard';
import { registerDemoCommand } from './demo';
import { registerEraseCommand } from './erase';
import { registerFailedCommand } from './failed';
import { registerQueryCommand } from './query';
import { registerReplayCommand } from './replay';
import { registerServeCommand } from './serve';
import { registerSummariesCommand } from './summaries';
import { registerTransformCommand } from './transform';

/** Adds one command (or command group) to the `clickstream` program. */
export type RegisterCommand = (program: Command) => void;

// One line per command module; each lives in its own file in this folder.
export const commands: RegisterCommand[] = [
  registerQueryCommand,
  registerServeCommand,
  registerReplayCommand,
  registerDemoCommand,
  registerCompactCommand,
  registerSummariesCommand,
  registerTransformCommand,
  registerFailedCommand,
  registerDashboardCommand,
  registerEraseCommand,
];
