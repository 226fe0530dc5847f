// PLACEHOLDER (replaced by its owner): the down verb.
import { EXIT, type Command } from './command.ts';

export const command: Command = {
  summary: 'down (not built yet)',
  usage: 'usage: archipel down',
  run: async (_args, io) => {
    io.err('archipel down: not built yet\n');
    return EXIT.FAILURE;
  },
};
