import { randomUUID } from 'node:crypto';

export interface Invoice {
  id: string;
  customerId: string;
  amountCents: number;
  dueAt: Date;
}

export function createInvoice(customerId: string, amountCents: number, termsDays = 30): Invoice {
  if (amountCents <= 0) throw new Error('amount must be positive');
  const dueAt = new Date(Date.now() + termsDays * 24 * 60 * 60 * 1000);
  return { id: randomUUID(), customerId, amountCents, dueAt };
}
