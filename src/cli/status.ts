// PLACEHOLDER (replaced by its owner): the status verb.
import { EXIT, type Command } from './command.ts';

export const command: Command = {
  summary: 'status (not built yet)',
  usage: 'usage: archipel status',
  run: async (_args, io) => {
    io.err('archipel status: not built yet\n');
    return EXIT.FAILURE;
  },
};
