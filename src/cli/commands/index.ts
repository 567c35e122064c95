// Every subcommand, in the order `awsnycast --help` lists them.
import type { Command } from '../command.js';
import { checkCommand } from './check.js';
import { doctorCommand } from './doctor.js';
import { planCommand } from './plan.js';
import { runCommand } from './run.js';
import { drainCmd, statusCommand, undrainCmd } from './status.js';
import { simCommand } from '../../sim/command.js';
import { validateCommand } from './validate.js';
import { versionCommand } from './version.js';

export const commands: readonly Command[] = [runCommand, planCommand, statusCommand, drainCmd, undrainCmd, checkCommand, doctorCommand, validateCommand, versionCommand, simCommand];
