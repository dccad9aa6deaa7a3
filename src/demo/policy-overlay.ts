/**
 * The demo's policy: the operator's policy file with the contacts it leaves empty filled
 * with example values marked as such (issue 15, item 5), so that `rempart serve --demo`
 * shows a notice and a portal that say who to write to. Only empty fields are filled: a
 * policy that gives its own contacts keeps them. The e-mails are under `.invalid` (RFC
 * 2606), so nothing sent to them can ever be delivered.
 *
 * The overlay is applied to the YAML text, not to the loaded object, and the result is
 * written beside the data: the notice's version is the hash of the text actually served,
 * and that text can be stored as a snapshot like any other version (D3).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isScalar, parseDocument } from 'yaml';
import { RempartError } from '../errors.js';
import { parsePolicy, type LoadedPolicy } from '../policy/index.js';

/** The example contacts, each recognisable as one. */
export const DEMO_CONTACTS = Object.freeze({
  street: "1 rue de l'Exemple (adresse d'exemple)",
  postalCode: '75000',
  city: 'Paris',
  email: 'contact@exemple.invalid',
  dpoEmail: 'dpo@exemple.invalid',
});

const FIELDS: readonly (readonly [readonly string[], string])[] = [
  [['controller', 'address', 'street'], DEMO_CONTACTS.street],
  [['controller', 'address', 'postalCode'], DEMO_CONTACTS.postalCode],
  [['controller', 'address', 'city'], DEMO_CONTACTS.city],
  [['controller', 'email'], DEMO_CONTACTS.email],
  [['controller', 'dpo', 'email'], DEMO_CONTACTS.dpoEmail],
];

/** The file, under the data dir, the demo's policy is written to. */
export const DEMO_POLICY_FILE = 'demo-policy.yaml';

/**
 * The policy text with its empty contacts set to the example values, every other byte kept
 * (each empty scalar is replaced where it stands); the text unchanged when none is empty,
 * or when it is not valid YAML (the loader then says why).
 */
export function withDemoContacts(text: string): string {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return text;
  const edits = FIELDS.flatMap(([path, value]) => {
    const node: unknown = doc.getIn(path, true);
    return isScalar(node) && node.value === '' && node.range ? [{ path, value, start: node.range[0], end: node.range[1] }] : [];
  });
  if (edits.length === 0) return text;
  let out = text;
  // From the end, so that earlier offsets stay right. JSON strings are valid double-quoted YAML.
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + JSON.stringify(e.value) + out.slice(e.end);
  return `# rempart serve --demo: example values fill the contacts this policy leaves empty (${edits.map((e) => e.path.join('.')).join(', ')}). Not for publication.\n${out}`;
}

/**
 * The policy `rempart serve --demo` runs with: `file` itself when it gives every contact,
 * else its overlay, written to `<dataDir>/demo-policy.yaml` and loaded from there.
 */
export async function loadDemoPolicy(file: string, dataDir: string): Promise<LoadedPolicy> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new RempartError('POLICY_INVALID', `policy ${file} cannot be read`, { details: [{ file, message: cause instanceof Error ? cause.message : String(cause) }], cause });
  }
  const overlaid = withDemoContacts(text);
  if (overlaid === text) return parsePolicy(text, file);
  await mkdir(dataDir, { recursive: true });
  const target = join(dataDir, DEMO_POLICY_FILE);
  await writeFile(target, overlaid, 'utf8');
  return parsePolicy(overlaid, target);
}
