import type { Timestamp } from '../../db/column-types.js';

/** The channels an objection to prospecting covers (R-PROS-3). */
export const OPPOSITION_CHANNELS = ['email', 'phone', 'post', 'all'] as const;
/** One of OPPOSITION_CHANNELS. */
export type OppositionChannel = (typeof OPPOSITION_CHANNELS)[number];

/** `opposition_list`: keyed hashes of objectors' identifiers, nothing else (R-PROS-3). */
export interface OppositionListTable {
  id: string;
  emailHash: string | null;
  phoneHash: string | null;
  channel: OppositionChannel;
  createdAt: Timestamp;
  keepUntil: Timestamp;
}

/** The tables of this folder. */
export interface OppositionTables {
  oppositionList: OppositionListTable;
}
