// PLACEHOLDER (replaced by its owner): the graph verb.
import { EXIT, type Command } from './command.ts';

export const command: Command = {
  summary: 'graph (not built yet)',
  usage: 'usage: archipel graph FILE',
  run: async (_args, io) => {
    io.err('archipel graph: not built yet\n');
    return EXIT.FAILURE;
  },
};
