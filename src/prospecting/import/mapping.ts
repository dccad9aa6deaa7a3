import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { RempartError, type ErrorDetail } from '../../errors.js';
import { fold } from '../normalise/index.js';

/** The fields a prospect file can give. `ignore` drops a column on purpose. */
export const PROSPECT_FIELDS = [
  'firstName',
  'lastName',
  'fullName',
  'email',
  'phone',
  'mobile',
  'jobTitle',
  'company',
  'siret',
  'sector',
  'headcount',
  'address',
  'address2',
  'postcode',
  'city',
  'country',
  'source',
  'collectedAt',
  'civility',
  'consentEmail',
  'consentAt',
  'consentEvidence',
  'ignore',
] as const;
/** One of PROSPECT_FIELDS. */
export type ProspectField = (typeof PROSPECT_FIELDS)[number];

/**
 * Header spellings of French and English files, folded (case, accents and punctuation
 * ignored: "E-mail", "Courriel", "Adresse électronique" all fold to a key here).
 */
const SYNONYMS: Readonly<Record<Exclude<ProspectField, 'ignore'>, readonly string[]>> = {
  firstName: ['prenom', 'prenoms', 'first name', 'firstname', 'given name', 'givenname', 'first'],
  lastName: ['nom', 'nom de famille', 'nom famille', 'last name', 'lastname', 'surname', 'family name', 'nom usage', 'nom d usage'],
  fullName: ['nom complet', 'nom prenom', 'prenom nom', 'full name', 'fullname', 'name', 'contact', 'nom et prenom', 'prenom et nom', 'interlocuteur'],
  email: ['email', 'e mail', 'mail', 'courriel', 'adresse mail', 'adresse e mail', 'adresse email', 'adresse electronique', 'adresse courriel', 'email address', 'e mail address', 'mel', 'mail pro', 'email pro', 'email professionnel'],
  phone: ['telephone', 'tel', 'tel fixe', 'telephone fixe', 'fixe', 'phone', 'phone number', 'telephone number', 'tel pro', 'telephone professionnel', 'standard', 'telephone bureau', 'tel bureau', 'work phone', 'numero de telephone', 'no telephone', 'n telephone'],
  mobile: ['portable', 'mobile', 'tel portable', 'telephone portable', 'tel mobile', 'telephone mobile', 'cellulaire', 'gsm', 'mobile phone', 'cell', 'cell phone', 'cellphone'],
  jobTitle: ['fonction', 'poste', 'titre', 'job title', 'jobtitle', 'title', 'position', 'role', 'intitule de poste', 'intitule du poste', 'metier'],
  company: ['societe', 'entreprise', 'raison sociale', 'company', 'company name', 'organisation', 'organization', 'employeur', 'denomination', 'nom entreprise', 'nom de l entreprise', 'nom societe', 'etablissement', 'structure', 'account', 'compte'],
  siret: ['siret', 'siren', 'numero siret', 'n siret', 'no siret', 'siret siege', 'numero siren', 'n siren'],
  sector: ['secteur', 'secteur d activite', 'secteur activite', 'activite', 'industry', 'sector', 'code naf', 'naf', 'ape', 'code ape'],
  headcount: ['effectif', 'effectifs', 'headcount', 'employees', 'nombre de salaries', 'nb salaries', 'taille', 'tranche effectif'],
  address: ['adresse', 'adresse 1', 'adresse1', 'address', 'address 1', 'address1', 'address line 1', 'rue', 'voie', 'street', 'adresse ligne 1', 'adresse postale', 'numero et rue'],
  address2: ['adresse 2', 'adresse2', 'complement', 'complement d adresse', 'complement adresse', 'address 2', 'address2', 'address line 2', 'adresse ligne 2', 'batiment'],
  postcode: ['code postal', 'cp', 'postcode', 'post code', 'zip', 'zip code', 'zipcode', 'postal code', 'code post'],
  city: ['ville', 'commune', 'city', 'localite', 'town', 'bureau distributeur'],
  country: ['pays', 'country'],
  source: ['source', 'origine', 'provenance', 'lead source'],
  collectedAt: ['date de collecte', 'date collecte', 'collecte le', 'collected at', 'collected on', 'date of collection', 'date d entree', 'date de saisie'],
  civility: ['civilite', 'titre de civilite', 'salutation', 'mr mme', 'm mme', 'genre'],
  // Opt-in columns of web forms and purchased lists (R-PROS-6: a personal-domain address
  // may be solicited only with consent, L34-5 CPCE). "Partenaires" columns are the opt-in to
  // the offers of the form owner's partners, which is what allows us, as one, to write.
  consentEmail: [
    'consentement', 'consentement email', 'consentement e mail', 'consentement mail', 'consentement prospection', 'consentement commercial', 'consentement marketing',
    'opt in', 'optin', 'opt in email', 'optin email', 'opt in e mail', 'optin e mail', 'email opt in', 'email optin', 'e mail opt in', 'e mail optin', 'opt in partenaires', 'optin partenaires', 'offres partenaires', 'accepte offres partenaires',
    'accepte newsletter', 'accepte la newsletter', 'accepte les offres', 'accepte offres', 'accepte offres commerciales', 'accord prospection', 'accord email',
    'consent', 'email consent', 'consent email', 'marketing consent', 'consent marketing', 'marketing opt in', 'newsletter opt in', 'accepts marketing',
  ],
  consentAt: [
    'date consentement', 'date du consentement', 'date de consentement', 'consentement le', 'date opt in', 'date optin', 'date d opt in', 'opt in date', 'optin date', 'opt in le',
    'date accord', 'date d accord', 'consent date', 'consent at', 'consented at', 'consented on', 'date of consent', 'consent timestamp', 'opt in timestamp',
  ],
  consentEvidence: [
    'preuve', 'preuve consentement', 'preuve du consentement', 'preuve de consentement', 'preuve opt in', 'preuve optin', 'source consentement', 'source du consentement',
    'source opt in', 'source optin', 'formulaire', 'url formulaire', 'formulaire opt in', 'formulaire optin', 'campagne opt in',
    'evidence', 'consent evidence', 'consent proof', 'proof of consent', 'opt in proof', 'optin proof', 'consent source', 'opt in source', 'optin source', 'consent url', 'opt in url',
  ],
};

