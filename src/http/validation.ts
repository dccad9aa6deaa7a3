import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { isValidSiret } from '../identifiers/siret.js';
import { isValidE164, isValidEmail, isValidVatNumber } from '../identifiers/identifiers.js';
import type { ErrorDetail } from '../errors.js';

// ajv-formats ships CommonJS whose default export TypeScript sees as the module object.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

/** Our own formats: each failure names the field and says what a valid value looks like. */
const FORMAT_MESSAGES: Readonly<Record<string, string>> = {
  siret: 'must be a valid SIRET: 14 digits with a valid check digit',
  vat: 'must be a valid EU VAT number (for France: FR, a 2-character key and the SIREN)',
  email: 'must be a valid email address',
  e164: 'must be a phone number in international E.164 form, e.g. +33612345678',
  date: 'must be a date in the form YYYY-MM-DD',
  'date-time': 'must be a date and time in ISO 8601 form, e.g. 2026-11-26T10:00:00Z',
  uuid: 'must be an id (a UUID)',
  country: 'must be an ISO 3166-1 alpha-2 country code, e.g. FR',
};

function makeAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({
    allErrors: true, // every problem at once, not only the first
    coerceTypes: coerce ? 'array' : false,
    removeAdditional: false, // unknown fields are errors, never silently dropped
    useDefaults: true,
    strict: false,
  });
  addFormats(ajv, ['date', 'date-time', 'uuid']);
  ajv.addFormat('siret', { type: 'string', validate: isValidSiret });
  ajv.addFormat('vat', { type: 'string', validate: isValidVatNumber });
  ajv.addFormat('email', { type: 'string', validate: isValidEmail });
  ajv.addFormat('e164', { type: 'string', validate: isValidE164 });
  ajv.addFormat('country', { type: 'string', validate: (s: string) => /^[A-Z]{2}$/.test(s) });
  return ajv;
}

// Bodies are validated strictly ("12" is not a number); query strings and path
// parameters arrive as text and are coerced.
const strict = makeAjv(false);
const coercing = makeAjv(true);

/** Compiles a schema with the strict (body) rules, for validation outside HTTP. */
export function compileStrict(schema: object): ValidateFunction {
  return strict.compile(schema);
}

/** Compiles a schema with the coercing (query string) rules, for validation outside HTTP. */
export function compileCoercing(schema: object): ValidateFunction {
  return coercing.compile(schema);
}

/** Fastify's validator compiler: strict for bodies, coercing for query and params. */
export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? strict : coercing;
  const fn: ValidateFunction = ajv.compile(schema);
  return fn as never;
};

function fieldOf(e: ErrorObject, part: string): string {
  const base = e.instancePath
    .split('/')
    .slice(1)
    .map((seg) => (/^\d+$/.test(seg) ? `[${seg}]` : `.${seg.replace(/~1/g, '/').replace(/~0/g, '~')}`))
    .join('')
    .replace(/^\./, '');
  const extra =
    e.keyword === 'required'
      ? String((e.params as { missingProperty: string }).missingProperty)
      : e.keyword === 'additionalProperties'
        ? String((e.params as { additionalProperty: string }).additionalProperty)
        : '';
  const path = [base, extra].filter(Boolean).join('.');
  return path || (part === 'body' ? '(body)' : `(${part})`);
}

function messageOf(e: ErrorObject): string {
  switch (e.keyword) {
    case 'required':
      return 'is required';
    case 'additionalProperties':
      return 'is not a known field';
    case 'format':
      return FORMAT_MESSAGES[String((e.params as { format: string }).format)] ?? `must match format ${String((e.params as { format: string }).format)}`;
    case 'type':
      return `must be of type ${String((e.params as { type: string }).type)}`;
    case 'enum':
      return `must be one of: ${((e.params as { allowedValues: unknown[] }).allowedValues ?? []).join(', ')}`;
    default:
      return e.message ?? 'is invalid';
  }
}

/**
 * Turns ajv errors into details naming each field (`contacts[0].email`). The offending
 * value is never echoed back: it may be personal data.
 */
export function validationDetails(errors: readonly ErrorObject[], part: string): ErrorDetail[] {
  const seen = new Set<string>();
  const out: ErrorDetail[] = [];
  // A nullable field fails both branches of its anyOf: "must be a valid SIRET" and
  // "must be of type null". Only the first helps; drop the null branch's complaint.
  const realProblem = new Set(
    errors.filter((e) => !(e.keyword === 'type' && (e.params as { type?: string }).type === 'null')).map((e) => e.instancePath),
  );
  for (const e of errors) {
    // anyOf/oneOf wrappers repeat what their branches already said.
    if (e.keyword === 'anyOf' || e.keyword === 'oneOf' || e.keyword === 'if') continue;
    if (e.keyword === 'type' && (e.params as { type?: string }).type === 'null' && realProblem.has(e.instancePath)) continue;
    const detail = { field: fieldOf(e, part), message: messageOf(e) };
    const k = `${detail.field}|${detail.message}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push(detail);
    }
  }
  return out;
}
