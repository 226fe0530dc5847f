// PLACEHOLDER (replaced by its owner): the exec verb.
import { EXIT, type Command } from './command.ts';

export const command: Command = {
  summary: 'exec (not built yet)',
  usage: 'usage: archipel exec',
  run: async (_args, io) => {
    io.err('archipel exec: not built yet\n');
    return EXIT.FAILURE;
  },
};
