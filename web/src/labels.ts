import type { CaseStatus, ContractStatus, Engine, ErrorDetail, InvoiceStatus, OrganisationKind, Phone, Relation } from './api.js';

/** French labels of the API's enumerations, for display only (the API keeps the codes). */

export const ENGINE_LABELS: Readonly<Record<Engine, string>> = { pglite: 'PGlite', postgres: 'PostgreSQL' };

export const KIND_LABELS: Readonly<Record<OrganisationKind, string>> = {
  client: 'Client',
  prospect: 'Prospect',
  recovery_body: 'Recouvrement',
  subcontractor: 'Sous-traitant',
  subsidiary: 'Filiale',
};

export const RELATION_LABELS: Readonly<Record<Relation, string>> = {
  client_contact: 'Contact client',
  colleague: 'Collègue',
  prospect: 'Prospect',
};

export const CONTRACT_STATUS_LABELS: Readonly<Record<ContractStatus, string>> = {
  draft: 'Brouillon',
  active: 'Actif',
  ended: 'Terminé',
  terminated: 'Résilié',
};

export const INVOICE_STATUS_LABELS: Readonly<Record<InvoiceStatus, string>> = {
  issued: 'Émise',
  paid: 'Payée',
  overdue: 'En retard',
  cancelled: 'Annulée',
};

export const CASE_STATUS_LABELS: Readonly<Record<CaseStatus, string>> = {
  open: 'Ouverte',
  in_progress: 'En cours',
  resolved: 'Résolue',
  closed: 'Clôturée',
};

export const PHONE_TYPE_LABELS: Readonly<Record<NonNullable<Phone['type']>, string>> = {
  mobile: 'Mobile',
  landline: 'Fixe',
  fax: 'Fax',
  other: 'Autre',
};

/** Purposes are policy ids; the two of the client relationship get a French name, others show as is. */
export function purposeLabel(purpose: string): string {
  switch (purpose) {
    case 'crm':
      return 'Gestion de la relation client';
    case 'prospecting':
      return 'Prospection commerciale';
    default:
      return purpose;
  }
}

/**
 * The API's field messages in French. Unknown messages are shown as the API wrote them,
 * so a new server rule is never hidden, only untranslated.
 */
export function fieldMessage(message: string): string {
  if (message === 'is required') return 'est obligatoire';
  if (message === 'is already used') return 'est déjà utilisé';
  if (message.startsWith('must be a valid SIRET')) return 'SIRET invalide : 14 chiffres avec une clé de contrôle correcte';
  const min = /^must NOT have fewer than (\d+) characters?$/.exec(message);
  if (min) return min[1] === '1' ? 'ne doit pas être vide' : `doit contenir au moins ${min[1]} caractères`;
  const max = /^must NOT have more than (\d+) characters?$/.exec(message);
  if (max) return `doit contenir au plus ${max[1]} caractères`;
  return message;
}

/**
 * The messages of each field. A nullable field's schema is a union with null, and the
 * validator reports the null branch too ("must be of type null"); that line says
 * nothing to a user when the field has a real message, so it is dropped then.
 */
export function messagesByField(details: readonly ErrorDetail[]): ReadonlyMap<string, readonly string[]> {
  const map = new Map<string, string[]>();
  for (const d of details) map.set(d.field, [...(map.get(d.field) ?? []), d.message]);
  for (const [field, messages] of map) {
    const useful = messages.filter((m) => m !== 'must be of type null');
    map.set(field, (useful.length > 0 ? useful : messages).map(fieldMessage));
  }
  return map;
}

/** The roles of the policy (policies/certilience.yaml), by id; an unknown role shows its id. */
const ROLE_LABELS: Readonly<Record<string, string>> = {
  marketing: 'Service marketing',
  sales: 'Service commercial',
  customer_relations: 'Relation client',
  prospecting: 'Prospection',
  administration: 'Services administratifs',
  logistics: 'Services logistiques',
  it: 'Services informatiques',
  manager: 'Responsable hiérarchique',
  subcontractor: 'Sous-traitant',
  subsidiary: 'Filiale',
  debt_recovery: 'Recouvrement',
  dpo: 'Délégué à la protection des données',
  archive_reader: 'Accès aux archives',
};

/** The French name of a role id. */
export function roleLabel(role: string): string {
  return Object.hasOwn(ROLE_LABELS, role) ? (ROLE_LABELS[role] ?? role) : role;
}
