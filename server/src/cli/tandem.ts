/** The `tandem` command: `tandem audit verify ...` (see audit-command.ts). */
import { AUDIT_USAGE, runAuditCommand } from './audit-command.ts';

const [command, ...args] = process.argv.slice(2);
const io = {
  out: (line: string) => process.stdout.write(`${line}\n`),
  err: (line: string) => process.stderr.write(`${line}\n`),
};
if (command === 'audit') {
  runAuditCommand(args, io).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      io.err(`tandem audit: ${(error as Error).message}`);
      process.exitCode = 2;
    },
  );
} else {
  io.err(AUDIT_USAGE);
  process.exitCode = 2;
}
