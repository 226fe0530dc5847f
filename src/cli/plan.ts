// PLACEHOLDER (replaced by its owner): the plan verb.
import { EXIT, type Command } from './command.ts';

export const command: Command = {
  summary: 'plan (not built yet)',
  usage: 'usage: archipel plan FILE',
  run: async (_args, io) => {
    io.err('archipel plan: not built yet\n');
    return EXIT.FAILURE;
  },
};
