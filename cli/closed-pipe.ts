/**
 * `clickstream ... | head` closes the pipe while output is still being written, and the next write
 * fails with EPIPE. The reader has what it wanted, so the command stops quietly with exit code 0
 * instead of crashing with a stack trace; any other write error still surfaces.
 */
export function exitQuietlyWhenPipeCloses(
  stream: NodeJS.EventEmitter,
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    exit(0);
  });
}
