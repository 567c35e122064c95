import type { Command } from '../command.js';
import { EXIT } from '../command.js';
import { versionLine } from '../version.js';

export const versionCommand: Command = {
  name: 'version',
  summary: 'print the version',
  usage: '',
  flags: [],
  run() {
    process.stdout.write(versionLine() + '\n');
    return Promise.resolve(EXIT.ok);
  },
};