const BY_KEY: ReadonlyMap<string, ProspectField> = new Map(
  (Object.entries(SYNONYMS) as [ProspectField, readonly string[]][]).flatMap(([field, keys]) => keys.map((k) => [k, field] as const)),
);

/** The field a header names, or null when unknown (case, accents, punctuation and spacing ignored). */
export function fieldOfHeader(header: string): ProspectField | null {
  return BY_KEY.get(fold(header)) ?? null;
}

/** A mapping from header (as written in the file) to field, read from a mapping file. */
export type ColumnMapping = Readonly<Record<string, ProspectField>>;

/** The columns of a file resolved to fields: column index → field, and the headers left unmapped. */
export interface ResolvedColumns {
  readonly fields: readonly (ProspectField | null)[];
  readonly unmapped: readonly string[];
  /** Header → field, for the report. */
  readonly byHeader: Readonly<Record<string, string>>;
}

/**
 * Resolves a file's header: the mapping file's entries first (matched exactly, then
 * folded), then the French and English synonyms. Two columns giving the same
 * single-valued field is an error naming both (the import cannot guess which is right);
 * `phone` and `mobile` columns may repeat (every number is kept).
 */
export function resolveColumns(header: readonly string[], mapping?: ColumnMapping): ResolvedColumns {
  const folded = new Map(Object.entries(mapping ?? {}).map(([h, f]) => [fold(h), f] as const));
  const fields = header.map((h) => mapping?.[h] ?? folded.get(fold(h)) ?? fieldOfHeader(h));
  const seen = new Map<ProspectField, string>();
  for (const [i, f] of fields.entries()) {
    if (f === null || f === 'ignore' || f === 'phone' || f === 'mobile') continue;
    const other = seen.get(f);
    if (other !== undefined) {
      throw new RempartError('VALIDATION_FAILED', `Columns "${other}" and "${header[i]}" both map to ${f}; say which to use in a mapping file (--mapping).`, {
        details: [{ field: header[i] ?? `column ${i + 1}`, line: 1, message: `duplicate mapping to ${f}` }],
      });
    }
    seen.set(f, header[i] ?? '');
  }
  const unmapped = header.filter((h, i) => fields[i] === null && h.trim() !== '');
  const byHeader = Object.fromEntries(header.map((h, i) => [h, fields[i] ?? 'unmapped']));
  return { fields: fields.map((f) => (f === 'ignore' ? null : f)), unmapped, byHeader };
}

/**
 * Reads a mapping file (JSON or YAML): `{"columns": {"Header": "field"}}` or the bare
 * object `{"Header": "field"}`. Every field must be one of PROSPECT_FIELDS.
 */
export async function loadMappingFile(path: string): Promise<ColumnMapping> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new RempartError('VALIDATION_FAILED', `Cannot read the mapping file ${path}.`, { details: [{ file: path, message: 'cannot be read' }], cause: e });
  }
  let data: unknown;
  try {
    data = /\.json$/i.test(path) ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new RempartError('VALIDATION_FAILED', `The mapping file ${path} is not valid JSON or YAML.`, { details: [{ file: path, message: 'does not parse' }], cause: e });
  }
  return columnMappingOf(data, `The mapping file ${path}`, { file: path });
}

/**
 * A mapping read from parsed JSON or YAML (`{"columns": {…}}` or the bare object), as a
 * mapping file or the import wizard's chosen columns give it; `what` names it in errors
 * and `where` is spread into each detail (the file, or the form field).
 */
export function columnMappingOf(data: unknown, what: string, where: { readonly file?: string; readonly field?: string }): ColumnMapping {
  const root = data !== null && typeof data === 'object' && 'columns' in data ? (data as { columns: unknown }).columns : data;
  if (root === null || typeof root !== 'object' || Array.isArray(root)) {
    throw new RempartError('VALIDATION_FAILED', `${what} must map column headers to fields.`, { details: [{ ...where, message: 'expected an object' }] });
  }
  const out: Record<string, ProspectField> = {};
  const problems: ErrorDetail[] = [];
  for (const [header, field] of Object.entries(root as Record<string, unknown>)) {
    const f = field === null ? 'ignore' : field;
    if (typeof f === 'string' && (PROSPECT_FIELDS as readonly string[]).includes(f)) out[header] = f as ProspectField;
    else problems.push({ ...where, field: header, message: `must be one of ${PROSPECT_FIELDS.join(', ')}` });
  }
  if (problems.length > 0) throw new RempartError('VALIDATION_FAILED', `${what} names unknown fields.`, { details: problems });
  return Object.freeze(out);
}
