/**
 * Fixed French vocabulary for the demo data: real towns with their postcodes (faker's
 * towns and postcodes are drawn independently and rarely match), the trades of a B2B
 * cybersecurity company's clients, and what it sells. Weights favour the Paris region,
 * where most of those clients sit.
 */

/** A town, one of its postcodes, and the first digits of its landline numbers (ARCEP zone). */
export interface Town {
  readonly city: string;
  readonly postcode: string;
  readonly zone: 1 | 2 | 3 | 4 | 5;
}

export const TOWNS: readonly Town[] = [
  { city: 'Paris', postcode: '75001', zone: 1 },
  { city: 'Paris', postcode: '75002', zone: 1 },
  { city: 'Paris', postcode: '75008', zone: 1 },
  { city: 'Paris', postcode: '75009', zone: 1 },
  { city: 'Paris', postcode: '75011', zone: 1 },
  { city: 'Paris', postcode: '75013', zone: 1 },
  { city: 'Paris', postcode: '75015', zone: 1 },
  { city: 'Paris', postcode: '75017', zone: 1 },
  { city: 'La Défense', postcode: '92400', zone: 1 },
  { city: 'Boulogne-Billancourt', postcode: '92100', zone: 1 },
  { city: 'Issy-les-Moulineaux', postcode: '92130', zone: 1 },
  { city: 'Levallois-Perret', postcode: '92300', zone: 1 },
  { city: 'Nanterre', postcode: '92000', zone: 1 },
  { city: 'Saint-Denis', postcode: '93200', zone: 1 },
  { city: 'Montreuil', postcode: '93100', zone: 1 },
  { city: 'Versailles', postcode: '78000', zone: 1 },
  { city: 'Massy', postcode: '91300', zone: 1 },
  { city: 'Lyon', postcode: '69002', zone: 4 },
  { city: 'Lyon', postcode: '69003', zone: 4 },
  { city: 'Lyon', postcode: '69007', zone: 4 },
  { city: 'Villeurbanne', postcode: '69100', zone: 4 },
  { city: 'Marseille', postcode: '13002', zone: 4 },
  { city: 'Marseille', postcode: '13008', zone: 4 },
  { city: 'Aix-en-Provence', postcode: '13100', zone: 4 },
  { city: 'Nice', postcode: '06000', zone: 4 },
  { city: 'Sophia Antipolis', postcode: '06560', zone: 4 },
  { city: 'Montpellier', postcode: '34000', zone: 4 },
  { city: 'Grenoble', postcode: '38000', zone: 4 },
  { city: 'Toulon', postcode: '83000', zone: 4 },
  { city: 'Toulouse', postcode: '31000', zone: 5 },
  { city: 'Bordeaux', postcode: '33000', zone: 5 },
  { city: 'Mérignac', postcode: '33700', zone: 5 },
  { city: 'Pau', postcode: '64000', zone: 5 },
  { city: 'Limoges', postcode: '87000', zone: 5 },
  { city: 'Poitiers', postcode: '86000', zone: 5 },
  { city: 'Nantes', postcode: '44000', zone: 2 },
  { city: 'Rennes', postcode: '35000', zone: 2 },
  { city: 'Brest', postcode: '29200', zone: 2 },
  { city: 'Angers', postcode: '49000', zone: 2 },
  { city: 'Tours', postcode: '37000', zone: 2 },
  { city: 'Caen', postcode: '14000', zone: 2 },
  { city: 'Rouen', postcode: '76000', zone: 2 },
  { city: 'Orléans', postcode: '45000', zone: 2 },
  { city: 'Lille', postcode: '59000', zone: 3 },
  { city: 'Strasbourg', postcode: '67000', zone: 3 },
  { city: 'Metz', postcode: '57000', zone: 3 },
  { city: 'Nancy', postcode: '54000', zone: 3 },
  { city: 'Reims', postcode: '51100', zone: 3 },
  { city: 'Dijon', postcode: '21000', zone: 3 },
  { city: 'Besançon', postcode: '25000', zone: 3 },
  { city: 'Mulhouse', postcode: '68100', zone: 3 },
  { city: 'Amiens', postcode: '80000', zone: 3 },
];

export const SECTORS: readonly string[] = [
  'Banque',
  'Assurance',
  'Santé',
  'Industrie',
  'Énergie',
  'Collectivité territoriale',
  'Administration',
  'Transport et logistique',
  'Grande distribution',
  'Services numériques',
  'Télécommunications',
  'BTP',
  'Agroalimentaire',
  'Enseignement supérieur',
  'Conseil',
];

