/**
 * A French B2B contact file with known truth, for the deduplication bench (R-PROS-2):
 * people with accented names and particles, companies with legal forms and SIRET, emails,
 * phones and postal addresses; duplicates carry the errors real files carry (typos, lost
 * accents, swapped given name and surname, missing values, other phone and address
 * spellings, a personal email instead of the work one). Seeded: the same seed gives the
 * same file. Fast enough for millions of rows (no faker: plain lists and one generator).
 */
import { makeSiren, makeSiret } from '../src/identifiers/siret.js';
import { mulberry32 } from '../src/prospecting/dedupe/rng.js';

const GIVEN = [
  'Jean', 'Marie', 'Pierre', 'Michel', 'André', 'Philippe', 'Nathalie', 'Isabelle', 'Sylvie', 'Catherine', 'Françoise', 'Hélène', 'Élodie',
  'Émilie', 'Céline', 'Stéphane', 'Frédéric', 'Jérôme', 'Sébastien', 'Cédric', 'Grégoire', 'Benoît', 'Noël', 'Joël', 'Gaëlle', 'Loïc',
  'Anaïs', 'Chloé', 'Zoé', 'Léa', 'Inès', 'Maëlle', 'Jérémie', 'Thérèse', 'Agnès', 'Mathieu', 'Matthieu', 'Nicolas', 'Julien', 'Thomas',
  'Camille', 'Laurent', 'Christophe', 'Sandrine', 'Valérie', 'Véronique', 'Christine', 'Aurélie', 'Guillaume', 'François', 'Antoine',
  'Alexandre', 'Olivier', 'Patrick', 'Éric', 'David', 'Vincent', 'Bruno', 'Arnaud', 'Romain', 'Maxime', 'Hugo', 'Louis', 'Gabriel',
  'Raphaël', 'Arthur', 'Jules', 'Adèle', 'Manon', 'Pauline', 'Juliette', 'Margaux', 'Clémence', 'Océane', 'Mélanie', 'Laëtitia',
  'Bérénice', 'Amélie', 'Solène', 'Rémi', 'Théo', 'Timothée', 'Yannick', 'Gaël', 'Hervé', 'Régis', 'Gérard', 'Josiane', 'Ghislaine',
  'Jean-Pierre', 'Jean-Luc', 'Marie-Claire', 'Anne-Sophie', 'Pierre-Yves', 'Marc-Antoine', 'Jean-Baptiste', 'Marie-Hélène',
];
const SURNAME = [
  'Martin', 'Bernard', 'Thomas', 'Petit', 'Robert', 'Richard', 'Durand', 'Dubois', 'Moreau', 'Laurent', 'Simon', 'Michel', 'Lefèvre',
  'Leroy', 'Roux', 'David', 'Bertrand', 'Morel', 'Fournier', 'Girard', 'Bonnet', 'Dupont', 'Lambert', 'Fontaine', 'Rousseau', 'Vincent',
  'Müller', 'Lefebvre', 'Faure', 'André', 'Mercier', 'Blanc', 'Guérin', 'Boyer', 'Garnier', 'Chevalier', 'François', 'Legrand', 'Gauthier',
  'Garcia', 'Perrin', 'Robin', 'Clément', 'Morin', 'Nicolas', 'Henry', 'Roussel', 'Mathieu', 'Gautier', 'Masson', 'Marchand', 'Duval',
  'Denis', 'Dumont', 'Marie', 'Lemaire', 'Noël', 'Meyer', 'Dufour', 'Meunier', 'Brun', 'Blanchard', 'Giraud', 'Joly', 'Rivière', 'Lucas',
  'Brunet', 'Gaillard', 'Barbier', 'Arnaud', 'Martinez', 'Gérard', 'Roche', 'Renard', 'Schmitt', 'Roy', 'Leroux', 'Colin', 'Vidal',
  'Caron', 'Picard', 'Roger', 'Fabre', 'Aubert', 'Lemoine', 'Renaud', 'Dumas', 'Lacroix', 'Olivier', 'Philippe', 'Bourgeois', 'Pierre',
  'Benoît', 'Rey', 'Leclerc', 'Payet', 'Rolland', 'Leclercq', 'Guillaume', 'Lecomte', 'Lopez', 'Jean', 'Dupuy', 'Guillot', 'Hubert',
  'Berger', 'Carpentier', 'Sanchez', 'Dupuis', 'Moulin', 'Louis', 'Deschamps', 'Huet', 'Vasseur', 'Perez', 'Boucher', 'Fleury', 'Royer',
  'Klein', 'Jacquet', 'Adam', 'Paris', 'Poirier', 'Marty', 'Aubry', 'Guyot', 'Carré', 'Charles', 'Renault', 'Charpentier', 'Ménard',
  'Maillard', 'Baron', 'Bertin', 'Bailly', 'Hervé', 'Schneider', 'Fernandez', 'Le Gall', 'Collet', 'Léger', 'Bouvier', 'Julien',
  'Prévost', 'Millet', 'Perrot', 'Daniel', 'Le Roux', 'Cousin', 'Germain', 'Breton', 'Besson', 'Langlois', 'Rémy', 'Le Goff', 'Pelletier',
  'Lévêque', 'Perrier', 'Leblanc', 'Barré', 'Lebrun', 'Marchal', 'Weber', 'Mallet', 'Hamon', 'Boulanger', 'Jacob', 'Monnier', 'Michaud',
  'de La Fontaine', 'de Villiers', "d'Arcy", 'Du Pont', 'de Saint-Exupéry', 'Le Bihan', 'Le Guen', 'Kerjean', 'Quéméner', 'Thébault',
];
const STREET_TYPES: readonly (readonly [string, string])[] = [
  ['rue', 'r'], ['avenue', 'av'], ['boulevard', 'bd'], ['place', 'pl'], ['impasse', 'imp'], ['chemin', 'ch'], ['allée', 'all'], ['route', 'rte'], ['quai', 'qu'],
];
const STREET_NAMES = [
  'de la République', 'Victor Hugo', 'Jean Jaurès', 'de la Paix', 'du Général de Gaulle', 'Pasteur', 'des Écoles', 'de l’Église', 'du Moulin',
  'Gambetta', 'Voltaire', 'des Lilas', 'de la Gare', 'Jules Ferry', 'Saint-Michel', 'du Château', 'des Prés', 'Émile Zola', 'Carnot',
  'de Verdun', 'Foch', 'Clemenceau', 'des Acacias', 'de Bretagne', 'du Port', 'Sainte-Catherine', 'Mozart', 'des Peupliers', 'Molière',
  'de la Liberté', 'Anatole France', 'du Stade', 'des Tilleuls', 'Lamartine', 'de Lattre de Tassigny', 'Berthelot', 'du 8 Mai 1945',
];
const CITIES: readonly (readonly [string, string])[] = [
  ['75001', 'Paris'], ['75015', 'Paris'], ['75011', 'Paris'], ['69001', 'Lyon'], ['69003', 'Lyon'], ['13001', 'Marseille'], ['13008', 'Marseille'],
  ['31000', 'Toulouse'], ['06000', 'Nice'], ['44000', 'Nantes'], ['67000', 'Strasbourg'], ['34000', 'Montpellier'], ['33000', 'Bordeaux'],
  ['59000', 'Lille'], ['35000', 'Rennes'], ['51100', 'Reims'], ['42000', 'Saint-Étienne'], ['83000', 'Toulon'], ['38000', 'Grenoble'],
  ['21000', 'Dijon'], ['49000', 'Angers'], ['30000', 'Nîmes'], ['63000', 'Clermont-Ferrand'], ['72000', 'Le Mans'], ['29200', 'Brest'],
  ['37000', 'Tours'], ['80000', 'Amiens'], ['87000', 'Limoges'], ['74000', 'Annecy'], ['66000', 'Perpignan'], ['57000', 'Metz'],
  ['25000', 'Besançon'], ['45000', 'Orléans'], ['76000', 'Rouen'], ['14000', 'Caen'], ['68100', 'Mulhouse'], ['54000', 'Nancy'],
  ['95000', 'Cergy'], ['92100', 'Boulogne-Billancourt'], ['93100', 'Montreuil'], ['97400', 'Saint-Denis'], ['64000', 'Pau'],
  ['17000', 'La Rochelle'], ['56100', 'Lorient'], ['22000', 'Saint-Brieuc'], ['81000', 'Albi'], ['40100', 'Dax'], ['11100', 'Narbonne'],
];
const COMPANY_A = ['Atelier', 'Groupe', 'Société', 'Cabinet', 'Maison', 'Établissements', 'Compagnie', 'Bureau', 'Institut', 'Agence', 'Laboratoires', 'Transports'];
const COMPANY_B = [
  'Dupré', 'Lumière', 'Horizon', 'Bréval', 'Cévennes', 'Armor', 'Océan', 'Rhône', 'Vauban', 'Colbert', 'Garonne', 'Mistral', 'Alpes', 'Sologne',
  'Vercors', 'Léman', 'Provence', 'Ardennes', 'Quercy', 'Morvan', 'Périgord', 'Béarn', 'Touraine', 'Saintonge', 'Vendée', 'Argonne', 'Artois',
];
const COMPANY_C = ['Conseil', 'Industrie', 'Services', 'Logistique', 'Numérique', 'Bâtiment', 'Santé', 'Énergie', 'Distribution', 'Ingénierie', 'Immobilier', 'Finance'];
const LEGAL = ['SAS', 'SARL', 'SA', 'EURL', 'SASU', 'SCOP', 'SNC'];
const PERSONAL_DOMAINS = ['gmail.com', 'orange.fr', 'free.fr', 'hotmail.fr', 'laposte.net', 'wanadoo.fr', 'sfr.fr', 'yahoo.fr'];

