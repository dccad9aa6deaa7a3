import type { ColumnType } from 'kysely';

type NullableTime = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

/** `person_states`: restriction (Art. 18) and objections (Art. 21) recorded on a person. */
export interface PersonStatesTable {
  personId: string;
  objectedProspectingAt: NullableTime;
  objectionOtherAt: NullableTime;
  objectionOtherGrounds: string | null;
  decision: 'upheld' | 'overridden' | null;
  decisionGrounds: string | null;
  decidedAt: NullableTime;
  restrictedAt: NullableTime;
  restrictionReason: string | null;
  liftNoticeSentAt: NullableTime;
  /** When an import recognised the person as a private individual (R-PROS-6): no e-mail prospecting without consent while they have no organisation. */
  individualAt: NullableTime;
}

/** The tables of this folder. */
export interface RestrictionTables {
  personStates: PersonStatesTable;
}