export const LEGAL_FORMS: readonly string[] = ['SAS', 'SA', 'SARL', 'SAS', 'SAS', 'SASU', 'SCOP', 'SA'];

export const JOB_TITLES: readonly string[] = [
  'RSSI',
  'DSI',
  'Directeur des systèmes d’information',
  'Responsable sécurité des systèmes d’information',
  'Responsable infrastructure',
  'Administrateur systèmes et réseaux',
  'Ingénieur sécurité',
  'Chef de projet informatique',
  'Responsable des achats',
  'Acheteur',
  'Directeur administratif et financier',
  'Comptable fournisseurs',
  'Délégué à la protection des données',
  'Responsable conformité',
  'Directeur général',
  'Responsable qualité',
  'Responsable formation',
  'Responsable des ressources humaines',
  'Office manager',
];

export const COLLEAGUE_JOB_TITLES: readonly string[] = [
  'Consultant sécurité',
  'Auditeur',
  'Formateur',
  'Chargé d’affaires',
  'Ingénieur avant-vente',
  'Pentester',
  'Chef de projet',
];

/** What the company sells, with a typical order amount in euros excluding VAT. */
export const OFFERS: readonly { readonly name: string; readonly amount: number }[] = [
  { name: 'Audit de sécurité organisationnel', amount: 12_000 },
  { name: 'Test d’intrusion externe', amount: 9_500 },
  { name: 'Test d’intrusion applicatif', amount: 14_000 },
  { name: 'Accompagnement certification ISO 27001', amount: 35_000 },
  { name: 'Formation ISO 27001 Lead Implementer', amount: 3_900 },
  { name: 'Formation ISO 27005 Risk Manager', amount: 3_200 },
  { name: 'Sensibilisation au hameçonnage', amount: 4_500 },
  { name: 'Supervision de sécurité (SOC managé)', amount: 48_000 },
  { name: 'Mise en conformité NIS 2', amount: 22_000 },
  { name: 'Délégué à la protection des données externalisé', amount: 18_000 },
  { name: 'Réponse à incident (forfait annuel)', amount: 15_000 },
];

/** Where a client contact came from (GDPR Art. 14(2)(f)); `{year}` is the year of collection. */
export const CLIENT_SOURCES: readonly string[] = [
  'contrat',
  'contrat',
  'contrat',
  'bon de commande',
  'formulaire web',
  'salon Les Assises {year}',
  'appel entrant',
  'recommandation d’un client',
];

export const PROSPECT_SOURCES: readonly string[] = [
  'salon Les Assises {year}',
  'salon Les Assises {year}',
  'Forum InCyber {year}',
  'formulaire web',
  'formulaire web',
  'webinaire « NIS 2 en pratique » {year}',
  'fichier acheté (annuaire des RSSI {year})',
  'fichier acheté (base sectorielle {year})',
  'carte de visite',
  'recommandation d’un client',
];

export const COLLEAGUE_SOURCES: readonly string[] = ['annuaire interne', 'contrat de sous-traitance'];

export const COMPLAINT_SUBJECTS: readonly string[] = [
  'Facture erronée',
  'Retard de livraison du rapport d’audit',
  'Intervention annulée tardivement',
  'Formateur absent',
  'Double facturation',
  'Qualité du rapport de test d’intrusion',
  'Accès à la plateforme de formation impossible',
];

export const TICKET_SUBJECTS: readonly string[] = [
  'Demande de duplicata de facture',
  'Changement d’adresse de livraison',
  'Question sur le rapport',
  'Report de session de formation',
  'Accès au portail client',
  'Attestation de formation manquante',
  'Demande de devis complémentaire',
];

export const SURVEY_NAMES: readonly string[] = [
  'Satisfaction annuelle {year}',
  'Évaluation de formation',
  'Avis après intervention',
];

export const SURVEY_COMMENTS: readonly string[] = [
  'Très bon accompagnement.',
  'Consultants compétents et disponibles.',
  'Délais un peu longs.',
  'Rapport clair et exploitable.',
  'Formation dense mais utile.',
  'Communication à améliorer.',
  'Rien à signaler.',
];

export const RECOVERY_FIRMS: readonly string[] = [
  'Cabinet de recouvrement {name}',
  'Cabinet de recouvrement {name} & Associés',
  '{name} Recouvrement',
];
