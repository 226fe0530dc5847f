// PLACEHOLDER (replaced by its owner): the flows verb.
import { EXIT, type Command } from './command.ts';

export const command: Command = {
  summary: 'flows (not built yet)',
  usage: 'usage: archipel flows',
  run: async (_args, io) => {
    io.err('archipel flows: not built yet\n');
    return EXIT.FAILURE;
  },
};
