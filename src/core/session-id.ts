import { randomBytes } from 'node:crypto';

/** A short, sortable, unguessable session id: `20261130-142522-3f9a1c`. */
export function newSessionId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}
