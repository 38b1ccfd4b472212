export interface LineItem {
  sku: string;
  quantity: number;
  unitPriceCents: number;
}

export function cartTotalCents(items: LineItem[]): number {
  let total = 0;
  for (const item of items) {
    total += item.quantity * item.unitPriceCents;
  }
  return total;
}

export function formatCents(cents: number): string {
  return `$${(cents / 100).toFixed(2)}`;
}
