/**
 * An enumerated value as a coloured tag (`status-paid`, `kind-client`…), or a dash when
 * the record does not carry it (the role may not see that field).
 */
export function EnumTag<K extends string>({ value, labels, kind }: { readonly value: K | undefined; readonly labels: Readonly<Record<K, string>>; readonly kind: string }) {
  if (value === undefined) return <span className="muted">—</span>;
  return <span className={`tag ${kind}-${value}`}>{labels[value]}</span>;
}
