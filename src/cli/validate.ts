// PLACEHOLDER (replaced by its owner): the validate verb.
import { EXIT, type Command } from './command.ts';

export const command: Command = {
  summary: 'validate (not built yet)',
  usage: 'usage: archipel validate FILE',
  run: async (_args, io) => {
    io.err('archipel validate: not built yet\n');
    return EXIT.FAILURE;
  },
};
