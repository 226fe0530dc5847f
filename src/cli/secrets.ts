// PLACEHOLDER (replaced by its owner): the secrets verb.
import { EXIT, type Command } from './command.ts';

export const command: Command = {
  summary: 'secrets (not built yet)',
  usage: 'usage: archipel secrets',
  run: async (_args, io) => {
    io.err('archipel secrets: not built yet\n');
    return EXIT.FAILURE;
  },
};
