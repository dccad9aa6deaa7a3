import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { AuditCheckpoint } from './entries.js';

/** The bytes a checkpoint signs: `seq|hash|at` (at in ISO-8601). */
export function checkpointMessage(seq: number, hash: string, at: Date): Buffer {
  return Buffer.from(`${seq}|${hash}|${at.toISOString()}`, 'utf8');
}

/**
 * True when the checkpoint's signature verifies: with one of `trustedKeys` when given
 * (what an auditor should do: the key stored beside the checkpoint proves nothing
 * against someone who can write the table), else with the public key stored with it.
 */
export function verifyCheckpoint(checkpoint: AuditCheckpoint, trustedKeys?: readonly KeyObject[]): boolean {
  try {
    const keys = trustedKeys ?? [createPublicKey(checkpoint.publicKey)];
    const message = checkpointMessage(checkpoint.seq, checkpoint.hash, checkpoint.at);
    const signature = Buffer.from(checkpoint.signature, 'base64');
    return keys.some((k) => verify(null, message, k, signature));
  } catch {
    return false;
  }
}
