/** A location inside the policy: object keys and array indexes from the root. */
export type Path = readonly (string | number)[];

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** Formats a path the way error details show it: `purposes[2].retention`. */
export function formatPath(path: Path): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** A problem at a path, before it is given a line. */
export interface Issue {
  readonly path: Path;
  readonly message: string;
}
