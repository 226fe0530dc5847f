// PLACEHOLDER (replaced by its owner): the up verb.
import { EXIT, type Command } from './command.ts';

export const command: Command = {
  summary: 'up (not built yet)',
  usage: 'usage: archipel up',
  run: async (_args, io) => {
    io.err('archipel up: not built yet\n');
    return EXIT.FAILURE;
  },
};
