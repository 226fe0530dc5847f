// PLACEHOLDER (replaced by its owner): the probe verb.
import { EXIT, type Command } from './command.ts';

export const command: Command = {
  summary: 'probe (not built yet)',
  usage: 'usage: archipel probe',
  run: async (_args, io) => {
    io.err('archipel probe: not built yet\n');
    return EXIT.FAILURE;
  },
};