/** The columns of the generated file, in order. */
export const FRENCH_COLUMNS = ['id', 'given_name', 'surname', 'email', 'phone', 'company', 'siret', 'address', 'postcode', 'city'] as const;

/** The generated records, column by column, with the true entity of each row. */
export interface FrenchB2B {
  readonly columns: Readonly<Record<(typeof FRENCH_COLUMNS)[number], (string | null)[]>>;
  /** Per row, the entity it describes. */
  readonly truth: Int32Array;
  readonly entities: number;
}

interface Company {
  readonly name: string;
  readonly legal: string;
  readonly domain: string;
  readonly siret: string;
}

function strip(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
}

function slug(s: string): string {
  return strip(s)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** Generates `n` rows (about 1 in 4 a duplicate of another row's entity) from `seed`. */
export function generateFrenchB2B(n: number, seed = 42): FrenchB2B {
  const random = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const chance = (p: number): boolean => random() < p;
  const companies: Company[] = [];
  const companyCount = Math.max(10, Math.floor(n / 12));
  for (let c = 0; c < companyCount; c++) {
    const name = chance(0.5) ? `${pick(COMPANY_A)} ${pick(COMPANY_B)}` : `${pick(COMPANY_B)} ${pick(COMPANY_C)}`;
    const suffix = c.toString(36);
    companies.push({ name: `${name} ${suffix.toUpperCase()}`, legal: pick(LEGAL), domain: `${slug(name)}-${suffix}.fr`, siret: makeSiret(makeSiren(random), 1 + Math.floor(random() * 99)) });
  }
  const cols = Object.fromEntries(FRENCH_COLUMNS.map((c) => [c, new Array<string | null>(n)])) as Record<(typeof FRENCH_COLUMNS)[number], (string | null)[]>;
  const truth = new Int32Array(n);
  let row = 0;
  let entity = 0;
  while (row < n) {
    const given = pick(GIVEN);
    const surname = pick(SURNAME);
    const company = companies[Math.floor(random() ** 2 * companies.length)]!;
    const [postcode, city] = pick(CITIES);
    const [streetType, streetAbbrev] = pick(STREET_TYPES);
    const street = pick(STREET_NAMES);
    const number = 1 + Math.floor(random() * 150);
    const mobile = chance(0.6);
    const phoneDigits = `${mobile ? pick(['6', '7']) : pick(['1', '2', '3', '4', '5'])}${String(Math.floor(random() * 1e8)).padStart(8, '0')}`;
    const local = `${slug(given)}.${slug(surname)}`.replace(/-/g, '');
    const email = chance(0.85) ? `${local}@${company.domain}` : `${local}${Math.floor(random() * 100)}@${pick(PERSONAL_DOMAINS)}`;
    const copies = 1 + (chance(0.25) ? 1 + Math.floor(random() ** 2 * 4) : 0);
    for (let k = 0; k < copies && row < n; k++) {
      const dup = k > 0;
      let g: string | null = given;
      let s: string | null = surname;
      let e: string | null = email;
      let p: string | null = phoneFormat(phoneDigits, dup ? Math.floor(random() * 4) : 0);
      let co: string | null = `${company.name} ${company.legal}`;
      let si: string | null = company.siret;
      let ad: string | null = `${number} ${streetType} ${street}`;
      let pc: string | null = postcode;
      let ci: string | null = city;
      if (dup) {
        if (chance(0.3)) g = strip(g);
        if (chance(0.3)) s = strip(s);
        if (chance(0.15)) g = typo(g, random);
        if (chance(0.15)) s = typo(s, random);
        if (chance(0.1)) s = s.toUpperCase();
        if (chance(0.05)) [g, s] = [s, g];
        if (chance(0.05)) g = g.charAt(0) + '.';
        if (chance(0.08)) e = null;
        else if (chance(0.1)) e = typo(e, random);
        else if (chance(0.05)) e = `${local}@${pick(PERSONAL_DOMAINS)}`;
        if (chance(0.15)) p = null;
        else if (chance(0.05)) p = typo(p, random);
        if (chance(0.2)) co = company.name;
        else if (chance(0.1)) co = `${company.legal} ${strip(company.name).toUpperCase()}`;
        if (chance(0.05)) co = typo(co, random);
        if (chance(0.4)) si = null;
        if (chance(0.3)) ad = `${number} ${streetAbbrev} ${street}`;
        if (chance(0.2)) ad = strip(ad);
        if (chance(0.1)) ad = typo(ad, random);
        if (chance(0.1)) ad = null;
        if (chance(0.05)) pc = typo(pc, random);
        if (chance(0.1)) ci = strip(ci).toUpperCase();
        if (chance(0.05)) pc = null;
        if (chance(0.05)) ci = null;
      } else {
        if (chance(0.02)) e = null;
        if (chance(0.05)) p = null;
        if (chance(0.3)) si = null;
      }
      cols.id[row] = `FR${String(row).padStart(8, '0')}`;
      cols.given_name[row] = g;
      cols.surname[row] = s;
      cols.email[row] = e;
      cols.phone[row] = p;
      cols.company[row] = co;
      cols.siret[row] = si;
      cols.address[row] = ad;
      cols.postcode[row] = pc;
      cols.city[row] = ci;
      truth[row] = entity;
      row++;
    }
    entity++;
  }
  // Shuffle rows so duplicates are not adjacent (nothing may rely on the order).
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  const shuffled = Object.fromEntries(FRENCH_COLUMNS.map((c) => [c, Array.from(order, (i) => cols[c][i]!)])) as typeof cols;
  shuffled.id = Array.from({ length: n }, (_, i) => `FR${String(i).padStart(8, '0')}`);
  return { columns: shuffled, truth: Int32Array.from(order, (i) => truth[i]!), entities: entity };
}

function phoneFormat(nsn: string, style: number): string {
  const pairs = `0${nsn}`.match(/../g)!;
  switch (style) {
    case 1:
      return `+33 ${nsn.charAt(0)} ${pairs.slice(1).join(' ')}`;
    case 2:
      return pairs.join('.');
    case 3:
      return `0${nsn}`;
    default:
      return pairs.join(' ');
  }
}

/** One typing error: a character dropped, doubled, replaced by a neighbour, or two swapped. */
function typo(s: string, random: () => number): string {
  if (s.length < 3) return s;
  const i = 1 + Math.floor(random() * (s.length - 2));
  const kind = Math.floor(random() * 4);
  if (kind === 0) return s.slice(0, i) + s.slice(i + 1);
  if (kind === 1) return s.slice(0, i) + s.charAt(i) + s.slice(i);
  if (kind === 2) return s.slice(0, i) + 'azertyuiopqsdfghjklmwxcvbn'.charAt(Math.floor(random() * 26)) + s.slice(i + 1);
  return s.slice(0, i) + s.charAt(i + 1) + s.charAt(i) + s.slice(i + 2);
}
