// PLACEHOLDER (replaced by its owner): the fault verb.
import { EXIT, type Command } from './command.ts';

export const command: Command = {
  summary: 'fault (not built yet)',
  usage: 'usage: archipel fault',
  run: async (_args, io) => {
    io.err('archipel fault: not built yet\n');
    return EXIT.FAILURE;
  },
};
