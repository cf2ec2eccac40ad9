/** One thing wrong with an input, located for the message `file:line: field: problem`. */
export interface Problem {
  file: string;
  line: number;
  field: string;
  message: string;
}

/** Records a problem of the file being read, at `line`, under `field`. */
export type Report = (line: number, field: string, message: string) => void;

/** Formats a problem the way the build prints it. */
export function formatProblem(problem: Problem): string {
  return `${problem.file}:${problem.line}: ${problem.field}: ${problem.message}`;
}
