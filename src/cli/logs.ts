// PLACEHOLDER (replaced by its owner): the logs verb.
import { EXIT, type Command } from './command.ts';

export const command: Command = {
  summary: 'logs (not built yet)',
  usage: 'usage: archipel logs',
  run: async (_args, io) => {
    io.err('archipel logs: not built yet\n');
    return EXIT.FAILURE;
  },
};
